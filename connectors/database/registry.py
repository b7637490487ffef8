"""Reads and writes of the model registry; models go in and out through skops, never pickle."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from connectors.database.models_registry import RiskModel

#: Types a stored model may contain beyond what skops trusts by default.
TRUSTED_TYPES: Final = frozenset(
    {
        "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
        "signals.risk.estimators.OrderBaseline",
    }
)


class UnknownModelError(LookupError):
    """No model of that version is in the registry."""


class UntrustedModelError(ValueError):
    """A stored model holds types that are not on the trusted list."""


@dataclass(frozen=True)
class ModelEntry:
    """A registry row without its blob."""

    version: str
    model_name: str
    trained_at: dt.datetime
    train_from: dt.date
    train_to: dt.date
    label_window_days: int
    status: str
    beats_rules: bool
    promoted_at: dt.datetime | None
    promoted_by: str | None
    metrics: dict[str, Any]
    features: list[str]
    params: dict[str, Any]
    data_hash: str


# skops (and scikit-learn behind it) is imported where a model is stored or read: every
# night and CLI command imports this module, and most never touch a model.
def dumps(model: Any) -> bytes:
    import skops.io as sio

    return sio.dumps(model, compression=8)  # zipfile.ZIP_DEFLATED


def loads(blob: bytes) -> Any:
    """The model in ``blob``; refuses types outside ``TRUSTED_TYPES``."""
    import skops.io as sio

    unknown = set(sio.get_untrusted_types(data=blob)) - TRUSTED_TYPES
    if unknown:
        raise UntrustedModelError(f"the stored model holds untrusted types: {sorted(unknown)}")
    return sio.loads(blob, trusted=sorted(TRUSTED_TYPES))


def save_model(session: Session, model: Any, **fields: Any) -> str:
    """Store a trained model as a candidate; returns its version."""
    row = RiskModel(skops_blob=dumps(model), status="candidate", **fields)
    session.add(row)
    session.flush()
    return row.version


def _entry(row: RiskModel) -> ModelEntry:
    return ModelEntry(
        version=row.version,
        model_name=row.model_name,
        trained_at=row.trained_at,
        train_from=row.train_from,
        train_to=row.train_to,
        label_window_days=row.label_window_days,
        status=row.status,
        beats_rules=bool(row.beats_rules),
        promoted_at=row.promoted_at,
        promoted_by=row.promoted_by,
        metrics=row.metrics,
        features=list(row.features),
        params=row.params,
        data_hash=row.data_hash,
    )


def list_models(session: Session) -> list[ModelEntry]:
    """Every model, newest first."""
    rows = session.scalars(select(RiskModel).order_by(RiskModel.trained_at.desc()))
    return [_entry(row) for row in rows]


def latest_model(session: Session) -> ModelEntry | None:
    models = list_models(session)
    return models[0] if models else None


def promote(session: Session, version: str, actor: str, at: dt.datetime) -> ModelEntry:
    """Make ``version`` the promoted model; the one promoted before is retired."""
    row = session.get(RiskModel, version)
    if row is None:
        raise UnknownModelError(f"no model {version!r} in the registry")
    session.execute(
        update(RiskModel).where(RiskModel.status == "promoted").values(status="retired")
    )
    row.status, row.promoted_at, row.promoted_by = "promoted", at, actor
    session.flush()
    return _entry(row)


def retire(session: Session) -> int:
    """Retire the promoted model (the rules' order stands again); returns how many."""
    result = session.execute(
        update(RiskModel).where(RiskModel.status == "promoted").values(status="retired")
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def promoted_model(session: Session) -> tuple[ModelEntry, Any] | None:
    """The promoted model's entry and fitted estimator, or None."""
    row = session.scalars(select(RiskModel).where(RiskModel.status == "promoted")).first()
    if row is None:
        return None
    return _entry(row), loads(row.skops_blob)
