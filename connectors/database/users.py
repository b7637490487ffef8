"""Accounts of the web application: users, their sessions, API tokens and login attempts.

Passwords are hashed with Argon2id (``argon2-cffi``, its current default parameters); session
ids and API tokens are random and only their SHA-256 is stored, so a copy of the database
signs nobody in. Every change of an account is written to the audit log.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from connectors.database.models import WEB_ROLES, ApiToken, LoginAttempt, WebSession, WebUser
from connectors.database.runs import audit

#: Roles that work with one team's tasks and therefore need a team.
TEAM_ROLES = frozenset({"medewerker", "teamleider"})
MIN_PASSWORD_LENGTH = 12

_hasher = PasswordHasher()
# Verifying an unknown user still costs one Argon2 verification: no timing oracle for names.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class AccountError(ValueError):
    """An account cannot be created or changed; the message (Dutch) says why."""


@dataclass(frozen=True)
class User:
    """A signed-in person, as the web application sees them (never the password hash)."""

    user_id: int
    username: str
    full_name: str
    role: str
    team: str | None
    active: bool

    @property
    def actor(self) -> str:
        """How this user is named in the audit log and the history."""
        return f"web:{self.username}"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(value: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes for timezone-aware columns; they were stored in UTC.
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def digest(secret: str) -> str:
    """The SHA-256 of a session id or token, as stored."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _user(row: WebUser) -> User:
    return User(row.user_id, row.username, row.full_name, row.role, row.team, row.active)


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Een wachtwoord heeft minstens {MIN_PASSWORD_LENGTH} tekens.")


def _check_role(role: str, team: str | None, teams: set[str] | None) -> None:
    if role not in WEB_ROLES:
        raise AccountError(f"Onbekende rol {role!r}; kies uit {', '.join(WEB_ROLES)}.")
    if role in TEAM_ROLES and not team:
        raise AccountError(f"De rol {role} hoort bij een team; kies het team.")
    if role not in TEAM_ROLES and team:
        raise AccountError(f"De rol {role} hoort niet bij een team.")
    if team and teams is not None and team not in teams:
        raise AccountError(f"Onbekend team {team!r}.")


def create_user(
    session: Session,
    username: str,
    full_name: str,
    password: str,
    role: str,
    team: str | None,
    actor: str,
    teams: set[str] | None = None,
) -> User:
    """A new active account; refuses a taken name, a short password or a role without team."""
    name = username.strip().lower()
    if not name or len(name) > 100 or not all(c.isalnum() or c in "._-@" for c in name):
        raise AccountError(
            "Een gebruikersnaam bestaat uit letters, cijfers en . _ - @ (hoogstens 100 tekens)."
        )
    if not full_name.strip():
        raise AccountError("Vul de naam in.")
    check_password_rules(password)
    _check_role(role, team or None, teams)
    if session.scalar(select(WebUser.user_id).where(WebUser.username == name)) is not None:
        raise AccountError(f"De gebruikersnaam {name!r} bestaat al.")
    at = _now()
    row = WebUser(
        username=name,
        full_name=full_name.strip(),
        password_hash=_hasher.hash(password),
        role=role,
        team=team or None,
        active=True,
        created_at=at,
        created_by=actor,
        password_changed_at=at,
    )
    session.add(row)
    session.flush()
    audit(session, actor, "create_user", "web_user", name, {"role": role, "team": team})
    return _user(row)


def update_user(
    session: Session,
    user_id: int,
    role: str,
    team: str | None,
    active: bool,
    actor: str,
    teams: set[str] | None = None,
) -> User:
    """Change a user's role, team or whether they may sign in; ends their sessions on a change."""
    row = session.get(WebUser, user_id)
    if row is None:
        raise AccountError("Deze gebruiker bestaat niet.")
    _check_role(role, team or None, teams)
    changed = (row.role, row.team, row.active) != (role, team or None, active)
    row.role, row.team, row.active = role, team or None, active
    if changed:
        end_sessions(session, user_id)
        audit(
            session,
            actor,
            "update_user",
            "web_user",
            row.username,
            {"role": role, "team": team, "active": active},
        )
    return _user(row)


