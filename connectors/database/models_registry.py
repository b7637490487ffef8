"""The model registry table: every trained risk model, how it was judged, which is promoted.

The fitted model is stored with skops (never pickle): loading checks its types against a
list of trusted ones, so a tampered blob cannot run code.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, DateTime, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from connectors.database.models import Base, _one_of

MODEL_STATUSES = ("candidate", "promoted", "retired")


class RiskModel(Base):
    """One trained model with its training window, features, parameters and backtest."""

    __tablename__ = "risk_models"
    __table_args__ = (CheckConstraint(_one_of("status", MODEL_STATUSES), name="status"),)

    version: Mapped[str] = mapped_column(String(100), primary_key=True)
    model_name: Mapped[str] = mapped_column(String(50))
    trained_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    train_from: Mapped[dt.date] = mapped_column(Date)  # first training night
    train_to: Mapped[dt.date] = mapped_column(Date)  # last training night
    label_window_days: Mapped[int] = mapped_column(Integer)
    features: Mapped[list[str]] = mapped_column(JSON)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Per split and candidate (the rules included), and the choice with its reasons.
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON)
    data_hash: Mapped[str] = mapped_column(String(64))  # SHA-256 of the training rows
    beats_rules: Mapped[bool]
    skops_blob: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(20), server_default="candidate")
    promoted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    promoted_by: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
