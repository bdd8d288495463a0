"""Pure rules shared by the senders: what a push service's answer means, the Web Push `Topic`.

Sources: RFC 8030 (Generic Event Delivery Using HTTP Push) section 5 (201 Created on success),
section 7.3 (404 / 410 Gone: the subscription has expired or was removed), section 5.4 (Topic:
at most 32 characters of the URL- and filename-safe base64 alphabet); RFC 6585 section 4 (429);
FCM HTTP v1 `ErrorCode` (UNREGISTERED is 404, QUOTA_EXCEEDED 429, UNAVAILABLE 503, INTERNAL
500: retry; INVALID_ARGUMENT 400, SENDER_ID_MISMATCH 403: do not).
"""

from __future__ import annotations

import base64
import hashlib

from app.push.message import Delivery

TOPIC_LENGTH = 32


def delivery_for_status(status: int) -> Delivery:
    """The outcome of one push request from the HTTP status the push service answered."""
    if 200 <= status < 300:
        return Delivery.sent
    if status in (404, 410):
        return Delivery.gone
    if status == 429 or status >= 500 or status < 200:
        return Delivery.failed
    return Delivery.refused


def topic_for(tag: str) -> str:
    """The Web Push `Topic` for a message tag: 32 base64url characters of its SHA-256.

    Same tag, same topic, so the push service replaces a waiting copy instead of queueing a
    second one; hashed so the tag's wording never reaches the push service, and so any tag fits
    the header's alphabet and length.
    """
    digest = hashlib.sha256(tag.encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")[:TOPIC_LENGTH]
