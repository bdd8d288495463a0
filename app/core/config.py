"""Settings read from the environment (prefix MESTRING_), one instance per process.

`Settings` joins the groups, each in a module of its own with its validators: the service's
own (config_base), operations (config_operations), risk alerts and the worker (config_worker),
push senders (config_push)."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from typing import Any

from pydantic import ValidationError, model_validator
from sqlalchemy.exc import ArgumentError

from app.core.config_base import REPO_ROOT, VAR_DIR
from app.core.config_operations import MIN_SECRET_LENGTH, OperationsSettings, is_weak
from app.core.config_push import PushSettings
from app.core.config_worker import CrisisResource, WorkerSettings

__all__ = [
    "REPO_ROOT",
    "VAR_DIR",
    "ConfigError",
    "CrisisResource",
    "Settings",
    "get_settings",
    "load_settings",
]


# The groups' fields come in the order of the bases from last to first (the service's own,
# operations, worker, push), and so do their after-validators, this class's last.
class Settings(PushSettings, WorkerSettings, OperationsSettings):
    """Every knob of the service; see the configuration table in README.md."""

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

    @model_validator(mode="after")
    def _secret_key_rules(self) -> Settings:
        if self.env == "production" and is_weak(self.secret_key):
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
