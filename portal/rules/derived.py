"""Values derived from an application and its campaign (pure functions)."""

from __future__ import annotations

from datetime import date


def years_between(start: date | str | None, end: date) -> int | None:
    """Whole years from start up to end (e.g. years in the profession up to the cutoff date)."""
    if isinstance(start, str):
        start = date.fromisoformat(start) if start else None
    if start is None or start > end:
        return None
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return years
