"""Validation of deliveries with Great Expectations: row quarantine and delivery verdicts."""

from signals.validation.rules import DeliveryRules, Rejection
from signals.validation.runner import (
    QUARANTINE_SCHEMA,
    ValidationOutcome,
    validate_aftercare,
    validate_delivery,
)

__all__ = [
    "QUARANTINE_SCHEMA",
    "DeliveryRules",
    "Rejection",
    "ValidationOutcome",
    "validate_aftercare",
    "validate_delivery",
]
