"""Accounts: Argon2 hashes, hashed tokens and sessions, role rules, and the CLI that makes the
first administrator."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from cli.main import app
from connectors.database.engine import make_engine, session_scope
from connectors.database.migrate import upgrade
from connectors.database.models import ApiToken, WebSession, WebUser
from connectors.database.users import (
    AccountError,
    authenticate,
    create_user,
    issue_token,
    session_user,
    start_session,
    token_user,
    update_user,
)
from connectors.settings import SettingsError, get_settings

PASSWORD = "een-lang-wachtwoord-1"
HOUR = dt.timedelta(hours=1)


@pytest.fixture
def engine(tmp_path: Path):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'accounts.db'}"
    upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


def test_passwords_are_argon2id_and_secrets_are_stored_as_hashes(engine) -> None:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        user = create_user(session, "Anna", "Anna", PASSWORD, "analist", None, actor="test")
        sid = start_session(session, user.user_id)
        token = issue_token(session, user.user_id, "systeem", actor="test")
    with session_scope(engine) as session:
        stored = session.scalar(select(WebUser.password_hash))
        assert stored is not None and stored.startswith("$argon2id$") and PASSWORD not in stored
        assert sid not in set(session.scalars(select(WebSession.session_hash)))
        assert token not in set(session.scalars(select(ApiToken.token_hash)))
        assert authenticate(session, "ANNA ", PASSWORD) is not None  # names in any case
        assert authenticate(session, "anna", "fout-wachtwoord-12") is None
        assert authenticate(session, "niemand", PASSWORD) is None
        assert token_user(session, token) is not None and token_user(session, "vs_x") is None
        assert session_user(session, sid, HOUR, HOUR) is not None


def test_role_rules_and_changes_end_sessions(engine) -> None:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        with pytest.raises(AccountError, match="hoort bij een team"):
            create_user(session, "a", "A", PASSWORD, "medewerker", None, "test")
        with pytest.raises(AccountError, match="hoort niet bij een team"):
            create_user(session, "b", "B", PASSWORD, "beheerder", "Nazorg", "test")
        with pytest.raises(AccountError, match="12 tekens"):
            create_user(session, "c", "C", "kort", "analist", None, "test")
        with pytest.raises(AccountError, match="Onbekend team"):
            create_user(session, "d", "D", PASSWORD, "medewerker", "Geen", "test", {"Nazorg"})
        user = create_user(session, "e", "E", PASSWORD, "medewerker", "Nazorg", "test")
        sid = start_session(session, user.user_id)
    with session_scope(engine) as session:
        update_user(session, user.user_id, "teamleider", "Nazorg", True, "test")
    with session_scope(engine) as session:
        assert session_user(session, sid, HOUR, HOUR) is None  # sign in again with the new role
    with session_scope(engine) as session, pytest.raises(AccountError, match="bestaat al"):
        create_user(session, "E", "E", PASSWORD, "analist", None, "test")


def test_web_secret_is_required_outside_the_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VS_WEB_SECRET", raising=False)
    with pytest.raises(SettingsError, match="VS_WEB_SECRET"):
        get_settings(demo=False).web_secret_bytes()
    with pytest.raises(SettingsError, match="demo key"):
        get_settings(demo=False, web_secret="demo-only-not-secret-web-secret").web_secret_bytes()
    assert get_settings(demo=False, web_secret="x" * 40).web_secret_bytes() == b"x" * 40


def test_the_first_administrator_is_made_on_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.resources import _resources

    monkeypatch.setenv("VS_DEMO", "true")
    monkeypatch.setenv("VS_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("VS_DATABASE_URL", raising=False)
    _resources.cache_clear()
    runner = CliRunner()
    made = runner.invoke(
        app, ["users", "create-admin", "--username", "beheer", "--name", "Bea Heer",
              "--password", PASSWORD],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    assert "Gebruiker beheer (beheerder)" in made.output
    twice = runner.invoke(
        app,
        ["users", "create-admin", "--username", "beheer", "--name", "B", "--password", PASSWORD],
    )
    assert twice.exit_code == 1 and "bestaat al" in twice.output
    worker = runner.invoke(
        app, ["users", "create", "--username", "anna", "--name", "Anna", "--role", "medewerker",
              "--team", "loket geldzaken", "--password", PASSWORD],
    )  # fmt: skip
    assert worker.exit_code == 0 and "Loket Geldzaken" in worker.output
    token = runner.invoke(app, ["users", "token", "--username", "anna", "--name", "systeem"])
    assert token.exit_code == 0 and token.output.strip().startswith("vs_")
    listed = runner.invoke(app, ["users", "list"])
    assert "beheer" in listed.output and "anna" in listed.output
    _resources.cache_clear()
