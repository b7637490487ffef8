"""The database tables (SQLAlchemy 2 typed declarative).

Column names follow the DataFrame contracts of ``signals.schema`` one to one, so that a frame
conformed to a contract is written and read back without renaming. Identifying values
(postcode, huisnummer, BSN, birth date) never get a column: the address and the raw record are
stored only as Fernet tokens produced by the vault.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from signals import ddas

DELIVERY_STATUSES = ("loaded", "rejected", "unreadable")
QUARANTINE_STATUSES = ("open", "resubmitted", "dismissed")
CASE_STATUSES = ("open", "closed")
TASK_STATUSES = ("open", "afgerond")
SIGNAL_STATES = ("new", "repeat", "increased", "escalated")
RUN_STATUSES = ("running", "succeeded", "failed", "interrupted")

# Named constraints keep batch migrations on SQLite and diffs on PostgreSQL deterministic.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _one_of(column: str, values: tuple[str, ...]) -> str:
    """SQL for a CHECK that ``column`` is NULL or one of ``values`` (none contains a quote)."""
    assert all("'" not in value for value in values)
    listed = ", ".join(f"'{value}'" for value in values)
    return f"{column} IS NULL OR {column} IN ({listed})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class PipelineRun(Base):
    __tablename__ = "pipeline_runs"
    __table_args__ = (CheckConstraint(_one_of("status", RUN_STATUSES), name="status"),)

    run_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    flow: Mapped[str] = mapped_column(String(100))
    as_of: Mapped[dt.date | None] = mapped_column(Date)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20))
    counts: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Delivery(Base):
    """One file from the inbox, whatever became of it."""

    __tablename__ = "deliveries"
    __table_args__ = (CheckConstraint(_one_of("status", DELIVERY_STATUSES), name="status"),)

    delivery_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    partner: Mapped[str] = mapped_column(String(100), index=True)
    delivery_date: Mapped[dt.date] = mapped_column(Date)
    source_file: Mapped[str] = mapped_column(String(500), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))
    rows_received: Mapped[int] = mapped_column(Integer)
    rows_accepted: Mapped[int] = mapped_column(Integer)
    rows_quarantined: Mapped[int] = mapped_column(Integer)
    rejection_code: Mapped[str | None] = mapped_column(String(100))
    rejection_reason_en: Mapped[str | None] = mapped_column(Text)
    rejection_reason_nl: Mapped[str | None] = mapped_column(Text)
    loaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    run_id: Mapped[str | None] = mapped_column(String(64), index=True)
    # A re-submission of corrected quarantine rows adds to its original delivery; it is no
    # complete snapshot of its own (state and resolutions ignore it as a snapshot).
    is_correction: Mapped[bool] = mapped_column(server_default=text("false"))
    # Size and modification time when read: discovery skips an unchanged file without hashing.
    file_size: Mapped[int | None] = mapped_column(BigInteger)
    file_mtime_ns: Mapped[int | None] = mapped_column(BigInteger)
    # The night whose triage took this delivery into account (NULL: not yet); a crashed night's
    # deliveries are picked up again by the next run.
    triaged_on: Mapped[dt.date | None] = mapped_column(Date)


class Household(Base):
    """A pseudonymous household: the HMAC key only, never the address."""

    __tablename__ = "households"

    household_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    wijkcode: Mapped[str | None] = mapped_column(String(20))
    first_seen: Mapped[dt.date] = mapped_column(Date)
    last_seen: Mapped[dt.date] = mapped_column(Date)


class ContactVault(Base):
    """The household's address, encrypted; only the outreach export decrypts it."""

    __tablename__ = "contact_vault"

    household_key: Mapped[str] = mapped_column(
        ForeignKey("households.household_key", ondelete="CASCADE"), primary_key=True
    )
    address_token: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Signal(Base):
    """``LINKED_SIGNAL_SCHEMA`` plus the delivery it came in and its encrypted raw record."""

    __tablename__ = "signals"

    signal_key: Mapped[str] = mapped_column(String(300), primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("deliveries.delivery_id", ondelete="CASCADE"), index=True
    )
    partner: Mapped[str] = mapped_column(String(100))
    partner_type: Mapped[str | None] = mapped_column(String(50))
    delivery_date: Mapped[dt.date] = mapped_column(Date, index=True)
    source_file: Mapped[str | None] = mapped_column(String(500))
    source_row: Mapped[int | None] = mapped_column(Integer)
    signal_id: Mapped[str | None] = mapped_column(String(200))
    household_key: Mapped[str | None] = mapped_column(
        ForeignKey("households.household_key"), index=True
    )
    person_key: Mapped[str | None] = mapped_column(String(64))
    in_municipality: Mapped[bool | None]
    wijkcode: Mapped[str | None] = mapped_column(String(20))
    wijknaam: Mapped[str | None] = mapped_column(String(200))
    buurtcode: Mapped[str | None] = mapped_column(String(20))
    age_at_signal: Mapped[int | None] = mapped_column(Integer)
    amount: Mapped[float | None] = mapped_column(Double)
    arrears_months: Mapped[float | None] = mapped_column(Double)
    days_overdue: Mapped[int | None] = mapped_column(Integer)
    arrears_since: Mapped[dt.date | None] = mapped_column(Date)
    signal_date: Mapped[dt.date | None] = mapped_column(Date)
    crisis: Mapped[bool | None]
    crisis_kind: Mapped[str | None] = mapped_column(String(50))
    warm_handover: Mapped[bool | None]
    consent: Mapped[bool | None]
    indicators: Mapped[str | None] = mapped_column(String(500))


