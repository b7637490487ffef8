"""Runtime resources of a flow run, built once per process from the settings.

Tasks receive the (picklable) settings and look their resources up here, so the same task
runs in-process or on a Dask worker.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from connectors.catalog import Catalog, load_catalog
from connectors.database.engine import make_engine, wait_for_database
from connectors.database.migrate import upgrade
from connectors.policy import load_policy_book
from connectors.reference import read_reference
from connectors.settings import Settings
from connectors.vault import ContactVault
from signals.triage.policy import PolicyBook, TriagePolicy


@dataclass(frozen=True)
class Resources:
    settings: Settings
    engine: Engine
    catalog: Catalog
    policy_book: PolicyBook
    vault: ContactVault  # addresses (outreach)
    raw_vault: ContactVault  # raw rows of quarantined records (data steward)
    pseudonym_key: bytes

    @property
    def policy(self) -> TriagePolicy:
        """The newest policy version (for what is not tied to a night)."""
        return self.policy_book.latest()


@lru_cache(maxsize=8)
def _resources(settings_json: str) -> Resources:
    settings = Settings.model_validate_json(settings_json)
    # Refuse missing or demo keys before anything touches the database.
    pseudonym_key = settings.pseudonym_key_bytes()
    vault = ContactVault(settings.vault_key_bytes())
    raw_vault = ContactVault(settings.raw_key_bytes())
    url = settings.resolved_database_url
    wait_for_database(url, settings.database_connect_attempts, settings.database_retry_seconds)
    upgrade(url)
    return Resources(
        settings=settings,
        engine=make_engine(url),
        catalog=load_catalog(settings.partner_catalog),
        policy_book=load_policy_book(settings.triage_policy),
        vault=vault,
        raw_vault=raw_vault,
        pseudonym_key=pseudonym_key,
    )


def resources(settings: Settings) -> Resources:
    """The resources for ``settings`` (cached per process)."""
    return _resources(_settings_json(settings))


def _settings_json(settings: Settings) -> str:
    # Secrets must survive the round trip (SecretStr dumps masked), and the cache key must be
    # stable, hence sorted JSON of the plain values.
    data = settings.model_dump(mode="json")
    for name in ("pseudonym_key", "vault_key", "raw_key"):
        secret = getattr(settings, name)
        data[name] = secret.get_secret_value() if secret is not None else None
    return json.dumps(data, sort_keys=True)


@lru_cache(maxsize=8)
def reference_addresses(path: str) -> pd.DataFrame:
    """The municipality's address list (normalised), read once per process."""
    return read_reference(Path(path))
