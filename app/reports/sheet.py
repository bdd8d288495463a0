"""A report sheet: figures added one by one, then suppressed as one (app.reports.suppression)."""

from __future__ import annotations

from dataclasses import dataclass

from app.reports.suppression import Group, suppress

ACTIVE = "patients.active"  # the total every other patient count is a part of


@dataclass(frozen=True, slots=True)
class Figure:
    """One published figure; `value`, `n` and `share` are None when it is suppressed."""

    key: str
    label: str
    value: float | None
    n: int | None
    of: str | None
    share: float | None
    suppressed: bool


@dataclass(slots=True)
class _Entry:
    key: str
    label: str
    value: float | None
    n: int
    of: str | None  # the total this count is a part of
    base: str | None  # the count a statistic is computed over


class Sheet:
    """Counts (in groups that add up to a total) and statistics over a base count."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}
        self._groups: list[Group] = []

    def count(self, key: str, label: str, value: int, n: int | None = None) -> str:
        """A count; `n` is the patients it is based on (the count itself when omitted)."""
        self._entries[key] = _Entry(key, label, value, value if n is None else n, None, None)
        return key

    def parts(self, total: str, parts: list[tuple[str, str, int, int | None]]) -> None:
        """Counts (key, label, value, n) that add up to the count `total`."""
        for key, label, value, n in parts:
            self.count(key, label, value, n)
            self._entries[key].of = total
        self._groups.append(Group(total, tuple(key for key, *_ in parts)))

    def group(self, total: str, parts: tuple[str, ...]) -> None:
        """Counts already added that add up to the count `total` (by their patients)."""
        self._groups.append(Group(total, parts))

    def split(self, total: str, yes: tuple[str, str], no: tuple[str, str], count: int) -> str:
        """`count` patients of `total` (key, label) and the rest (key, label)."""
        rest = int(self._entries[total].n) - count
        self.parts(total, [(yes[0], yes[1], count, None), (no[0], no[1], rest, None)])
        return yes[0]

    def statistic(self, key: str, label: str, value: float | None, *, base: str) -> None:
        """A mean, median or quartile over the patients counted by `base`."""
        self._entries[key] = _Entry(key, label, value, self._entries[base].n, None, base)

    def figures(self) -> list[Figure]:
        """Every figure, in the order added, suppressed by the stated rule."""
        hidden = set(suppress({k: e.n for k, e in self._entries.items()}, self._groups))
        hidden |= {k for k, e in self._entries.items() if e.base is not None and e.base in hidden}
        result = []
        for entry in self._entries.values():
            if entry.key in hidden:
                result.append(Figure(entry.key, entry.label, None, None, entry.of, None, True))
                continue
            share = None
            if entry.of is not None and entry.of not in hidden and entry.value is not None:
                total = self._entries[entry.of].value
                share = round(entry.value / total, 3) if total else None
            result.append(
                Figure(entry.key, entry.label, entry.value, entry.n, entry.of, share, False)
            )
        return result