class Quarantine(Base):
    """A row kept out of the pipeline (``REJECT_SCHEMA`` + failed expectations); raw encrypted."""

    __tablename__ = "quarantine"
    __table_args__ = (CheckConstraint(_one_of("status", QUARANTINE_STATUSES), name="status"),)

    quarantine_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("deliveries.delivery_id", ondelete="CASCADE"), index=True
    )
    partner: Mapped[str] = mapped_column(String(100))
    delivery_date: Mapped[dt.date] = mapped_column(Date)
    source_file: Mapped[str] = mapped_column(String(500))
    source_row: Mapped[int | None] = mapped_column(Integer)
    stage: Mapped[str] = mapped_column(String(20))
    reason_code: Mapped[str] = mapped_column(String(100))
    reason_en: Mapped[str | None] = mapped_column(Text)
    reason_nl: Mapped[str | None] = mapped_column(Text)
    failed_expectations: Mapped[str | None] = mapped_column(Text)
    raw_token: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(20), server_default="open")
    # Whose row it was, when its address could be read: such a household is not "resolved"
    # at this partner just because its row was held back.
    household_key: Mapped[str | None] = mapped_column(String(64), index=True)
    # Dismissed by the data steward (e.g. a duplicate row), with why and by whom.
    dismissed_reason: Mapped[str | None] = mapped_column(Text)
    dismissed_by: Mapped[str | None] = mapped_column(String(100))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Aftercare(Base):
    """``LINKED_AFTERCARE_SCHEMA``: finished debt trajectories, pseudonymised."""

    __tablename__ = "aftercare"

    aftercare_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("deliveries.delivery_id", ondelete="CASCADE"), index=True
    )
    household_key: Mapped[str] = mapped_column(String(64), index=True)
    dossier_id: Mapped[str | None] = mapped_column(String(200))
    trajectory_end_date: Mapped[dt.date | None] = mapped_column(Date)
    trajectory_outcome: Mapped[str | None] = mapped_column(String(100))
    delivery_date: Mapped[dt.date] = mapped_column(Date)


class SignalState(Base):
    """``SIGNAL_STATE_SCHEMA``: new / repeat / increased, one row per signal."""

    __tablename__ = "signal_states"

    signal_key: Mapped[str] = mapped_column(
        ForeignKey("signals.signal_key", ondelete="CASCADE"), primary_key=True
    )
    household_key: Mapped[str | None] = mapped_column(String(64))
    partner: Mapped[str | None] = mapped_column(String(100))
    signal_state: Mapped[str] = mapped_column(String(20))
    previous_amount: Mapped[float | None] = mapped_column(Double)
    # The night the state was derived; a state is final once derived (never recomputed).
    derived_on: Mapped[dt.date | None] = mapped_column(Date)


class Resolution(Base):
    """``RESOLUTION_SCHEMA``: arrears that disappeared from a later complete delivery."""

    __tablename__ = "resolutions"

    household_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    partner: Mapped[str] = mapped_column(String(100), primary_key=True)
    resolved_on: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    # The night this resolution became known (a late delivery can complete history later).
    recorded_on: Mapped[dt.date | None] = mapped_column(Date)


class _CaseFields:
    """The columns of a case, shared by the current row and its history."""

    household_key: Mapped[str] = mapped_column(String(64))
    case_type: Mapped[str | None] = mapped_column(String(20))
    opened_on: Mapped[dt.date] = mapped_column(Date)
    picked_up_on: Mapped[dt.date | None] = mapped_column(Date)  # DDAS datumOpgepakt
    last_pickup_on: Mapped[dt.date | None] = mapped_column(Date)  # repeat look-back start
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    result: Mapped[str | None] = mapped_column(String(100))  # DDAS EnumEindresultaat
    status: Mapped[str] = mapped_column(String(20))
    closed_by: Mapped[str | None] = mapped_column(String(100))  # a user, or the system's run
    # Optimistic concurrency: every write checks and raises it, so no writer undoes another.
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))