def set_password(session: Session, user_id: int, password: str, actor: str) -> None:
    """A new password; every session of the user ends (sign in again)."""
    check_password_rules(password)
    row = session.get(WebUser, user_id)
    if row is None:
        raise AccountError("Deze gebruiker bestaat niet.")
    row.password_hash = _hasher.hash(password)
    row.password_changed_at = _now()
    end_sessions(session, user_id)
    audit(session, actor, "set_password", "web_user", row.username)


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this name and password, else None (same cost either way)."""
    row = session.scalar(select(WebUser).where(WebUser.username == username.strip().lower()))
    if row is None or not row.active:
        with contextlib.suppress(VerificationError):
            _hasher.verify(_DUMMY_HASH, password)
        return None
    try:
        _hasher.verify(row.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(row.password_hash):
        row.password_hash = _hasher.hash(password)
    return _user(row)


def get_user(session: Session, user_id: int) -> User | None:
    row = session.get(WebUser, user_id)
    return _user(row) if row is not None else None


def list_users(session: Session) -> list[User]:
    return [_user(row) for row in session.scalars(select(WebUser).order_by(WebUser.username))]


def count_admins(session: Session) -> int:
    query = select(func.count()).where(WebUser.role == "beheerder", WebUser.active.is_(True))
    return int(session.scalar(query) or 0)


# --- sessions ----------------------------------------------------------------------------------


def start_session(session: Session, user_id: int) -> str:
    """A new session id for the user (always new: a session is rotated at every sign-in)."""
    session_id = secrets.token_urlsafe(32)
    at = _now()
    session.add(
        WebSession(session_hash=digest(session_id), user_id=user_id, created_at=at, last_seen_at=at)
    )
    return session_id


def session_user(
    session: Session, session_id: str, idle: dt.timedelta, max_age: dt.timedelta
) -> User | None:
    """The user of a live session (touching it), else None; an expired session is removed."""
    row = session.get(WebSession, digest(session_id))
    if row is None:
        return None
    at = _now()
    if at - _aware(row.last_seen_at) > idle or at - _aware(row.created_at) > max_age:
        session.delete(row)
        return None
    user = session.get(WebUser, row.user_id)
    if user is None or not user.active:
        session.delete(row)
        return None
    row.last_seen_at = at
    return _user(user)


def prune_sessions(session: Session, idle: dt.timedelta, max_age: dt.timedelta) -> int:
    """Remove the sessions that can no longer be used (idle or too old)."""
    at = _now()
    result = session.execute(
        delete(WebSession).where(
            (WebSession.last_seen_at < at - idle) | (WebSession.created_at < at - max_age)
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def end_session(session: Session, session_id: str) -> None:
    session.execute(delete(WebSession).where(WebSession.session_hash == digest(session_id)))


def end_sessions(session: Session, user_id: int) -> None:
    session.execute(delete(WebSession).where(WebSession.user_id == user_id))


# --- API tokens --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TokenInfo:
    token_id: int
    username: str
    name: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked: bool


def issue_token(session: Session, user_id: int, name: str, actor: str) -> str:
    """A new bearer token for the user; it is shown once, only its hash is kept. Audited."""
    user = session.get(WebUser, user_id)
    if user is None:
        raise AccountError("Deze gebruiker bestaat niet.")
    if not name.strip():
        raise AccountError("Geef het token een naam (waarvoor het is).")
    token = "vs_" + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            user_id=user_id,
            name=name.strip()[:200],
            token_hash=digest(token),
            created_at=_now(),
            created_by=actor,
        )
    )
    audit(session, actor, "issue_token", "web_user", user.username, {"name": name.strip()})
    return token


def revoke_token(session: Session, token_id: int, actor: str) -> None:
    token = session.get(ApiToken, token_id)
    if token is None or token.revoked_at is not None:
        raise AccountError("Dit token bestaat niet of is al ingetrokken.")
    token.revoked_at = _now()
    audit(session, actor, "revoke_token", "api_token", str(token_id))


def token_user(session: Session, token: str) -> User | None:
    """The active user of a live token, else None."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(token)))
    if row is None or row.revoked_at is not None:
        return None
    user = session.get(WebUser, row.user_id)
    if user is None or not user.active:
        return None
    row.last_used_at = _now()
    return _user(user)


def list_tokens(session: Session) -> list[TokenInfo]:
    query = (
        select(ApiToken, WebUser.username)
        .join(WebUser, WebUser.user_id == ApiToken.user_id)
        .order_by(ApiToken.token_id)
    )
    return [
        TokenInfo(
            t.token_id, username, t.name, t.created_at, t.last_used_at, t.revoked_at is not None
        )
        for t, username in session.execute(query).all()
    ]


# --- login rate limit --------------------------------------------------------------------------


def recent_failures(
    session: Session, username: str, client_hash: str, window: dt.timedelta
) -> tuple[int, int]:
    """Failed sign-ins within ``window``: (for this account name since its last success, from
    this client)."""
    name = username.strip().lower()
    since = _now() - window
    last_success = session.scalar(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.username == name, LoginAttempt.succeeded.is_(True)
        )
    )
    name_since = max(since, _aware(last_success)) if last_success is not None else since
    failed = select(func.count()).where(LoginAttempt.succeeded.is_(False))
    by_name = session.scalar(
        failed.where(LoginAttempt.username == name, LoginAttempt.at > name_since)
    )
    by_client = session.scalar(
        failed.where(LoginAttempt.client_hash == client_hash, LoginAttempt.at >= since)
    )
    return int(by_name or 0), int(by_client or 0)


def record_login_attempt(
    session: Session, username: str, client_hash: str, succeeded: bool
) -> None:
    session.add(
        LoginAttempt(
            username=username.strip().lower()[:100],
            client_hash=client_hash,
            at=_now(),
            succeeded=succeeded,
        )
    )


def prune_login_attempts(session: Session, before: dt.datetime) -> int:
    result = session.execute(delete(LoginAttempt).where(LoginAttempt.at < before))
    return int(result.rowcount)  # type: ignore[attr-defined]
