"""Settings read from the environment (prefix MESTRING_), one instance per process."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]
VAR_DIR = REPO_ROOT / "var"
MIN_SECRET_LENGTH = 32
_WEAK_SECRETS = {"secret", "changeme", "change-me", "dev", "development", "password"}


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

    model_config = SettingsConfigDict(env_prefix="MESTRING_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    database_url: str = f"sqlite:///{VAR_DIR / 'mestring.db'}"
    secret_key: str = ""
    access_token_minutes: int = Field(default=15, ge=1, le=15)
    refresh_token_days: int = Field(default=30, ge=1, le=365)
    refresh_grace_seconds: int = Field(default=30, ge=0, le=300)
    jwt_issuer: str = "mestring"
    jwt_audience: str = "mestring-api"
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    redis_url: str | None = None
    argon2_memory_kib: int = Field(default=65536, ge=1024)
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_parallelism: int = Field(default=4, ge=1)
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
    # Risk alerts (PHQ-9 item 9): hours until an unacknowledged alert is overdue and reaches the
    # on-call therapists; the numbers the patient is shown at once (a JSON list).
    risk_ack_hours: int = Field(default=24, ge=1, le=168)
    crisis_resources: Annotated[list[CrisisResource], Field(min_length=1, max_length=10)] = Field(
        default_factory=lambda: list(NORWEGIAN_CRISIS_RESOURCES)
    )

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip().startswith("["):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

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


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (tests build their own Settings and pass them in)."""
    return Settings()
