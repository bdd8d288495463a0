"""Sync cursors: opaque to the client, a position in the change log plus the time from which
every change after that position is known to be still kept.

A cursor is `mode, txid, seq, since, kind, after` packed by `app.core.pagination`:
- mode `d` (delta): changes after (txid, seq); `kind` and `after` empty.
- mode `s` (snapshot in progress): the next records are those of KINDS[kind] with ids above
  `after`; once the snapshot is done the deltas start at (txid, seq), taken when it began.
`since` (unix seconds) is when the position was reached: a change after it was written at
most one transaction's lifetime before then. Change rows are kept RETENTION_DAYS; a cursor
whose `since` is more than CURSOR_DAYS old may point past purged rows, so it answers 410.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.core.errors import Gone, Unprocessable
from app.core.pagination import decode_cursor, encode_cursor

RETENTION_DAYS = 90
# One day less than the rows are kept: covers a transaction that ran (at most) a day.
CURSOR_DAYS = RETENTION_DAYS - 1
MAX_SEQ = 2**62
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class Position:
    txid: int
    seq: int


@dataclass(frozen=True)
class SyncCursor:
    position: Position
    since: datetime
    # Snapshot in progress: index into KINDS and the last id sent of that kind (None: none).
    kind: int | None = None
    after: uuid.UUID | None = None


def _invalid() -> Unprocessable:
    return Unprocessable("The sync cursor is not valid.", code="invalid_sync_cursor")


def encode(cursor: SyncCursor) -> str:
    snapshot = cursor.kind is not None
    return encode_cursor(
        "s" if snapshot else "d",
        str(cursor.position.txid),
        str(cursor.position.seq),
        str(int(cursor.since.timestamp())),
        str(cursor.kind) if snapshot else "",
        str(cursor.after) if cursor.after is not None else "",
    )


def decode(raw: str, *, now: datetime, kinds: int) -> SyncCursor:
    """A cursor this server issued, or 422 `invalid_sync_cursor`; 410 `cursor_expired` when the
    changes after it may have been purged."""
    try:
        mode, txid, seq, since, kind, after = decode_cursor(raw, 6)
    except Unprocessable as exc:
        raise _invalid() from exc
    if mode not in ("d", "s") or (mode == "d" and (kind or after)):
        raise _invalid()
    try:
        position = Position(int(txid), int(seq))
        moment = datetime.fromtimestamp(int(since), tz=now.tzinfo)
        kind_index = int(kind) if mode == "s" else None
        after_id = uuid.UUID(after) if after else None
    except (ValueError, OverflowError, OSError) as exc:
        raise _invalid() from exc
    if not (0 <= position.txid <= MAX_SEQ and 0 <= position.seq <= MAX_SEQ):
        raise _invalid()
    if kind_index is not None and not 0 <= kind_index < kinds:
        raise _invalid()
    if moment > now + CLOCK_SKEW:
        raise _invalid()
    if moment < now - timedelta(days=CURSOR_DAYS):
        raise Gone(
            "The changes since this cursor are no longer kept; start again without a cursor "
            "(a full snapshot).",
            code="cursor_expired",
        )
    return SyncCursor(position, moment, kind_index, after_id)
