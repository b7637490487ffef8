"""Model registry of the risk scoring: trained models, their backtest, the promoted one.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 22:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "risk_models",
        sa.Column("version", sa.String(length=100), nullable=False),
        sa.Column("model_name", sa.String(length=50), nullable=False),
        sa.Column("trained_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("train_from", sa.Date(), nullable=False),
        sa.Column("train_to", sa.Date(), nullable=False),
        sa.Column("label_window_days", sa.Integer(), nullable=False),
        sa.Column("features", sa.JSON(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("data_hash", sa.String(length=64), nullable=False),
        sa.Column("beats_rules", sa.Boolean(), nullable=False),
        sa.Column("skops_blob", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="candidate", nullable=False),
        sa.Column("promoted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("promoted_by", sa.String(length=100), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IS NULL OR status IN ('candidate', 'promoted', 'retired')",
            name=op.f("ck_risk_models_status"),
        ),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_risk_models")),
    )


def downgrade() -> None:
    op.drop_table("risk_models")
