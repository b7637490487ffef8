# ruff: noqa: E501
"""Initial schema: every table of connectors.database.models (SQLite and PostgreSQL).

Revision ID: 0001
Revises:
Create Date: 2026-11-22 16:33:12.554948

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("audit_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("entity", sa.String(length=100), nullable=False),
        sa.Column("entity_id", sa.String(length=300), nullable=True),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("audit_id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)

    op.create_table(
        "deliveries",
        sa.Column("delivery_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("partner", sa.String(length=100), nullable=False),
        sa.Column("delivery_date", sa.Date(), nullable=False),
        sa.Column("source_file", sa.String(length=500), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("rows_received", sa.Integer(), nullable=False),
        sa.Column("rows_accepted", sa.Integer(), nullable=False),
        sa.Column("rows_quarantined", sa.Integer(), nullable=False),
        sa.Column("rejection_code", sa.String(length=100), nullable=True),
        sa.Column("rejection_reason_en", sa.Text(), nullable=True),
        sa.Column("rejection_reason_nl", sa.Text(), nullable=True),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "status IS NULL OR status IN ('loaded', 'rejected', 'unreadable')",
            name=op.f("ck_deliveries_status"),
        ),
        sa.PrimaryKeyConstraint("delivery_id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint("source_file", name=op.f("uq_deliveries_source_file")),
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deliveries_partner"), ["partner"], unique=False)
        batch_op.create_index(batch_op.f("ix_deliveries_run_id"), ["run_id"], unique=False)

    op.create_table(
        "households",
        sa.Column("household_key", sa.String(length=64), nullable=False),
        sa.Column("wijkcode", sa.String(length=20), nullable=True),
        sa.Column("first_seen", sa.Date(), nullable=False),
        sa.Column("last_seen", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("household_key", name=op.f("pk_households")),
    )
    op.create_table(
        "pipeline_runs",
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("flow", sa.String(length=100), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=True),
        sa.CheckConstraint(
            "status IS NULL OR status IN ('running', 'succeeded', 'failed')",
            name=op.f("ck_pipeline_runs_status"),
        ),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_pipeline_runs")),
    )
    op.create_table(
        "resolutions",
        sa.Column("household_key", sa.String(length=64), nullable=False),
        sa.Column("partner", sa.String(length=100), nullable=False),
        sa.Column("resolved_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint(
            "household_key", "partner", "resolved_on", name=op.f("pk_resolutions")
        ),
    )
    op.create_table(
        "teams",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("weekly_capacity", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_teams")),
    )
    op.create_table(
        "aftercare",
        sa.Column("aftercare_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("household_key", sa.String(length=64), nullable=False),
        sa.Column("dossier_id", sa.String(length=200), nullable=True),
        sa.Column("trajectory_end_date", sa.Date(), nullable=True),
        sa.Column("trajectory_outcome", sa.String(length=100), nullable=True),
        sa.Column("delivery_date", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["deliveries.delivery_id"],
            name=op.f("fk_aftercare_delivery_id_deliveries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("aftercare_id", name=op.f("pk_aftercare")),
    )
    with op.batch_alter_table("aftercare", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_aftercare_delivery_id"), ["delivery_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_aftercare_household_key"), ["household_key"], unique=False
        )

    op.create_table(
        "cases",
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("household_key", sa.String(length=64), nullable=False),
        sa.Column("case_type", sa.String(length=20), nullable=True),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("picked_up_on", sa.Date(), nullable=True),
        sa.Column("last_pickup_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("result", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.CheckConstraint(
            "result IS NULL OR result IN ('(Budget)advies en/of quick fix', 'Definitief geen contact kunnen krijgen', 'Geen reactie na eerder contact', 'Inwoner al bekend bij schuldhulpverlening', 'Inwoner heeft al een ander lopend traject', 'Inwoner heeft zelf al betaald/betalingsregeling getroffen', 'Inwoner is overleden', 'Inwoner regelt het zelf/hoeft geen hulp vanuit vroegsignalering', 'Niet opgepakt: andere reden', 'Niet opgepakt: herhaalde melding', 'Niet opgepakt: onterecht signaal', 'Persoon is geen inwoner (meer) in de gemeente', 'Vervolghulp en/of verwijzing', 'Vervolghulp en/of verwijzing financieel', 'Vervolghulp en/of verwijzing niet financieel', 'Verwijzing zonder tussenkomst inwoner')",
            name=op.f("ck_cases_result"),
        ),
        sa.CheckConstraint(
            "status IS NULL OR status IN ('open', 'closed')", name=op.f("ck_cases_status")
        ),
        sa.ForeignKeyConstraint(
            ["household_key"],
            ["households.household_key"],
            name=op.f("fk_cases_household_key_households"),
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_cases")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(
            "uq_cases_one_open_per_household",
            ["household_key"],
            unique=True,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )

    op.create_table(
        "contact_vault",
        sa.Column("household_key", sa.String(length=64), nullable=False),
        sa.Column("address_token", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_key"],
            ["households.household_key"],
            name=op.f("fk_contact_vault_household_key_households"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("household_key", name=op.f("pk_contact_vault")),
    )
    op.create_table(
        "quarantine",
        sa.Column("quarantine_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("partner", sa.String(length=100), nullable=False),
        sa.Column("delivery_date", sa.Date(), nullable=False),
        sa.Column("source_file", sa.String(length=500), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=True),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("reason_code", sa.String(length=100), nullable=False),
        sa.Column("reason_en", sa.Text(), nullable=True),
        sa.Column("reason_nl", sa.Text(), nullable=True),
        sa.Column("failed_expectations", sa.Text(), nullable=True),
        sa.Column("raw_token", sa.LargeBinary(), nullable=True),
        sa.Column("status", sa.String(length=20), server_default="open", nullable=False),
        sa.CheckConstraint(
            "status IS NULL OR status IN ('open', 'resubmitted', 'dismissed')",
            name=op.f("ck_quarantine_status"),
        ),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["deliveries.delivery_id"],
            name=op.f("fk_quarantine_delivery_id_deliveries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("quarantine_id", name=op.f("pk_quarantine")),
    )
    with op.batch_alter_table("quarantine", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_quarantine_delivery_id"), ["delivery_id"], unique=False
        )

    op.create_table(
        "signals",
        sa.Column("signal_key", sa.String(length=300), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("partner", sa.String(length=100), nullable=False),
        sa.Column("partner_type", sa.String(length=50), nullable=True),
        sa.Column("delivery_date", sa.Date(), nullable=False),
        sa.Column("source_file", sa.String(length=500), nullable=True),
        sa.Column("source_row", sa.Integer(), nullable=True),
        sa.Column("signal_id", sa.String(length=200), nullable=True),
        sa.Column("household_key", sa.String(length=64), nullable=True),
        sa.Column("person_key", sa.String(length=64), nullable=True),
        sa.Column("in_municipality", sa.Boolean(), nullable=True),
        sa.Column("wijkcode", sa.String(length=20), nullable=True),
        sa.Column("wijknaam", sa.String(length=200), nullable=True),
        sa.Column("buurtcode", sa.String(length=20), nullable=True),
        sa.Column("age_at_signal", sa.Integer(), nullable=True),
        sa.Column("amount", sa.Double(), nullable=True),
        sa.Column("arrears_months", sa.Double(), nullable=True),
        sa.Column("days_overdue", sa.Integer(), nullable=True),
        sa.Column("arrears_since", sa.Date(), nullable=True),
        sa.Column("signal_date", sa.Date(), nullable=True),
        sa.Column("crisis", sa.Boolean(), nullable=True),
        sa.Column("crisis_kind", sa.String(length=50), nullable=True),
        sa.Column("warm_handover", sa.Boolean(), nullable=True),
        sa.Column("consent", sa.Boolean(), nullable=True),
        sa.Column("indicators", sa.String(length=500), nullable=True),
        sa.Column("raw_token", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["deliveries.delivery_id"],
            name=op.f("fk_signals_delivery_id_deliveries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["household_key"],
            ["households.household_key"],
            name=op.f("fk_signals_household_key_households"),
        ),
        sa.PrimaryKeyConstraint("signal_key", name=op.f("pk_signals")),
    )
    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_signals_delivery_date"), ["delivery_date"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_signals_delivery_id"), ["delivery_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_signals_household_key"), ["household_key"], unique=False
        )

    op.create_table(
        "case_signals",
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("signal_key", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.case_id"],
            name=op.f("fk_case_signals_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["signal_key"],
            ["signals.signal_key"],
            name=op.f("fk_case_signals_signal_key_signals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", "signal_key", name=op.f("pk_case_signals")),
    )
    with op.batch_alter_table("case_signals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_case_signals_signal_key"), ["signal_key"], unique=False
        )

    op.create_table(
        "contact_attempts",
        sa.Column("attempt_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("task_id", sa.String(length=64), nullable=True),
        sa.Column("contact_kind", sa.String(length=50), nullable=False),
        sa.Column("attempt_date", sa.Date(), nullable=False),
        sa.Column("part_of_day", sa.String(length=20), nullable=True),
        sa.Column("reached", sa.Boolean(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.CheckConstraint(
            "contact_kind IS NULL OR contact_kind IN ('Administratief', 'Afspraak op locatie', 'Brief', 'Huisbezoek', 'Kaartje', 'Mail', 'Onbekend', 'Overige', 'SMS/Whatsapp', 'Telefoon')",
            name=op.f("ck_contact_attempts_contact_kind"),
        ),
        sa.CheckConstraint(
            "part_of_day IS NULL OR part_of_day IN ('Ochtend', 'Middag', 'Avond')",
            name=op.f("ck_contact_attempts_part_of_day"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.case_id"],
            name=op.f("fk_contact_attempts_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("attempt_id", name=op.f("pk_contact_attempts")),
    )
    with op.batch_alter_table("contact_attempts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_attempts_case_id"), ["case_id"], unique=False)

    op.create_table(
        "signal_states",
        sa.Column("signal_key", sa.String(length=300), nullable=False),
        sa.Column("household_key", sa.String(length=64), nullable=True),
        sa.Column("partner", sa.String(length=100), nullable=True),
        sa.Column("signal_state", sa.String(length=20), nullable=False),
        sa.Column("previous_amount", sa.Double(), nullable=True),
        sa.ForeignKeyConstraint(
            ["signal_key"],
            ["signals.signal_key"],
            name=op.f("fk_signal_states_signal_key_signals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("signal_key", name=op.f("pk_signal_states")),
    )
    op.create_table(
        "signal_statuses",
        sa.Column("signal_key", sa.String(length=300), nullable=False),
        sa.Column("household_key", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=100), nullable=False),
        sa.Column("rule", sa.String(length=100), nullable=True),
        sa.Column("policy_version", sa.String(length=50), nullable=True),
        sa.Column("reason_nl", sa.Text(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.CheckConstraint(
            "status IS NULL OR status IN ('Inwoner al bekend bij schuldhulpverlening', 'Inwoner is overleden', 'Niet opgepakt: andere reden', 'Niet opgepakt: herhaalde melding', 'Niet opgepakt: onterecht signaal', 'Nog niet opgepakt', 'Opgepakt', 'Persoon is geen inwoner (meer) in de gemeente')",
            name=op.f("ck_signal_statuses_status"),
        ),
        sa.ForeignKeyConstraint(
            ["signal_key"],
            ["signals.signal_key"],
            name=op.f("fk_signal_statuses_signal_key_signals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("signal_key", name=op.f("pk_signal_statuses")),
    )
    with op.batch_alter_table("signal_statuses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_signal_statuses_household_key"), ["household_key"], unique=False
        )

    op.create_table(
        "tasks",
        sa.Column("task_id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("household_key", sa.String(length=64), nullable=True),
        sa.Column("team", sa.String(length=100), nullable=True),
        sa.Column("contact_kind", sa.String(length=50), nullable=True),
        sa.Column("joint_with", sa.String(length=200), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=True),
        sa.Column("planned_week", sa.String(length=10), nullable=True),
        sa.Column("over_capacity", sa.Boolean(), nullable=True),
        sa.Column("reason_nl", sa.Text(), nullable=True),
        sa.Column("suggestions", sa.Text(), nullable=True),
        sa.Column("signal_partners", sa.String(length=500), nullable=True),
        sa.Column("total_amount", sa.Double(), nullable=True),
        sa.Column("wijk", sa.String(length=200), nullable=True),
        sa.Column("rule", sa.String(length=100), nullable=True),
        sa.Column("policy_version", sa.String(length=50), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_on", sa.Date(), nullable=True),
        sa.Column("updated_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "contact_kind IS NULL OR contact_kind IN ('Administratief', 'Afspraak op locatie', 'Brief', 'Huisbezoek', 'Kaartje', 'Mail', 'Onbekend', 'Overige', 'SMS/Whatsapp', 'Telefoon')",
            name=op.f("ck_tasks_contact_kind"),
        ),
        sa.CheckConstraint(
            "status IS NULL OR status IN ('open', 'afgerond')", name=op.f("ck_tasks_status")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.case_id"], name=op.f("fk_tasks_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("task_id", name=op.f("pk_tasks")),
    )
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tasks_team"), ["team"], unique=False)
        batch_op.create_index(
            "uq_tasks_one_open_per_case",
            ["case_id"],
            unique=True,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_tasks_one_open_per_case",
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )
        batch_op.drop_index(batch_op.f("ix_tasks_team"))

    op.drop_table("tasks")
    with op.batch_alter_table("signal_statuses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signal_statuses_household_key"))

    op.drop_table("signal_statuses")
    op.drop_table("signal_states")
    with op.batch_alter_table("contact_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_attempts_case_id"))

    op.drop_table("contact_attempts")
    with op.batch_alter_table("case_signals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_signals_signal_key"))

    op.drop_table("case_signals")
    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signals_household_key"))
        batch_op.drop_index(batch_op.f("ix_signals_delivery_id"))
        batch_op.drop_index(batch_op.f("ix_signals_delivery_date"))

    op.drop_table("signals")
    with op.batch_alter_table("quarantine", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quarantine_delivery_id"))

    op.drop_table("quarantine")
    op.drop_table("contact_vault")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_cases_one_open_per_household",
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )

    op.drop_table("cases")
    with op.batch_alter_table("aftercare", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aftercare_household_key"))
        batch_op.drop_index(batch_op.f("ix_aftercare_delivery_id"))

    op.drop_table("aftercare")
    op.drop_table("teams")
    op.drop_table("resolutions")
    op.drop_table("pipeline_runs")
    op.drop_table("households")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deliveries_run_id"))
        batch_op.drop_index(batch_op.f("ix_deliveries_partner"))

    op.drop_table("deliveries")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))

    op.drop_table("audit_log")
