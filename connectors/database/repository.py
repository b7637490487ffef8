"""The repository: every read and write of the pipeline's tables, as plain functions.

Import from here; the topic modules (deliveries, cases, state, runs) hold the code.
"""

from __future__ import annotations

from connectors.database.cases import (
    RECORDED_ATTEMPT_SCHEMA,
    TEAM_SCHEMA,
    load_case_signals,
    load_cases,
    load_contact_attempts,
    load_open_cases,
    load_tasks,
    load_teams,
    record_case_results,
    record_contact_attempts,
)
from connectors.database.casework import UnknownCaseError
from connectors.database.deliveries import (
    DeliveryConflictError,
    DeliveryRecord,
    delivery_already_loaded,
    load_aftercare,
    load_quarantine,
    load_signals,
    load_vault_tokens,
    loaded_source_files,
    previous_row_count,
    record_rejected_delivery,
    store_delivery,
)
from connectors.database.frames import (
    CASE_RESULT_SCHEMA,
    CASE_SCHEMA,
    CASE_SIGNAL_SCHEMA,
    QUARANTINE_SCHEMA,
    STORED_DECISION_SCHEMA,
)
from connectors.database.runs import audit, finish_run, mark_interrupted, start_run
from connectors.database.state import (
    load_decisions,
    load_resolutions,
    load_signal_states,
    save_decisions,
    save_resolutions,
    save_signal_states,
)

__all__ = [
    "CASE_RESULT_SCHEMA",
    "CASE_SCHEMA",
    "CASE_SIGNAL_SCHEMA",
    "QUARANTINE_SCHEMA",
    "RECORDED_ATTEMPT_SCHEMA",
    "STORED_DECISION_SCHEMA",
    "TEAM_SCHEMA",
    "DeliveryConflictError",
    "DeliveryRecord",
    "UnknownCaseError",
    "audit",
    "delivery_already_loaded",
    "finish_run",
    "load_aftercare",
    "load_case_signals",
    "load_cases",
    "load_contact_attempts",
    "load_decisions",
    "load_open_cases",
    "load_quarantine",
    "load_resolutions",
    "load_signal_states",
    "load_signals",
    "load_tasks",
    "load_teams",
    "load_vault_tokens",
    "loaded_source_files",
    "mark_interrupted",
    "previous_row_count",
    "record_case_results",
    "record_contact_attempts",
    "record_rejected_delivery",
    "save_decisions",
    "save_resolutions",
    "save_signal_states",
    "start_run",
    "store_delivery",
]
