"""Push-sender settings (issue 17, app/devices): Web Push with VAPID, FCM HTTP v1 (optional)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Self

from pydantic import Field, field_validator, model_validator
from pydantic_settings import NoDecode

from app.core.config_base import CoreSettings

# Where browsers' push services live (Chrome/Edge/Opera: FCM; Firefox: Mozilla autopush;
# Safari: Apple; Windows: WNS).
DEFAULT_WEBPUSH_HOSTS = (
    "fcm.googleapis.com",
    "push.services.mozilla.com",
    "push.apple.com",
    "notify.windows.com",
)


class PushSettings(CoreSettings):
    """The VAPID key and subject, the hosts a subscription may name, and the FCM account."""

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
    def _push_rules(self) -> Self:
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
