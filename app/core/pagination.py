"""Keyset pagination cursors (the `limit`/`cursor` query parameters live in app.core.deps)."""

from __future__ import annotations

import base64
import binascii
import json

from app.core.errors import Unprocessable

MAX_LIMIT = 200


def encode_cursor(*values: str) -> str:
    """Pack the sort key of the last row into an opaque string."""
    raw = json.dumps(list(values), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, parts: int) -> list[str]:
    """Unpack a cursor made by `encode_cursor`; anything else is a 422."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise Unprocessable("The cursor is not valid.", code="invalid_cursor") from exc
    if not isinstance(values, list) or len(values) != parts:
        raise Unprocessable("The cursor is not valid.", code="invalid_cursor")
    if not all(isinstance(value, str) for value in values):
        raise Unprocessable("The cursor is not valid.", code="invalid_cursor")
    return values
