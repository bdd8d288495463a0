"""Operations settings (issue 20): secrets from files, /metrics access, production checks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Self

from pydantic import Field, IPvAnyNetwork, field_validator, model_validator
from pydantic_settings import NoDecode

from app.core.config_base import CoreSettings

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


class OperationsSettings(CoreSettings):
    """Secret files and /metrics access, and the checks a production deployment must pass."""

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
            data = {**data, name: read_secret_file(Path(file), f"{variable}_FILE")}
        return data

    @field_validator("metrics_networks", mode="before")
    @classmethod
    def _split_networks(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @model_validator(mode="after")
    def _production_rules(self) -> Self:
        if self.metrics_token is not None and is_weak(self.metrics_token):
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


def is_weak(key: str) -> bool:
    """Shorter than MIN_SECRET_LENGTH, a well-known word, or fewer than 10 distinct characters."""
    return len(key) < MIN_SECRET_LENGTH or key.lower() in _WEAK_SECRETS or len(set(key)) < 10


def read_secret_file(path: Path, variable: str) -> str:
    """The stripped text of a secret file, or a ValueError naming `variable` and the path."""
    try:
        value = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise ValueError(f"{variable}: cannot read {path}: {reason}") from exc
    if not value:
        raise ValueError(f"{variable}: {path} is empty")
    return value
