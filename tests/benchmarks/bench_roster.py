"""Benchmark: the roster (花名册) page and exports at 1,000 to 50,000 applications in one office.

Run: python -m tests.benchmarks.bench_roster [--sizes 1000,10000,50000] [--rows 10000]

Each size gets its own SQLite file with applications whose basic, education, qualification,
work and achievement sections are filled. Printed, each beside its anchor in the same run:

- the roster page (first page, a deep page, a search): median milliseconds of 5 requests and
  SQL statements per request, which must not grow with the number of applications; and the
  check of the selection's findings the page asks for next (bounded by CHECK_LIMIT);
- the xlsx export of `--rows` applications (all statuses) through the portal (request to
  last byte) against openpyxl's write-only mode writing the same cells raw, and the CSV
  export against the csv module;
  each in a fresh process, with its peak RSS and the RSS left once it is done (the worker's
  idle RSS, after a first request, beside it);
- the xlsx export of the largest size, which must complete.

`measure_roster()` returns the rows of the table for a benchmark command that runs several.
"""

from __future__ import annotations

import argparse
import csv
import gc
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from openpyxl import Workbook

SURNAMES = "张王李赵刘陈杨黄马吴"
GIVEN = ["丽娟", "建军", "海燕", "买买提·艾力", "古丽娜尔·吐尔逊", "巴图", "努尔兰", "晓梅"]
ETHNICITIES = ["汉族", "维吾尔族", "哈萨克族", "回族", "蒙古族"]
STATUSES = ["recommended", "reported", "draft", "in_publicity", "recommended"]
UNIT_NAMES = ["若羌县文化馆", "若羌县图书馆", "若羌县瓦石峡镇综合文化站", "若羌县博物馆"]


def _config(db_path: Path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "bench",
        "WTF_CSRF_ENABLED": False,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
        # The writers measured within the request (a background job runs the same writers).
        "ROSTER_JOB_THRESHOLD": 10**9,
    }


