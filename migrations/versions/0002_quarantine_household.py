"""Quarantine rows remember their household (when the address could be read).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 17:40:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("quarantine") as batch:
        batch.add_column(sa.Column("household_key", sa.String(length=64), nullable=True))
        batch.create_index(batch.f("ix_quarantine_household_key"), ["household_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("quarantine") as batch:
        batch.drop_index(batch.f("ix_quarantine_household_key"))
        batch.drop_column("household_key")
