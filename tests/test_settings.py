"""One settings object from VS_ variables; keys are refused when missing or public."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.settings import (
    DEMO_PSEUDONYM_KEY,
    DEMO_VAULT_KEY,
    Settings,
    SettingsError,
)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("VS_DEMO", "VS_PSEUDONYM_KEY", "VS_VAULT_KEY", "VS_DATABASE_URL", "VS_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)


def test_outside_the_demo_a_missing_key_is_refused_with_the_variable_to_set() -> None:
    with pytest.raises(SettingsError, match="VS_PSEUDONYM_KEY is not set"):
        Settings().pseudonym_key_bytes()
    with pytest.raises(SettingsError, match="VS_VAULT_KEY is not set"):
        Settings().vault_key_bytes()


def test_outside_the_demo_the_public_demo_keys_are_refused(monkeypatch) -> None:
    monkeypatch.setenv("VS_PSEUDONYM_KEY", DEMO_PSEUDONYM_KEY)
    monkeypatch.setenv("VS_VAULT_KEY", DEMO_VAULT_KEY)
    with pytest.raises(SettingsError, match="public demo key"):
        Settings().pseudonym_key_bytes()
    with pytest.raises(SettingsError, match="public demo key"):
        Settings().vault_key_bytes()


def test_own_keys_are_used_and_never_shown(monkeypatch) -> None:
    monkeypatch.setenv("VS_PSEUDONYM_KEY", "a-long-municipal-secret")
    settings = Settings()
    assert settings.pseudonym_key_bytes() == b"a-long-municipal-secret"
    assert "a-long-municipal-secret" not in repr(settings)


def test_the_demo_runs_on_the_public_keys(monkeypatch) -> None:
    monkeypatch.setenv("VS_DEMO", "true")
    settings = Settings()
    assert settings.pseudonym_key_bytes() == DEMO_PSEUDONYM_KEY.encode()
    assert settings.vault_key_bytes() == DEMO_VAULT_KEY.encode()


def test_the_database_is_embedded_sqlite_unless_a_url_is_given(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("VS_DATA_DIR", str(tmp_path))
    assert Settings().resolved_database_url == f"sqlite:///{tmp_path / 'vroegsignaal.db'}"
    url = "postgresql+psycopg://vs:secret@db.example/vroegsignaal"
    monkeypatch.setenv("VS_DATABASE_URL", url)
    assert Settings().resolved_database_url == url


def test_scale_out_is_asked_for_by_an_address_or_local_workers(monkeypatch) -> None:
    assert not Settings().scaled_out
    assert Settings(dask_local_workers=2).scaled_out
    assert Settings(dask_address="tcp://127.0.0.1:8786").scaled_out
    assert isinstance(Settings().task_list_dir, Path)
