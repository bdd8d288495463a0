"""A Google service-account key file (JSON, from the Firebase console), read and checked."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


class FcmConfigError(ValueError):
    """The service-account key file cannot be used; the message names the file, not its values."""


@dataclass(frozen=True, slots=True)
class ServiceAccount:
    client_email: str
    private_key: str = field(repr=False)  # PEM; never in a repr, a log line or an error
    private_key_id: str | None = None
    project_id: str | None = None
    token_uri: str | None = None

    @classmethod
    def from_file(cls, path: Path) -> ServiceAccount:
        try:
            data: Any = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise FcmConfigError(f"MESTRING_FCM_CREDENTIALS_FILE: cannot read {path}") from exc
        if not isinstance(data, dict) or not all(
            isinstance(data.get(k), str) for k in ("client_email", "private_key")
        ):
            raise FcmConfigError(
                f"MESTRING_FCM_CREDENTIALS_FILE: {path} is not a service-account key "
                "(client_email and private_key are needed)"
            )
        try:
            key = serialization.load_pem_private_key(data["private_key"].encode(), password=None)
        except (TypeError, ValueError) as exc:
            raise FcmConfigError(
                f"MESTRING_FCM_CREDENTIALS_FILE: the private_key in {path} is not a PEM key"
            ) from exc
        if not isinstance(key, rsa.RSAPrivateKey):
            raise FcmConfigError(
                f"MESTRING_FCM_CREDENTIALS_FILE: the private_key in {path} is not an RSA key"
            )
        return cls(
            client_email=data["client_email"],
            private_key=data["private_key"],
            private_key_id=data.get("private_key_id"),
            project_id=data.get("project_id"),
            token_uri=data.get("token_uri"),
        )
