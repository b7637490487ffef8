"""One settings object for the whole application, read from ``VS_``-prefixed environment variables.

The defaults run the embedded setup (SQLite under ``var/``, the sample municipality's inbox);
production sets ``VS_DATABASE_URL`` to PostgreSQL and real keys.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = PROJECT_ROOT / "config"

#: The key shipped for the demo; the software refuses it outside demo mode.
DEMO_PSEUDONYM_KEY = "demo-only-not-secret-pseudonym-key"
#: A valid Fernet key for the demo vault; refused outside demo mode like the pseudonym key.
DEMO_VAULT_KEY = "ZGVtby1vbmx5LW5vdC1zZWNyZXQtdmF1bHQta2V5ISE="
#: The demo's raw-row key (another purpose, another key).
DEMO_RAW_KEY = "ZGVtby1vbmx5LW5vdC1zZWNyZXQtcmF3LXJvdy1rZXk="
#: The demo's web secret (signs CSRF tokens and session cookies); refused outside demo mode.
DEMO_WEB_SECRET = "demo-only-not-secret-web-secret"


class SettingsError(RuntimeError):
    """The configuration is unsafe or incomplete; the message says which variable to set."""


class Settings(BaseSettings):
    """Runtime configuration. Every field can be set as ``VS_<FIELD>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="VS_", env_file=None, extra="ignore")

    data_dir: Path = PROJECT_ROOT / "var"
    database_url: str | None = None
    inbox: Path = PROJECT_ROOT / "data" / "sample" / "inbox"
    reference: Path = PROJECT_ROOT / "data" / "sample" / "reference" / "adressen.csv"
    export_dir: Path | None = None
    partner_catalog: Path = CONFIG_DIR / "partners.yaml"
    triage_policy: Path = CONFIG_DIR / "policies"
    retention_policy: Path = CONFIG_DIR / "retention.yaml"

    pseudonym_key: SecretStr | None = None
    # Comma-separated Fernet keys; the first seals, all open (key rotation).
    vault_key: SecretStr | None = None  # addresses, for outreach
    raw_key: SecretStr | None = None  # raw rows of quarantined records, for the data steward
    demo: bool = False

    municipality_code: str = "0118"
    municipality_name: str = "Gemeente Hoogeveen"
    supplier_code: str = "vroegsignaal"

    # Validation: a delivery whose row count falls by more than this share versus the
    # partner's previous delivery is rejected whole (a truncated export, not a good month).
    max_row_count_drop: float = 0.5
    # Household state: signals from several partners within this window make it "multiple".
    multiple_window_days: int = 183
    # Household state: arrears back at a partner within this long after they were resolved
    # there make the case "opeenvolgend" (recurring).
    recurrence_days: int = 365

    # Published figures (monitor, analyst pages and API): counts below this are shown as
    # "<10", with secondary suppression so that totals do not give them back.
    suppression_threshold: int = 10
    # CBS key figures per wijk (inhabitants, households): the monitor's denominators. Default:
    # wijken.csv beside the address list; absent, figures per 1,000 are not shown.
    wijken: Path | None = None
    # The web application (``vroegsignaal web``).
    web_secret: SecretStr | None = None  # signs session cookies and CSRF tokens
    web_host: str = "127.0.0.1"
    web_port: int = 8000
    # Set true when the app is served over HTTPS (behind a proxy): cookies get ``Secure``.
    web_secure_cookies: bool = False
    web_session_idle_minutes: int = 30  # a session unused this long is ended
    web_session_max_hours: int = 10  # a session ends after this long whatever its use
    # Login rate limit: this many failures per account or per client within the window.
    web_login_max_failures: int = 5
    web_login_window_minutes: int = 15

    # A database that does not answer (a server restarting at night) is retried this many
    # times, waiting database_retry_seconds and doubling, before the run fails plainly.
    database_connect_attempts: int = Field(default=5, ge=1)
    database_retry_seconds: float = Field(default=2.0, ge=0)

    # Scale-out: a Dask scheduler address, or a local cluster with this many workers (0 = off).
    dask_address: str | None = None
    dask_local_workers: int = 0

    @property
    def scaled_out(self) -> bool:
        """True when a Dask cluster is asked for: the triage then runs per partition on it."""
        return bool(self.dask_address) or self.dask_local_workers > 0

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'vroegsignaal.db'}"

    @property
    def resolved_export_dir(self) -> Path:
        return self.export_dir or self.data_dir / "exports"

    @property
    def task_list_dir(self) -> Path:
        """Where the nightly run writes each team's task list, one folder per night."""
        return self.resolved_export_dir / "taken"

    @property
    def quarantine_export_dir(self) -> Path:
        """Where the data steward's quarantine exports go by default (one folder per day)."""
        return self.resolved_export_dir / "quarantaine"

    @property
    def ddas_export_dir(self) -> Path:
        """Where DDAS reports for CBS go by default."""
        return self.resolved_export_dir / "ddas"

    @property
    def monitor_export_dir(self) -> Path:
        """Where ``report monitor`` writes by default."""
        return self.resolved_export_dir / "monitor"

    @property
    def data_docs_dir(self) -> Path:
        return self.data_dir / "data_docs"

    def pseudonym_key_bytes(self) -> bytes:
        """The HMAC key of household and person keys; refuses a missing or demo key."""
        return self._secret(self.pseudonym_key, DEMO_PSEUDONYM_KEY, "VS_PSEUDONYM_KEY").encode()

    def vault_key_bytes(self) -> bytes:
        """The Fernet key(s) of the contact vault; same rules as the pseudonym key."""
        return self._secret(self.vault_key, DEMO_VAULT_KEY, "VS_VAULT_KEY").encode()

    def raw_key_bytes(self) -> bytes:
        """The Fernet key(s) of the raw-row vault; must differ from the contact vault's."""
        raw = self._secret(self.raw_key, DEMO_RAW_KEY, "VS_RAW_KEY").encode()
        contacts = set(self.vault_key_bytes().split(b","))
        if contacts & set(raw.split(b",")):
            raise SettingsError(
                "VS_RAW_KEY and VS_VAULT_KEY share a key; give each purpose its own key"
            )
        return raw

    def web_secret_bytes(self) -> bytes:
        """The web app's signing secret; same rules as the other keys."""
        return self._secret(self.web_secret, DEMO_WEB_SECRET, "VS_WEB_SECRET").encode()

    def _secret(self, value: SecretStr | None, demo_value: str, variable: str) -> str:
        if self.demo:
            return value.get_secret_value() if value else demo_value
        if value is None or not value.get_secret_value():
            raise SettingsError(
                f"{variable} is not set. Set a long random secret (see README, Configuration), "
                "or use 'vroegsignaal demo' for the sample municipality."
            )
        if demo_value in {part.strip() for part in value.get_secret_value().split(",")}:
            raise SettingsError(f"{variable} holds the public demo key; set a secret of your own.")
        return value.get_secret_value()


def get_settings(**overrides: object) -> Settings:
    """Settings from the environment, with explicit overrides (used by the CLI and tests)."""
    return Settings(**overrides)  # type: ignore[arg-type]
