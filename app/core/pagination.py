"""Keyset pagination cursors (the `limit`/`cursor` query parameters live in app.core.deps)."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, and_, or_

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
    if not all(isinstance(value, str) and "\x00" not in value for value in values):
        raise Unprocessable("The cursor is not valid.", code="invalid_cursor")
    return values


def encode_keyset(moment: datetime, row_id: uuid.UUID) -> str:
    """Cursor for newest-first lists ordered by (timestamp, id)."""
    return encode_cursor(moment.isoformat(), str(row_id))


def decode_keyset(cursor: str) -> tuple[datetime, uuid.UUID]:
    """The (timestamp, id) of a cursor from `encode_keyset`; anything else is a 422."""
    moment_raw, id_raw = decode_cursor(cursor, 2)
    try:
        moment, row_id = datetime.fromisoformat(moment_raw), uuid.UUID(id_raw)
    except ValueError as exc:
        raise Unprocessable("The cursor is not valid.", code="invalid_cursor") from exc
    if moment.tzinfo is None:  # a forged naive time would fail in the UTC column type
        raise Unprocessable("The cursor is not valid.", code="invalid_cursor")
    try:
        moment = moment.astimezone(UTC)  # year 1 at +05:00 has no UTC time
    except OverflowError as exc:
        raise Unprocessable("The cursor is not valid.", code="invalid_cursor") from exc
    return moment, row_id


def older_than(
    moment_column: ColumnElement[datetime], id_column: ColumnElement[uuid.UUID], cursor: str
) -> ColumnElement[bool]:
    """Rows after the cursor in a newest-first (timestamp, id) ordering."""
    moment, row_id = decode_keyset(cursor)
    return or_(moment_column < moment, and_(moment_column == moment, id_column < row_id))
