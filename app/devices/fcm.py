"""The FCM HTTP v1 sender (Android and iOS apps), over httpx, with a service-account key.

OAuth 2.0 for service accounts (RFC 7523 JWT bearer grant): a JWT signed RS256 with the key's
private key, `iss` the account's email, `scope` firebase.messaging, `aud` the token URL, is
exchanged at the token URL for an access token, kept until five minutes before it expires.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import httpx
import jwt

from app.core.config import Settings
from app.devices.fcm_account import FcmConfigError, ServiceAccount
from app.devices.outcome import delivery_for_status, topic_for
from app.push.message import Delivery, PushMessage

log = logging.getLogger("mestring.push")
SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
DEFAULT_TOKEN_URL = "https://oauth2.googleapis.com/token"  # noqa: S105  (a URL)
GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ASSERTION_SECONDS = 3600
REFRESH_MARGIN_SECONDS = 300


# Access tokens by (account, token URL): a process asks once an hour, not once per push.
_tokens: dict[tuple[str, str], tuple[str, float]] = {}


def android_ttl(seconds: int) -> str:
    """FCM's Duration format for `android.ttl`."""
    return f"{seconds}s"


def fcm_message(token: str, message: PushMessage, *, now: float) -> dict[str, Any]:
    """The v1 `messages:send` body: the notification (generic text), `data` for the app's
    handler, and the same collapse and expiry rules for Android and APNs."""
    collapse = topic_for(message.tag)
    data = {"tag": message.tag, **({"path": message.path} if message.path else {})}
    return {
        "message": {
            "token": token,
            "notification": {"title": message.title, "body": message.body},
            "data": data,
            "android": {
                "ttl": android_ttl(message.ttl_seconds),
                "collapse_key": collapse,
                "priority": "normal",
                "notification": {"tag": message.tag},
            },
            "apns": {
                "headers": {
                    "apns-expiration": str(int(now) + message.ttl_seconds),
                    "apns-collapse-id": collapse,
                    "apns-priority": "5",
                }
            },
        }
    }


class FcmSender:
    """Sends to FCM registration tokens; built only when a service-account key is configured."""

    def __init__(
        self,
        account: ServiceAccount,
        *,
        project: str,
        send_url: str,
        token_url: str,
        timeout: float,
    ) -> None:
        self._account = account
        self._send_url = send_url.format(project=project)
        self._token_url = token_url
        self._timeout = timeout

    @classmethod
    def from_settings(cls, settings: Settings) -> FcmSender | None:
        """The sender, or None when FCM is not configured."""
        if settings.fcm_credentials_file is None:
            return None
        account = ServiceAccount.from_file(settings.fcm_credentials_file)
        project = settings.fcm_project_id or account.project_id
        if not project:
            raise FcmConfigError(
                "MESTRING_FCM_PROJECT_ID is needed: the key file names no project_id"
            )
        return cls(
            account,
            project=project,
            send_url=settings.fcm_send_url,
            token_url=settings.fcm_token_url or account.token_uri or DEFAULT_TOKEN_URL,
            timeout=settings.push_timeout_seconds,
        )

    def _assertion(self, now: float) -> str:
        claims = {
            "iss": self._account.client_email,
            "scope": SCOPE,
            "aud": self._token_url,
            "iat": int(now),
            "exp": int(now) + ASSERTION_SECONDS,
        }
        headers = {"kid": self._account.private_key_id} if self._account.private_key_id else None
        return jwt.encode(claims, self._account.private_key, algorithm="RS256", headers=headers)

    async def _access_token(self, http: httpx.AsyncClient) -> str | None:
        key = (self._account.client_email, self._token_url)
        now = time.time()
        cached = _tokens.get(key)
        if cached is not None and cached[1] - REFRESH_MARGIN_SECONDS > now:
            return cached[0]
        response = await http.post(
            self._token_url,
            data={"grant_type": GRANT_TYPE, "assertion": self._assertion(now)},
            timeout=self._timeout,
        )
        if response.status_code != 200:
            return None
        body = response.json()
        token, expires_in = body.get("access_token"), body.get("expires_in", 3600)
        if not isinstance(token, str) or not isinstance(expires_in, int):
            return None
        _tokens[key] = (token, now + expires_in)
        return token

    async def warm_up(self, http: httpx.AsyncClient) -> None:
        """Fetch the access token before sending to several devices at once (one request for
        all of them, not one each); a failure here is met again, and answered, by `send`."""
        try:
            await self._access_token(http)
        except (httpx.HTTPError, ValueError):
            return

    def forget_token(self) -> None:
        _tokens.pop((self._account.client_email, self._token_url), None)

    async def send(self, http: httpx.AsyncClient, token: str, message: PushMessage) -> Delivery:
        """Send one message to one registration token; FCM's answer as a Delivery."""
        outcome, reason = await self._send(http, token, message)
        if outcome is not Delivery.sent:  # never the token
            log.info(
                "push not delivered",
                extra={"platform": "fcm", "outcome": outcome.value, "reason": reason},
            )
        return outcome

    async def _send(
        self, http: httpx.AsyncClient, token: str, message: PushMessage
    ) -> tuple[Delivery, str]:
        try:
            access = await self._access_token(http)
            if access is None:  # the token endpoint refused or failed: later, not never
                return Delivery.failed, "no access token"
            response = await http.post(
                self._send_url,
                json=fcm_message(token, message, now=time.time()),
                headers={"Authorization": f"Bearer {access}"},
                timeout=self._timeout,
            )
        except (httpx.HTTPError, ValueError) as exc:
            return Delivery.failed, type(exc).__name__
        status = response.status_code
        if status == 401:  # our access token expired early or was revoked
            self.forget_token()
            return Delivery.failed, "status 401"
        if status == 404 and not unregistered(response):
            # A 404 that is not about the token (a wrong project or URL) must not drop devices.
            return Delivery.refused, "status 404 without UNREGISTERED"
        return delivery_for_status(status), f"status {status}"


def unregistered(response: httpx.Response) -> bool:
    """FCM says the registration token is gone: an FcmError detail with `UNREGISTERED`."""
    try:
        details = response.json()["error"]["details"]
        return any(isinstance(d, dict) and d.get("errorCode") == "UNREGISTERED" for d in details)
    except (ValueError, KeyError, TypeError):
        return False
