"""Small-cell suppression of the outcome report, pure.

The rule the report states (`RULE`):

1. *Primary*: a cell based on fewer than `THRESHOLD` (5) patients is suppressed -- zero
   included: "nobody" is a count of fewer than five too.
2. *Complementary*: cells are published in groups that add up to a published total (the
   RTW status bands add up to the patients active; "still working" and "not working" add up
   to the follow-ups answered). A group is one equation, total = sum of parts. While an
   equation has exactly one suppressed member (the total or a part), or its total is
   published and its suppressed parts together count fewer than `THRESHOLD` patients (so
   that the total minus the published parts would give a small number, or pin a zero), the
   smallest published part is suppressed as well (ties: the first listed; the total when no
   part is left). Groups are revisited until nothing changes, since a cell can belong to
   more than one group (a part of one is the total of another).

The patients a cell is "based on" are its `n`. For counts of patients that is the count
itself; for counts of requests it is the number of distinct patients behind them. The sum of
the suppressed cells' `n` stands for the patients hidden in the group (a patient behind two
suppressed request cells counts twice there: a known limit, left open in the notes).

This is the usual cell-suppression heuristic (no equation with a lone unknown, no small
remainder), stated and tested here; it does not solve the linear system of all groups at
once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

THRESHOLD = 5
RULE = (
    f"Every cell based on fewer than {THRESHOLD} patients (zero included) is null with "
    "suppressed: true. Cells that add up to a total form a group; where exactly one member of "
    "a group (the total or a part) is suppressed, or the total is published and its "
    f"suppressed parts together hold fewer than {THRESHOLD} patients, the smallest published "
    "parts are suppressed too, so that no suppressed cell can be recovered by subtraction."
)


@dataclass(frozen=True, slots=True)
class Group:
    """Cells `parts` that add up to the cell `total`."""

    total: str
    parts: tuple[str, ...]


def primary(cells: Mapping[str, int]) -> set[str]:
    """The cells based on fewer than THRESHOLD patients."""
    return {key for key, n in cells.items() if n < THRESHOLD}


def _needs_more(group: Group, cells: Mapping[str, int], hidden: set[str]) -> bool:
    members = (group.total, *group.parts)
    count = sum(key in hidden for key in members)
    if count in (0, len(members)):
        return False
    if count == 1:
        return True
    if group.total in hidden:
        return False
    return sum(cells[key] for key in group.parts if key in hidden) < THRESHOLD


def _next(group: Group, cells: Mapping[str, int], hidden: set[str]) -> str:
    shown = [key for key in group.parts if key not in hidden]
    if not shown:
        return group.total
    return min(shown, key=lambda key: cells[key])


def suppress(cells: Mapping[str, int], groups: Sequence[Group]) -> frozenset[str]:
    """The keys of every suppressed cell: primary, then complementary to a fixpoint.

    `cells` maps each cell to the number of patients it is based on; every key a group names
    must be a cell.
    """
    hidden = primary(cells)
    changed = True
    while changed:
        changed = False
        for group in groups:
            while _needs_more(group, cells, hidden):
                hidden.add(_next(group, cells, hidden))
                changed = True
    return frozenset(hidden)