class _VersionFields:
    """When and by whom a version of a row became true."""

    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    night: Mapped[dt.date | None] = mapped_column(Date)  # the night of a pipeline change
    actor: Mapped[str] = mapped_column(String(100))  # user name or "run:<run id>"
    change: Mapped[str] = mapped_column(String(30))  # opened, reshaped, closed, ...


class Case(_CaseFields, Base):
    """A vroegsignaalzaak: one household's case, at most one open at a time."""

    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint(_one_of("status", CASE_STATUSES), name="status"),
        CheckConstraint(_one_of("result", ddas.RESULTS), name="result"),
        Index(
            "uq_cases_one_open_per_household",
            "household_key",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    case_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    household_key: Mapped[str] = mapped_column(ForeignKey("households.household_key"))


class CaseVersion(_CaseFields, _VersionFields, Base):
    """Every state a case has been in (append-only): the current row is the newest version."""

    __tablename__ = "case_versions"

    case_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)


class CaseSignal(Base):
    """Which signals make up a case."""

    __tablename__ = "case_signals"

    case_id: Mapped[str] = mapped_column(
        ForeignKey("cases.case_id", ondelete="CASCADE"), primary_key=True
    )
    signal_key: Mapped[str] = mapped_column(
        ForeignKey("signals.signal_key", ondelete="CASCADE"), primary_key=True, index=True
    )


class SignalStatus(Base):
    """``DECISION_SCHEMA`` + ``decided_on``: the triage decision per signal (insert-only)."""

    __tablename__ = "signal_statuses"
    __table_args__ = (CheckConstraint(_one_of("status", ddas.SIGNAL_STATUSES), name="status"),)

    signal_key: Mapped[str] = mapped_column(
        ForeignKey("signals.signal_key", ondelete="CASCADE"), primary_key=True
    )
    household_key: Mapped[str | None] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(100))
    rule: Mapped[str | None] = mapped_column(String(100))
    policy_version: Mapped[str | None] = mapped_column(String(50))
    reason_nl: Mapped[str | None] = mapped_column(Text)
    decided_on: Mapped[dt.date] = mapped_column(Date, index=True)
    run_id: Mapped[str | None] = mapped_column(String(64))


class HouseholdState(Base):
    """``HOUSEHOLD_STATE_SCHEMA`` as it stood on a night, for the households touched that night.

    Append-only: the state of a household on night N is its newest row with ``night <= N``.
    """

    __tablename__ = "household_states"

    household_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    night: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    case_type: Mapped[str | None] = mapped_column(String(20))
    active_partners: Mapped[str | None] = mapped_column(String(500))
    partner_count: Mapped[int | None] = mapped_column(Integer)
    total_amount: Mapped[float | None] = mapped_column(Double)
    relapse: Mapped[bool | None]
    previous_trajectory_outcome: Mapped[str | None] = mapped_column(String(100))
    resolved_since: Mapped[dt.date | None] = mapped_column(Date)
    run_id: Mapped[str | None] = mapped_column(String(64))


class _TeamFields:
    weekly_capacity: Mapped[int] = mapped_column(Integer)
    # "beleid <version>" when it comes from the triage policy, else the user who set it.
    set_by: Mapped[str | None] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))


class Team(_TeamFields, Base):
    """A team and the number of tasks it can take on per week (read by the planning)."""

    __tablename__ = "teams"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)


class TeamVersion(_TeamFields, _VersionFields, Base):
    """Every capacity a team has had: the planning of a past night uses the one then."""

    __tablename__ = "team_versions"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)


