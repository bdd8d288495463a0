"""Settings read from the environment (prefix MESTRING_), one instance per process."""

from __future__ import annotations

import ipaddress
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    IPvAnyNetwork,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.exc import ArgumentError

REPO_ROOT = Path(__file__).resolve().parents[2]
VAR_DIR = REPO_ROOT / "var"
MIN_SECRET_LENGTH = 32
_WEAK_SECRETS = {"secret", "changeme", "change-me", "dev", "development", "password"}
# Settings that may come from a file named by MESTRING_<NAME>_FILE.
SECRET_FILE_SETTINGS = (
    "secret_key",
    "database_url",
    "redis_url",
    "metrics_token",
    "vapid_private_key",
)


# Where browsers' push services live (Chrome/Edge/Opera: FCM; Firefox: Mozilla autopush;
# Safari: Apple; Windows: WNS).
DEFAULT_WEBPUSH_HOSTS = (
    "fcm.googleapis.com",
    "push.services.mozilla.com",
    "push.apple.com",
    "notify.windows.com",
)


class CrisisResource(BaseModel):
    """A number to call in an acute situation, named in both locales."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
    nb: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    en: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


# Norway: the medical emergency number, the emergency primary-care (legevakt) number, and
# Mental Helse's helpline (open day and night). A deployment elsewhere sets its own.
NORWEGIAN_CRISIS_RESOURCES = (
    CrisisResource(
        number="113",
        nb="Medisinsk nødtelefon - ring ved fare for liv",
        en="Medical emergency - call when a life may be in danger",
    ),
    CrisisResource(
        number="116 117",
        nb="Legevakt",
        en="Emergency primary care (legevakt)",
    ),
    CrisisResource(
        number="116 123",
        nb="Mental Helse Hjelpetelefonen - døgnåpen",
        en="Mental Helse helpline - open day and night",
    ),
)


class Settings(BaseSettings):
    """Every knob of the service; see the configuration table in README.md."""

    # Errors never echo what was given: a rejected secret must not reach a log line.
    model_config = SettingsConfigDict(
        env_prefix="MESTRING_", extra="ignore", hide_input_in_errors=True
    )

    env: Literal["development", "test", "production"] = "development"
    database_url: str = Field(default=f"sqlite:///{VAR_DIR / 'mestring.db'}", repr=False)
    secret_key: str = Field(default="", repr=False)
    access_token_minutes: int = Field(default=15, ge=1, le=15)
    refresh_token_days: int = Field(default=30, ge=1, le=365)
    refresh_grace_seconds: int = Field(default=30, ge=0, le=300)
    jwt_issuer: str = "mestring"
    jwt_audience: str = "mestring-api"
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    redis_url: str | None = Field(default=None, repr=False)
    argon2_memory_kib: int = Field(default=65536, ge=1024)
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_parallelism: int = Field(default=4, ge=1)
    # Hashes a worker computes at once: each holds argon2_memory_kib of memory while it runs,
    # so a burst of logins waits here instead of multiplying a worker's memory (issue 12).
    argon2_concurrency: int = Field(default=2, ge=1, le=64)
    invitation_days: int = Field(default=14, ge=1, le=90)
    login_failures_per_account: int = Field(default=5, ge=1)
    login_failures_per_address: int = Field(default=30, ge=1)
    login_window_seconds: int = Field(default=900, ge=1)
    registrations_per_address: int = Field(default=10, ge=1)
    registration_window_seconds: int = Field(default=3600, ge=1)
    require_mfa: bool = False
    db_pool_size: int = Field(default=10, ge=1)
    log_level: str = "INFO"
    docs_in_production: bool = False
    # Defaults of the booster rule (DESIGN.md rule 5); a therapist may override them per patient.
    booster_window_days: int = Field(default=7, ge=1, le=90)
    booster_min_checkins: int = Field(default=3, ge=1, le=90)
    booster_low_threshold: float = Field(default=3.7, ge=1, le=6)
    booster_drop_threshold: float = Field(default=0.8, gt=0, le=5)
    booster_cooldown_days: int = Field(default=14, ge=0, le=365)
    booster_enabled: bool = True
    migrations_dir: Path = REPO_ROOT / "migrations"
    # Hardening (issue 11): client addresses behind proxies, back-off, sessions, headers, pool.
    forwarded_allow_ips: Annotated[list[str], NoDecode] = Field(default_factory=list)
    login_backoff_seconds: int = Field(default=30, ge=1, le=3600)
    login_backoff_max_seconds: int = Field(default=900, ge=1, le=86400)
    session_max_days: int = Field(default=30, ge=1, le=365)
    hsts_seconds: int | None = Field(default=None, ge=0)
    db_pool_timeout_seconds: float = Field(default=10, gt=0, le=300)
    db_retry_after_seconds: int = Field(default=5, ge=1, le=300)
    # Issue 16: the deployment's own URL, under which the FHIR export's canonical URLs (its
    # questionnaires, code systems and profiles) live; never taken from a request's Host.
    public_base_url: str = Field(default="http://127.0.0.1:8000", pattern=r"^https?://[^\s/]+")

    # --- Operations (issue 20): secrets from files, /metrics access, production checks. ---
    # MESTRING_<NAME>_FILE names a file holding the value of a secret setting (Docker and
    # Kubernetes secrets are mounted as files); setting both the value and the file is an error.
    secret_key_file: Path | None = Field(default=None, exclude=True)
    database_url_file: Path | None = Field(default=None, exclude=True)
    redis_url_file: Path | None = Field(default=None, exclude=True)
    metrics_token_file: Path | None = Field(default=None, exclude=True)
    # /metrics answers a request carrying `Authorization: Bearer <metrics_token>`, or one made
    # directly (no forwarding header) from an address in metrics_networks; nobody by default.
    metrics_token: str | None = Field(default=None, repr=False)
    metrics_networks: Annotated[list[IPvAnyNetwork], NoDecode] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _secrets_from_files(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        for name in SECRET_FILE_SETTINGS:
            file = data.get(f"{name}_file")
            if not file:
                continue
            variable = f"MESTRING_{name.upper()}"
            if data.get(name):
                raise ValueError(f"set {variable} or {variable}_FILE, not both")
            data = {**data, name: _read_secret_file(Path(file), f"{variable}_FILE")}
        return data

    @field_validator("metrics_networks", mode="before")
    @classmethod
    def _split_networks(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url_parses(cls, value: str) -> str:
        from app.core.db import async_url

        try:
            async_url(value)
        except (ArgumentError, ValueError) as exc:
            raise ValueError(
                "MESTRING_DATABASE_URL is not a database URL this service can use (expected "
                "postgresql://user:password@host/db or sqlite:///path)"
            ) from exc
        return value

    @model_validator(mode="after")
    def _production_rules(self) -> Settings:
        if self.metrics_token is not None and _is_weak(self.metrics_token):
            raise ValueError(
                f"MESTRING_METRICS_TOKEN must be a random string of at least {MIN_SECRET_LENGTH} "
                "characters"
            )
        if self.env == "production" and "database_url" not in self.model_fields_set:
            raise ValueError(
                "MESTRING_DATABASE_URL (or MESTRING_DATABASE_URL_FILE) must be set when "
                "MESTRING_ENV=production"
            )
        return self

    def secret_values(self) -> list[str]:
        """Every configured secret, and the passwords inside URLs, for redacting messages."""
        from sqlalchemy.engine import make_url

        values = [self.secret_key, self.metrics_token or "", self.vapid_private_key or ""]
        for url in (self.database_url, self.redis_url or ""):
            values.append(url)
            try:
                values.append(make_url(url).password or "")
            except (ArgumentError, ValueError):
                continue
        return [value for value in values if value]

    # --- end of the operations block ---

    # --- Risk alerts (issue 15): hours until an unacknowledged PHQ-9 item-9 alert is overdue
    # and reaches the on-call therapists; the numbers the patient is shown at once (JSON list).
    risk_ack_hours: int = Field(default=24, ge=1, le=168)
    # The reminder worker (issue 17): on PostgreSQL `mestring worker` (procrastinate); on SQLite
    # an in-process loop started with the app, unless switched off (None: on for SQLite outside
    # tests).
    inprocess_worker: bool | None = None
    worker_tick_seconds: int = Field(default=60, ge=1, le=600)
    worker_stalled_seconds: int = Field(default=60, ge=2, le=3600)
    worker_concurrency: int = Field(default=4, ge=1, le=50)
    # Finished queue jobs (succeeded, failed, cancelled, aborted) are deleted after this many
    # hours by the worker's hourly `prune_jobs`; the outbox rows keep what was sent.
    worker_job_retention_hours: int = Field(default=168, ge=1, le=24 * 365)
    crisis_resources: Annotated[list[CrisisResource], Field(min_length=1, max_length=10)] = Field(
        default_factory=lambda: list(NORWEGIAN_CRISIS_RESOURCES)
    )

    # --- Push senders (issue 17, app/devices): Web Push with VAPID, FCM HTTP v1 (optional). ---
    # The VAPID private key: base64url of the raw 32-byte P-256 scalar (`mestring vapid-keys`)
    # or of its DER; the public key (the app's applicationServerKey) is derived from it.
    # Web Push is off until both the key and the subject (mailto: or https: URL) are set.
    vapid_private_key: str | None = Field(default=None, repr=False)
    vapid_private_key_file: Path | None = Field(default=None, exclude=True)
    vapid_subject: str | None = None
    # Hosts a subscription endpoint may name (a host or a parent domain): the server POSTs to
    # the endpoint, so an arbitrary URL from a client would let it reach anything (SSRF).
    webpush_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: list(DEFAULT_WEBPUSH_HOSTS)
    )
    # Plain-http endpoints (a local test receiver); never in production.
    webpush_allow_http: bool = False
    # FCM HTTP v1 is on when a service-account key file (JSON, from the Firebase console) is set.
    fcm_credentials_file: Path | None = None
    fcm_project_id: str | None = None  # default: the key file's project_id
    fcm_send_url: str = "https://fcm.googleapis.com/v1/projects/{project}/messages:send"
    fcm_token_url: str | None = None  # default: the key file's token_uri
    push_timeout_seconds: float = Field(default=10, gt=0, le=60)

    @field_validator("webpush_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip().startswith("["):
            return [item.strip().lower() for item in value.split(",") if item.strip()]
        return value

    @model_validator(mode="after")
    def _push_rules(self) -> Settings:
        if self.env == "production" and self.webpush_allow_http:
            raise ValueError("MESTRING_WEBPUSH_ALLOW_HTTP must not be set in production")
        if self.vapid_private_key:
            from app.devices.vapid import public_key_of

            try:
                public_key_of(self.vapid_private_key)
            except ValueError:
                raise ValueError(
                    "MESTRING_VAPID_PRIVATE_KEY is not a P-256 private key (base64url of the raw "
                    "32 bytes or of DER; `mestring vapid-keys` makes one)"
                ) from None
            if not self.vapid_subject or not self.vapid_subject.startswith(("mailto:", "https://")):
                raise ValueError(
                    "MESTRING_VAPID_SUBJECT must be a mailto: or https: URL when "
                    "MESTRING_VAPID_PRIVATE_KEY is set"
                )
        if self.fcm_credentials_file is not None:
            from app.devices.fcm_account import ServiceAccount

            account = ServiceAccount.from_file(self.fcm_credentials_file)  # ValueError: unusable
            if not (self.fcm_project_id or account.project_id):
                raise ValueError(
                    "MESTRING_FCM_PROJECT_ID must be set: the key file names no project_id"
                )
        return self

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip().startswith("["):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("forwarded_allow_ips", mode="before")
    @classmethod
    def _split_proxies(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip().startswith("["):
            value = [item.strip() for item in value.split(",") if item.strip()]
        if isinstance(value, list):
            for item in value:
                ipaddress.ip_network(str(item), strict=False)  # a ValueError names the bad one
        return value

    def trusted_proxies(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        """The proxies whose X-Forwarded-For is believed (MESTRING_FORWARDED_ALLOW_IPS)."""
        return tuple(ipaddress.ip_network(item, strict=False) for item in self.forwarded_allow_ips)

    def hsts_max_age(self) -> int:
        """Strict-Transport-Security max-age: the setting, else a year in production, else off."""
        if self.hsts_seconds is not None:
            return self.hsts_seconds
        return 31_536_000 if self.env == "production" else 0

    @model_validator(mode="after")
    def _secret_key_rules(self) -> Settings:
        if self.env == "production" and _is_weak(self.secret_key):
            raise ValueError(
                "MESTRING_SECRET_KEY must be set to a random string of at least "
                f"{MIN_SECRET_LENGTH} characters when MESTRING_ENV=production"
            )
        return self

    def resolved_secret_key(self) -> str:
        """The signing key; outside production a missing one is generated once under ./var/."""
        if self.secret_key:
            return self.secret_key
        key_file = VAR_DIR / "secret_key"
        if key_file.exists():
            return key_file.read_text().strip()
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        candidate = VAR_DIR / f"secret_key.{os.getpid()}"
        candidate.write_text(secrets.token_urlsafe(48))
        candidate.chmod(0o600)
        try:
            # Atomic: of several workers starting at once, the first link wins for all.
            os.link(candidate, key_file)
        except FileExistsError:
            pass
        finally:
            candidate.unlink()
        return key_file.read_text().strip()


def _is_weak(key: str) -> bool:
    return len(key) < MIN_SECRET_LENGTH or key.lower() in _WEAK_SECRETS or len(set(key)) < 10


def _read_secret_file(path: Path, variable: str) -> str:
    try:
        value = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise ValueError(f"{variable}: cannot read {path}: {reason}") from exc
    if not value:
        raise ValueError(f"{variable}: {path} is empty")
    return value


class ConfigError(Exception):
    """The settings cannot be used; the message names variables, never their values."""


def load_settings(**values: Any) -> Settings:
    """Settings from the environment (and `values`), or a ConfigError with a one-line reason."""
    try:
        return Settings(**values)
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from None


def _describe(exc: ValidationError) -> str:
    reasons = []
    for error in exc.errors(include_input=False, include_url=False):
        message = str(error["msg"]).removeprefix("Value error, ")
        field = ".".join(str(part) for part in error["loc"][:1])
        where = f"MESTRING_{field.upper()}: " if field and "MESTRING_" not in message else ""
        if f"{where}{message}" not in reasons:
            reasons.append(f"{where}{message}")
    return "; ".join(reasons)


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (tests build their own Settings and pass them in)."""
    return load_settings()
