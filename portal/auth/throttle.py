"""Login throttle per username and per address, kept in the database.

Written here rather than with Flask-Limiter: its storage backends (memory, Redis, Memcached,
MongoDB…) include none this one-server deployment runs — the database is the one store every
worker process shares — and it limits requests in fixed windows, while this throttle counts
failed logins only and makes each wait longer than the last (30 s, 1 min, 2 min … up to a cap),
so that the owner of a username someone else is guessing is never locked out for long.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from portal.auth.models import LoginThrottle
from portal.extensions import db
from portal.timeutil import utcnow


@dataclass(frozen=True)
class Rule:
    """How many failures pass freely, the first delay and the longest one."""

    prefix: str
    free: int
    first_delay: timedelta
    max_delay: timedelta


#: Per username: the fifth failure waits 30 s, then 1, 2, 4 minutes, never more than 5.
USERNAME = Rule("user:", 4, timedelta(seconds=30), timedelta(minutes=5))
#: Per address (an office shares one): the twentieth failure waits 1 min, then 2, 4 … up to 1 h.
ADDRESS = Rule("addr:", 19, timedelta(minutes=1), timedelta(hours=1))
#: Failures are forgotten this long after the last one.
FORGET_AFTER = timedelta(hours=1)


def _keys(username: str, address: str | None) -> list[tuple[Rule, str]]:
    keys = [(USERNAME, USERNAME.prefix + username.strip().lower()[:150])]
    if address:
        keys.append((ADDRESS, ADDRESS.prefix + address[:150]))
    return keys


def wait_seconds(username: str, address: str | None, now: datetime | None = None) -> int:
    """Seconds until this username may try again from this address (0: now)."""
    now = now or utcnow()
    keys = [k for _, k in _keys(username, address)]
    until = db.session.scalars(
        sa.select(LoginThrottle.blocked_until).where(LoginThrottle.key.in_(keys))
    )
    waits = [(u - now).total_seconds() for u in until if u is not None and u > now]
    return int(max(waits) + 0.999) if waits else 0


def _row(key: str, now: datetime) -> LoginThrottle:
    """The row of a key, locked for update on PostgreSQL; created when missing."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    # Two processes may fail at once for a new key: the second insert is a no-op.
    db.session.execute(
        insert(LoginThrottle)
        .values(key=key, failures=0, last_failure_at=now)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    stmt = sa.select(LoginThrottle).where(LoginThrottle.key == key).with_for_update()
    return db.session.scalar(stmt.execution_options(populate_existing=True))


def failed(username: str, address: str | None, now: datetime | None = None) -> None:
    """Count one failed login for the username and the address (the caller commits)."""
    now = now or utcnow()
    for rule, key in _keys(username, address):
        row = _row(key, now)
        if row.last_failure_at is not None and now - row.last_failure_at > FORGET_AFTER:
            row.failures = 0
        row.failures = (row.failures or 0) + 1
        row.last_failure_at = now
        over = row.failures - rule.free
        if over > 0:
            delay = min(rule.first_delay * 2 ** min(over - 1, 20), rule.max_delay)
            row.blocked_until = now + delay


def succeeded(username: str) -> None:
    """Forget the username's failures (not the address's: a shared address stays counted)."""
    key = USERNAME.prefix + username.strip().lower()[:150]
    db.session.execute(sa.delete(LoginThrottle).where(LoginThrottle.key == key))


def purge(now: datetime | None = None) -> None:
    """Drop rows nobody failed with for a while (called now and then from login)."""
    now = now or utcnow()
    db.session.execute(
        sa.delete(LoginThrottle).where(LoginThrottle.last_failure_at < now - FORGET_AFTER * 24)
    )


def wait_text(seconds: int) -> str:
    """请30秒后再试 / 请3分钟后再试."""
    if seconds < 60:
        return f"{seconds}秒"
    return f"{(seconds + 59) // 60}分钟"
