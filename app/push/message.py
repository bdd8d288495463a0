"""What a push carries, and what became of one delivery.

The contract between the reminder engine (`app/reminders`) and the senders (`app/devices`):
the engine decides *that* something is due and builds a `PushMessage`; a sender delivers it to
one device and answers with a `Delivery`. Messages never carry health content: a generic text in
the patient's locale, a `tag` that lets the phone (and the push service, as the Web Push
`Topic`) replace an earlier copy of the same reminder, and an optional in-app path to open.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class PushMessage:
    title: str
    body: str
    tag: str  # same thing, same day -> same tag: a repeat replaces, never stacks
    path: str | None = None  # where the app opens, e.g. "/checkin"; never an id of health data
    ttl_seconds: int = 4 * 3600  # how long the push service may hold it for an offline phone


class Delivery(StrEnum):
    sent = "sent"  # the push service accepted it (201/200)
    gone = "gone"  # the subscription or token no longer exists (404/410): drop the device
    failed = "failed"  # try again later (network error, 429, 5xx)
    refused = "refused"  # the service refused the request itself (other 4xx): do not retry
