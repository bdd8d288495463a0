"""The Web Push sender: RFC 8030 delivery, RFC 8291 aes128gcm encryption and a VAPID (RFC 8292)
signature, all by pywebpush (its async path, over aiohttp), one request per subscription."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass

import aiohttp
from py_vapid import Vapid, VapidException
from pywebpush import WebPushException, webpush_async

from app.core.config import Settings
from app.devices.outcome import delivery_for_status, topic_for
from app.devices.vapid import private_key_of
from app.push.message import Delivery, PushMessage

log = logging.getLogger("mestring.push")
# Reminders are neither urgent nor ignorable (RFC 8030 section 5.3: very-low, low, normal, high).
URGENCY = "normal"
# RFC 8292 section 2: `exp` at most 24 hours ahead; pywebpush's default is 12 hours.
VAPID_LIFETIME_SECONDS = 12 * 3600


@dataclass(frozen=True, slots=True)
class Subscription:
    """Where one browser receives pushes (its PushSubscription)."""

    endpoint: str
    p256dh: str
    auth: str


def payload(message: PushMessage) -> str:
    """What the service worker receives (after decryption): the generic text and the tag."""
    return json.dumps(
        {"title": message.title, "body": message.body, "tag": message.tag, "path": message.path},
        ensure_ascii=False,
        separators=(",", ":"),
    )


class WebPushSender:
    """Sends to browsers with the configured VAPID key; built only when Web Push is configured."""

    def __init__(self, *, private_key: str, subject: str, timeout: float) -> None:
        self._vapid = Vapid(private_key=private_key_of(private_key))
        self._subject = subject
        self._timeout = timeout

    @classmethod
    def from_settings(cls, settings: Settings) -> WebPushSender | None:
        """The sender, or None when no VAPID key (and subject) is configured."""
        if not settings.vapid_private_key or not settings.vapid_subject:
            return None
        return cls(
            private_key=settings.vapid_private_key,
            subject=settings.vapid_subject,
            timeout=settings.push_timeout_seconds,
        )

    async def send(
        self, http: aiohttp.ClientSession, subscription: Subscription, message: PushMessage
    ) -> Delivery:
        """Encrypt and send one message; the push service's answer as a Delivery."""
        outcome, reason = await self._send(http, subscription, message)
        if outcome is not Delivery.sent:  # never the endpoint: it is the subscription's secret
            log.info(
                "push not delivered",
                extra={"platform": "web", "outcome": outcome.value, "reason": reason},
            )
        return outcome

    async def _send(
        self, http: aiohttp.ClientSession, subscription: Subscription, message: PushMessage
    ) -> tuple[Delivery, str]:
        claims: dict[str, str | int] = {
            "sub": self._subject,
            "exp": int(time.time()) + VAPID_LIFETIME_SECONDS,
        }  # pywebpush adds `aud`, the endpoint's origin
        try:
            async with asyncio.timeout(self._timeout):
                response = await webpush_async(
                    {
                        "endpoint": subscription.endpoint,
                        "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
                    },
                    data=payload(message),
                    vapid_private_key=self._vapid,
                    vapid_claims=claims,
                    ttl=message.ttl_seconds,
                    headers={"Topic": topic_for(message.tag), "Urgency": URGENCY},
                    timeout=self._timeout,
                    aiohttp_session=http,
                )
        except VapidException:  # claims it cannot sign, e.g. an endpoint origin it cannot parse
            return Delivery.refused, "vapid"
        except WebPushException as exc:
            if exc.response is None:  # refused before sending (a subscription it cannot use)
                return Delivery.refused, "subscription"
            status = int(exc.response.status)
            return delivery_for_status(status), f"status {status}"
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            return Delivery.failed, type(exc).__name__
        if isinstance(response, str):  # only with curl=True
            return Delivery.refused, "curl"
        return delivery_for_status(response.status), f"status {response.status}"
