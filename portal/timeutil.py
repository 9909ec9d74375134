"""Clock and date helpers: naive UTC in the database, Beijing time on documents and pages."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from portal.textutil import iso_date

# Offices keep Beijing time on paper; Xinjiang time is not used in official documents.
LOCAL_OFFSET = timedelta(hours=8)


def utcnow() -> datetime:
    """Naive UTC timestamp for database columns."""
    return datetime.now(UTC).replace(tzinfo=None)


def local_today() -> date:
    """Today's date in Beijing time, as printed on documents."""
    return (utcnow() + LOCAL_OFFSET).date()


def to_local(dt: datetime | None) -> datetime | None:
    """Convert a naive UTC database timestamp to Beijing time."""
    return dt + LOCAL_OFFSET if dt else None


def years_between(start: date | str | None, end: date) -> int | None:
    """Whole years from start up to end (e.g. years in the profession up to the cutoff date)."""
    if isinstance(start, str):
        start = iso_date(start)  # a stored date, or a month (counted from its first day)
    if start is None or start > end:
        return None
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return years
