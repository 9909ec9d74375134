"""Benchmark: the applications list with 1,000 and 10,000 applications in one office.

Run: python -m tests.benchmarks.bench_listing
Prints the time per list request (search, filters, sorts) at each size, the ratio between
the two sizes, the number of SQL statements per request and SQLite's query plans.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event

from portal import create_app
from portal.applications import operations
from portal.applications.idcard import make_id
from portal.applications.listing import ListQuery, filtered_statement
from portal.applications.models import Application
from portal.campaigns.services import load_shipped_campaigns
from portal.extensions import db
from portal.offices.models import Office, RecommendingUnit
from tests.factories import make_user

SURNAMES = "张王李赵刘陈杨黄马吴"
GIVEN = ["丽娟", "建军", "海燕", "买买提·艾力", "古丽娜尔", "巴图", "努尔兰", "晓梅", "德力格尔"]
STATUSES = ["draft", "in_publicity", "publicity_ended", "recommended", "reported"]
CASES = {
    "default (updated desc)": "/applications/",
    "search name": "/applications/?q=买买提",
    "search id digits": "/applications/?q=19861",
    "filter status": "/applications/?status=reported",
    "sort by unit": "/applications/?sort=unit&dir=asc",
    "page 20": "/applications/?page=20",
    "dashboard (checks 300)": "/",
}


def populate(n: int) -> None:
    """Insert n applications for one office, spread over 20 units and 4 campaigns."""
    campaigns = load_shipped_campaigns()
    office = Office(
        code="BENCH", name="基准测试局", county="若羌县", prefecture="巴音郭楞蒙古自治州"
    )
    db.session.add(office)
    db.session.flush()
    units = [
        RecommendingUnit(
            office_id=office.id, name=f"测试单位{i:02d}", nature="事业单位", county="若羌县"
        )
        for i in range(20)
    ]
    db.session.add_all(units)
    make_user("bench", "bench-password", "clerk", office)
    db.session.flush()
    # Through the operations API, as every writer; the status is then set in bulk (the
    # workflow would need complete sections), spread over the first five statuses.
    for i in range(n):
        c = campaigns[i % len(campaigns)]
        s = c.definition.series[0]
        birth = date(1970 + i % 30, 1 + i % 12, 1 + i % 28)
        data = {
            "unit_id": units[i % 20].id,
            "name": SURNAMES[i % 10] + GIVEN[i % len(GIVEN)],
            "id_number": make_id("652824", birth, i // 420 % 500, "男" if i % 2 else "女"),
            "series_code": s.code,
            "specialty": (s.specialties or ("",))[0],
            "level": "junior" if i % 3 else "intermediate",
            "kind": "evaluation",
        }
        operations.create_application(c, office.id, data, None, units=units)
    for k, status in enumerate(STATUSES):
        db.session.execute(
            sa.update(Application)
            .where(Application.office_id == office.id, Application.id % len(STATUSES) == k)
            .values(status=status)
        )
    db.session.commit()


def measure(n: int) -> dict[str, tuple[float, int]]:
    """Median milliseconds and SQL statements per request for each case."""
    folder = Path(tempfile.mkdtemp())
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}",
        }
    )
    out = {}
    with app.app_context():
        db.create_all()
        t0 = time.perf_counter()
        populate(n)
        print(f"  inserted {n} applications in {time.perf_counter() - t0:.1f}s")
        engine = db.engine
    # Requests run outside any application context, each in its own, as on a server.
    client = app.test_client()
    client.post("/login", data={"username": "bench", "password": "bench-password"})
    statements = 0

    def count(*_a, **_k):
        nonlocal statements
        statements += 1

    event.listen(engine, "before_cursor_execute", count)
    for name, url in CASES.items():
        client.get(url)  # warm up
        times = []
        statements = 0
        for _ in range(7):
            t = time.perf_counter()
            resp = client.get(url)
            times.append((time.perf_counter() - t) * 1000)
            assert resp.status_code == 200
        out[name] = (statistics.median(times), statements // 7)
    event.remove(engine, "before_cursor_execute", count)
    if n >= 10_000:
        print("  query plans (SQLite EXPLAIN QUERY PLAN):")
        from flask_login import login_user

        from portal.auth.models import User

        with app.test_request_context():
            login_user(db.session.scalar(sa.select(User).where(User.username == "bench")))
            stmts = [
                (label, filtered_statement(q).order_by(Application.updated_at.desc()).limit(50))
                for label, q in [
                    ("status filter", ListQuery(status="reported")),
                    ("default sort", ListQuery()),
                ]
            ]
            for label, stmt in stmts:
                sql = str(stmt.compile(engine, compile_kwargs={"literal_binds": True}))
                plan = db.session.execute(sa.text("EXPLAIN QUERY PLAN " + sql)).all()
                print(f"    {label}: " + " | ".join(row[-1] for row in plan))
    return out


def main() -> None:
    small, large = 1_000, 10_000
    print(f"Applications list benchmark ({small} vs {large} applications in one office)")
    a = measure(small)
    b = measure(large)
    print(f"{'case':<24}{small:>10} ms{large:>10} ms{'ratio':>8}{'SQL/req':>9}")
    for name in CASES:
        (ta, _qa), (tb, qb) = a[name], b[name]
        print(f"{name:<24}{ta:>13.1f}{tb:>13.1f}{tb / ta:>8.2f}{qb:>9}")


if __name__ == "__main__":
    main()