def populate(n: int) -> int:
    """Insert n applications of one campaign in one office, with five sections each."""
    from portal.applications.idcard import make_id
    from portal.applications.models import Application, ApplicationSection, Person
    from portal.campaigns.services import load_shipped_campaigns
    from portal.extensions import db
    from portal.offices.models import Office, RecommendingUnit
    from tests.factories import make_user
    from tests.rosters.helpers import roster_sections

    campaign = next(c for c in load_shipped_campaigns() if c.code == "bz-partyschool-2023")
    office = Office(
        code="BENCH", name="基准测试局", county="若羌县", prefecture="巴音郭楞蒙古自治州"
    )
    db.session.add(office)
    db.session.flush()
    units = [
        RecommendingUnit(office_id=office.id, name=f"{name}{i}", nature="事业单位", county="若羌县")
        for i in range(5)
        for name in UNIT_NAMES
    ]
    db.session.add_all(units)
    make_user("bench", "bench-password", "clerk", office)
    db.session.flush()
    series = campaign.definition.series[0]
    people, apps, sections = [], [], []
    for i in range(n):
        k = i // 500  # with i % 500 as the sequence number: a distinct ID for every i
        birth = date(1960 + k % 40, 1 + (k // 40) % 12, 1 + (k // 480) % 28)
        gender = "男" if i % 2 else "女"
        number = make_id("652824", birth, i % 500, gender)
        name = SURNAMES[i % 10] + GIVEN[i % len(GIVEN)]
        level = "junior" if i % 3 else "intermediate"
        unit = units[i % len(units)]
        people.append({"id": i + 1, "office_id": office.id, "id_number": number, "name": name})
        apps.append(
            {
                "id": i + 1,
                "campaign_id": campaign.id,
                "office_id": office.id,
                "unit_id": unit.id,
                "person_id": i + 1,
                "name": name,
                "id_number": number,
                "series_code": series.code,
                "specialty": "",
                "level": level,
                "kind": "evaluation",
                "status": STATUSES[i % len(STATUSES)],
            }
        )
        data = roster_sections(
            apps[-1],
            unit,
            birth=birth,
            ethnicity=ETHNICITIES[i % 5],
            phone=f"139{i:08d}",
            gender=gender,
        ) | {
            "work": {
                "rows": [{"start": f"{birth.year + 22}-08-01", "end": None, "unit": unit.name}] * 3
            },
            "achievements": {
                "rows": [{"period": "2020-2022", "title": "基层文化工作", "role": "主要承担者"}]
                * 4,
                "summary": "近五年从事群众文化工作，认真履行岗位职责，承担具体实施任务。" * 4,
            },
        }
        for key, value in data.items():
            sections.append({"application_id": i + 1, "key": key, "data": value, "complete": True})
        if len(sections) >= 20_000:
            db.session.execute(sa.insert(Person), people)
            db.session.execute(sa.insert(Application), apps)
            db.session.execute(sa.insert(ApplicationSection), sections)
            people, apps, sections = [], [], []
    if people:
        db.session.execute(sa.insert(Person), people)
        db.session.execute(sa.insert(Application), apps)
        db.session.execute(sa.insert(ApplicationSection), sections)
    db.session.commit()
    return campaign.id


def rss_mb() -> float:
    """This process's resident memory now (Linux)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class PeakRss:
    """The highest resident memory of this process while the block runs (sampled every 5 ms).

    The process's own maximum (getrusage) would count the login's password hashing.
    """

    def __enter__(self) -> PeakRss:
        self.mb = rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.005):
            self.mb = max(self.mb, rss_mb())

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.mb = max(self.mb, rss_mb())


def _app(db_path: Path):
    from portal import create_app

    return create_app(_config(db_path))


def _login(client) -> None:
    client.post("/login", data={"username": "bench", "password": "bench-password"})


def measure_page(db_path: Path, campaign_id: int) -> dict[str, tuple[float, int]]:
    """Median ms and SQL statements of the roster page, a deep page and a search."""
    from portal.extensions import db

    app = _app(db_path)
    out = {}
    with app.app_context():
        client = app.test_client()
        _login(client)
        statements = 0

        def count(*_a, **_k):
            nonlocal statements
            statements += 1

        sa.event.listen(db.engine, "before_cursor_execute", count)
        base = f"/rosters/?campaign={campaign_id}"
        cases = {
            "page 1": base,
            "page 100": base + "&page=100",
            "search": base + "&q=买买提",
            "all statuses": base + "&status=all",
            # The check of the selection the page asks for once shown (at most 2,000 checked).
            "selection check": base.replace("/rosters/?", "/rosters/check?") + "&status=all",
        }
        for name, url in cases.items():
            client.get(url)
            times = []
            statements = 0
            for _ in range(5):
                t = time.perf_counter()
                resp = client.get(url)
                times.append((time.perf_counter() - t) * 1000)
                assert resp.status_code == 200, url
            out[name] = (statistics.median(times), statements // 5)
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return out


def child(mode: str, db_path: Path, campaign_id: int) -> dict:
    """One measurement in this fresh process: seconds, peak and final RSS."""
    from portal.campaigns.models import Campaign
    from portal.extensions import db
    from portal.rosters.builder import ALL, RosterFilters, make_roster, roster_statement

    app = _app(db_path)
    with app.app_context():
        client = app.test_client()
        _login(client)
        client.get(f"/rosters/?campaign={campaign_id}")  # a worker that has served a page
        gc.collect()
        idle = rss_mb()
        fmt = mode.split("-")[1]
        if mode.startswith("portal"):
            cpu = time.process_time()
            t = time.perf_counter()
            with PeakRss() as peak:
                resp = client.post(
                    "/rosters/export",
                    data={"campaign": campaign_id, "format": fmt, "status": ALL},
                )
                size = sum(len(chunk) for chunk in resp.response)
                resp.close()
            seconds = time.perf_counter() - t
            cpu = time.process_time() - cpu
        else:
            # The anchor writes the same cells, built beforehand (not timed).
            campaign = db.session.get(Campaign, campaign_id)
            stmt = roster_statement(campaign, RosterFilters(status=ALL))
            roster = make_roster(stmt, campaign, "x")
            cells = list(roster.rows)
            cpu = time.process_time()
            t = time.perf_counter()
            with PeakRss() as peak:
                size = _write_raw(fmt, roster.columns, cells)
            seconds = time.perf_counter() - t
            cpu = time.process_time() - cpu
        gc.collect()
        return {
            "seconds": seconds,
            "cpu": cpu,
            "bytes": size,
            "idle_mb": idle,
            "peak_mb": peak.mb,
            "after_mb": rss_mb(),
        }


def _write_raw(fmt: str, columns: tuple[str, ...], cells: list[list]) -> int:
    """The anchor: the same cells written raw by openpyxl write-only or the csv module."""
    if fmt == "xlsx":
        wb = Workbook(write_only=True)
        ws = wb.create_sheet()
        ws.append(list(columns))
        for row in cells:
            ws.append(row)
        with tempfile.TemporaryFile() as out:
            wb.save(out)
            return out.tell()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows(cells)
    return len(buffer.getvalue().encode("utf-8"))


def run_child(mode: str, db_path: Path, campaign_id: int) -> dict:
    """Run one measurement in a fresh Python process (its peak RSS is its own)."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.benchmarks.bench_roster",
            "--child",
            mode,
            str(db_path),
            str(campaign_id),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def prepare(n: int, folder: Path) -> tuple[Path, int]:
    """A database file with n applications; returns its path and the campaign id."""
    from portal.extensions import db

    db_path = folder / f"roster-{n}.db"
    app = _app(db_path)
    with app.app_context():
        db.create_all()
        t = time.perf_counter()
        campaign_id = populate(n)
        print(f"  {n} applications inserted in {time.perf_counter() - t:.1f}s", flush=True)
    return db_path, campaign_id


def measure_roster(sizes: list[int], rows: int) -> list[tuple[str, str, str, str]]:
    """Every measure with its anchor: (what, portal, anchor, ratio) rows of the table."""
    folder = Path(tempfile.mkdtemp(prefix="bench-roster-"))
    table: list[tuple[str, str, str, str]] = []
    pages = {}
    dbs = {}
    for n in sizes:
        dbs[n] = prepare(n, folder)
        pages[n] = measure_page(*dbs[n])
    small = sizes[0]
    for case in pages[small]:
        for n in sizes:
            ms, stmts = pages[n][case]
            base_ms, _ = pages[small][case]
            table.append(
                (
                    f"花名册 page, {case}, {n:,}",
                    f"{ms:.1f} ms, {stmts} SQL",
                    f"{small:,}: {base_ms:.1f} ms",
                    f"{ms / base_ms:.2f}",
                )
            )
    if rows not in dbs:
        dbs[rows] = prepare(rows, folder)
    export_db = dbs[rows]
    for fmt, anchor in (("xlsx", "openpyxl write-only, same cells raw"), ("csv", "csv module")):
        ours = run_child(f"portal-{fmt}", *export_db)
        theirs = run_child(f"anchor-{fmt}", *export_db)
        table.append(
            (
                f"roster {fmt} export, {rows:,} rows",
                f"{ours['seconds']:.2f} s (CPU {ours['cpu']:.2f} s)",
                f"{anchor}: {theirs['seconds']:.2f} s (CPU {theirs['cpu']:.2f} s)",
                f"{ours['seconds'] / theirs['seconds']:.2f}",
            )
        )
        table.append(("  the same in CPU time", "", "", f"{ours['cpu'] / theirs['cpu']:.2f}"))
        table.append(
            (
                f"  memory of the {fmt} export",
                f"peak {ours['peak_mb']:.0f} MB, after {ours['after_mb']:.0f} MB",
                f"idle worker {ours['idle_mb']:.0f} MB",
                f"{ours['after_mb'] / ours['idle_mb']:.2f}",
            )
        )
    largest = sizes[-1]
    big = run_child("portal-xlsx", *dbs[largest])
    shutil.rmtree(folder, ignore_errors=True)
    table.append(
        (
            f"roster xlsx export, {largest:,} rows",
            f"{big['seconds']:.1f} s, {big['bytes'] / 2**20:.1f} MB",
            f"peak {big['peak_mb']:.0f} MB, after {big['after_mb']:.0f} MB",
            "",
        )
    )
    return table


def print_table(table: list[tuple[str, str, str, str]]) -> None:
    """The table, one measure a line."""
    print(f"{'what':<36}{'portal':<34}{'anchor':<56}{'ratio':>6}")
    for what, ours, anchor, ratio in table:
        print(f"{what:<36}{ours:<34}{anchor:<56}{ratio:>6}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--child", nargs=3, metavar=("MODE", "DB", "CAMPAIGN"))
    args = parser.parse_args()
    if args.child:
        mode, db_path, campaign_id = args.child
        print(json.dumps(child(mode, Path(db_path), int(campaign_id))))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"Roster benchmark ({', '.join(f'{n:,}' for n in sizes)} applications in one office)")
    print_table(measure_roster(sizes, args.rows))


if __name__ == "__main__":
    main()