class _TaskFields:
    """``TASK_SCHEMA``: the columns of a task, shared by the current row and its history."""

    case_id: Mapped[str] = mapped_column(String(64))
    household_key: Mapped[str | None] = mapped_column(String(64))
    team: Mapped[str | None] = mapped_column(String(100))
    contact_kind: Mapped[str | None] = mapped_column(String(50))
    joint_with: Mapped[str | None] = mapped_column(String(200))
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    priority: Mapped[int | None] = mapped_column(Integer)
    band: Mapped[int | None] = mapped_column(Integer)  # the policy's priority band (1 first)
    team_rank: Mapped[int | None] = mapped_column(Integer)  # 1, 2, 3 ... within the team
    planned_week: Mapped[str | None] = mapped_column(String(10))
    over_capacity: Mapped[bool | None]
    plan_status: Mapped[str | None] = mapped_column(String(100))  # "deze week", "later", ...
    reason_nl: Mapped[str | None] = mapped_column(Text)
    news_nl: Mapped[str | None] = mapped_column(Text)  # what was new on the last change
    suggestions: Mapped[str | None] = mapped_column(Text)
    signal_partners: Mapped[str | None] = mapped_column(String(500))
    crisis_kinds: Mapped[str | None] = mapped_column(String(100))
    total_amount: Mapped[float | None] = mapped_column(Double)
    wijk: Mapped[str | None] = mapped_column(String(200))
    rule: Mapped[str | None] = mapped_column(String(100))
    policy_version: Mapped[str | None] = mapped_column(String(50))
    resolved_since: Mapped[dt.date | None] = mapped_column(Date)
    score: Mapped[float | None] = mapped_column(Double)
    model_version: Mapped[str | None] = mapped_column(String(100))
    score_reasons_nl: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    created_on: Mapped[dt.date | None] = mapped_column(Date)
    updated_on: Mapped[dt.date | None] = mapped_column(Date)
    closed_by: Mapped[str | None] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))


class Task(_TaskFields, Base):
    """The outreach work for one open case (one open task per case)."""

    __tablename__ = "tasks"
    __table_args__ = (
        CheckConstraint(_one_of("status", TASK_STATUSES), name="status"),
        CheckConstraint(_one_of("contact_kind", ddas.CONTACT_KINDS), name="contact_kind"),
        Index(
            "uq_tasks_one_open_per_case",
            "case_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        Index("ix_tasks_team_status", "team", "status"),
    )

    task_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.case_id", ondelete="CASCADE"))


class TaskVersion(_TaskFields, _VersionFields, Base):
    """Every content a task has had (append-only); the planning fields of a version are those
    of the night it was written. The plan of any night is recomputed from these versions."""

    __tablename__ = "task_versions"

    task_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)


class ContactAttempt(Base):
    """``CONTACT_ATTEMPT_SCHEMA`` + when, by whom and from where it was recorded."""

    __tablename__ = "contact_attempts"
    __table_args__ = (
        CheckConstraint(_one_of("contact_kind", ddas.CONTACT_KINDS), name="contact_kind"),
        CheckConstraint(_one_of("part_of_day", ddas.PARTS_OF_DAY), name="part_of_day"),
    )

    attempt_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(
        ForeignKey("cases.case_id", ondelete="CASCADE"), index=True
    )
    task_id: Mapped[str | None] = mapped_column(String(64))
    contact_kind: Mapped[str] = mapped_column(String(50))
    attempt_date: Mapped[dt.date] = mapped_column(Date)
    part_of_day: Mapped[str | None] = mapped_column(String(20))
    reached: Mapped[bool | None]
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    source: Mapped[str] = mapped_column(String(100))
    recorded_by: Mapped[str | None] = mapped_column(String(100))


class AuditEntry(Base):
    """Who did what to which entity; ``details`` never holds identifying values."""

    __tablename__ = "audit_log"

    audit_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(100))
    entity: Mapped[str] = mapped_column(String(100))
    entity_id: Mapped[str | None] = mapped_column(String(300))
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)


# --- The web application: accounts, sessions, API tokens, login attempts -----------------------

WEB_ROLES = ("medewerker", "teamleider", "gegevensbeheerder", "beheerder", "analist")


class WebUser(Base):
    """A person who signs in to the web application; ``team`` for the outreach roles."""

    __tablename__ = "web_users"
    __table_args__ = (CheckConstraint(_one_of("role", WEB_ROLES), name="role"),)

    user_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))  # Argon2id, PHC string
    role: Mapped[str] = mapped_column(String(30))
    team: Mapped[str | None] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(server_default=text("true"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(100))
    password_changed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class WebSession(Base):
    """A signed-in session; only the SHA-256 of its id is stored (the cookie holds the id)."""

    __tablename__ = "web_sessions"

    session_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("web_users.user_id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ApiToken(Base):
    """A bearer token of a user (e.g. a case system's account); only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    token_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("web_users.user_id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(100))
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class LoginAttempt(Base):
    """Every sign-in attempt, for the rate limit; the client is kept only as a keyed hash."""

    __tablename__ = "login_attempts"

    attempt_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(100), index=True)
    client_hash: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    succeeded: Mapped[bool]


class TaskAssignment(Base):
    """Which team member a team lead gave a task to (none: the team's queue as a whole)."""

    __tablename__ = "task_assignments"

    task_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("web_users.user_id", ondelete="CASCADE"), index=True
    )
    assigned_by: Mapped[str] = mapped_column(String(100))
    assigned_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


# The model registry lives in its own module; importing it registers its table on ``Base``.
from connectors.database import models_registry  # noqa: E402, F401
