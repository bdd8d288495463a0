"""The service's own settings: environment, database, tokens, sign-in limits, booster defaults
and hardening. The other groups (config_operations, config_worker, config_push) extend it and
`app.core.config.Settings` joins them."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.exc import ArgumentError

REPO_ROOT = Path(__file__).resolve().parents[2]
VAR_DIR = REPO_ROOT / "var"


class CoreSettings(BaseSettings):
    """The settings every group reads (`env` first of all)."""

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
