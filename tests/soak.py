"""Soak: several gunicorn workers and threads under concurrent list, search, save, PDF and
batch-job traffic, with faulthandler on; counts what went wrong.

Used by tests/test_soak.py (a short run in CI) and by the benchmark (minutes). Only
127.0.0.1 is contacted; the run stops by itself after `seconds`.
"""

from __future__ import annotations

import random
import re
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from portal import create_app
from portal.applications.models import Application
from portal.demo import DEMO_PASSWORD, load_demo
from portal.documents.render import MissingData, render_html
from portal.extensions import db
from portal.offices.models import Office
from tests.serving import Client, Server, portal_env

#: What a worker's death or a native crash leaves in gunicorn's log.
CRASH_MARKS = re.compile(
    r"signal 11|SIGSEGV|SIGBUS|SIGABRT|Fatal Python error|Segmentation fault|"
    r"was terminated due to signal|Worker \(pid:\d+\) was sent"
)
_VERSION = re.compile(r'name="version" (?:type="hidden" )?value="(\d*)"')


@dataclass
class SoakResult:
    seconds: float
    requests: Counter = field(default_factory=Counter)
    statuses: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    crashes: list[str] = field(default_factory=list)
    workers_before: list[int] = field(default_factory=list)
    workers_after: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.requests.values())

    @property
    def ok(self) -> bool:
        return (
            not self.errors
            and not self.crashes
            and self.workers_before == self.workers_after
            and self.total > 0
        )

    def summary(self) -> str:
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(self.requests.items()))
        return (
            f"{self.total} requests in {self.seconds:.0f} s ({kinds}); "
            f"statuses {dict(self.statuses)}; "
            f"{len(self.errors)} errors; {len(self.crashes)} crash lines; workers "
            f"{'unchanged' if self.workers_before == self.workers_after else 'RESTARTED'}"
        )


def prepare(folder: Path, database_uri: str | None = None) -> tuple[str, dict]:
    """A database with the demo data; which applications each demo clerk may print and save."""
    uri = database_uri or f"sqlite:///{folder / 'soak.db'}"
    setup = create_app({"TESTING": True, "SECRET_KEY": "soak", "SQLALCHEMY_DATABASE_URI": uri})
    plan: dict[str, dict[str, list[int]]] = {}
    with setup.app_context():
        db.create_all()
        load_demo()
        db.session.commit()
        for username, office in (("ruoqiang", "若羌"), ("hejing", "和静")):
            apps = db.session.scalars(
                sa.select(Application)
                .join(Office, Office.id == Application.office_id)
                .where(Office.name.contains(office))
                .order_by(Application.id)
            ).all()
            printable = []
            with setup.test_request_context():
                for a in apps:
                    try:
                        render_html(a, "publicity", preview=False)
                        printable.append(a.id)
                    except MissingData:
                        pass
            plan[username] = {"all": [a.id for a in apps], "printable": printable}
        db.session.remove()
        db.engine.dispose()
    return uri, plan


def run(
    folder: Path,
    seconds: float,
    *,
    workers: int = 2,
    threads: int = 4,
    clients: int = 8,
    database_uri: str | None = None,
) -> SoakResult:
    """Serve the demo data and hit it from `clients` threads for `seconds`.

    A given database (PostgreSQL) is emptied afterwards; by default a SQLite file is used.
    """
    uri, plan = prepare(folder, database_uri)
    try:
        return _run(folder, seconds, uri, plan, workers, threads, clients)
    finally:
        if database_uri:
            cleanup = create_app(
                {"TESTING": True, "SECRET_KEY": "soak", "SQLALCHEMY_DATABASE_URI": uri}
            )
            with cleanup.app_context():
                db.drop_all()
                db.engine.dispose()


def _run(
    folder: Path, seconds: float, uri: str, plan: dict, workers: int, threads: int, clients: int
) -> SoakResult:
    env = portal_env(
        uri,
        folder / "instance",
        JOBS_CONSUMER_THREADS=1,
        DOCUMENT_BATCH_BACKGROUND_THRESHOLD=2,
    )
    log = folder / "server.log"
    result = SoakResult(seconds=seconds)
    lock = threading.Lock()
    with Server("wsgi:app", env, workers=workers, threads=threads, log=log) as server:
        time.sleep(1)
        result.workers_before = sorted(server.worker_pids())
        deadline = time.monotonic() + seconds

        def client(number: int) -> None:
            username = "ruoqiang" if number % 2 == 0 else "hejing"
            ids = plan[username]
            own = ids["all"][(number // 2) % len(ids["all"])]
            rng = random.Random(number)
            with Client(server.port) as c:
                c.login(username, DEMO_PASSWORD)
                while time.monotonic() < deadline:
                    kind, status = _one(c, rng, ids, own)
                    with lock:
                        result.requests[kind] += 1
                        result.statuses[status] += 1
                        if status >= 500 or status == 0:
                            result.errors.append(f"{kind}: {status}")

        pool = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
        for t in pool:
            t.start()
        for t in pool:
            t.join(seconds + 300)
        result.workers_after = sorted(server.worker_pids())
        text = log.read_text(errors="replace")
    result.crashes = [line for line in text.splitlines() if CRASH_MARKS.search(line)]
    return result


def _one(c: Client, rng: random.Random, ids: dict, own: int) -> tuple[str, int]:
    """One request of a clerk's day; (what, status)."""
    roll = rng.random()
    try:
        if roll < 0.35:
            query = rng.choice(["", "?sort=unit&dir=asc", "?status=draft", "?page=1&sort=name"])
            return "list", c.get("/applications/" + query)[0]
        if roll < 0.6:
            term = rng.choice(["买买提", "丽", "6528", "文化", "水利"])
            path = "/applications/?q=" + urllib.parse.quote(term)
            return "search", c.get(path, headers={"HX-Request": "true", "HX-Target": "results"})[0]
        if roll < 0.8:
            page = f"/applications/{own}/summary"
            status, data, _ = c.get(page)
            match = _VERSION.search(data.decode("utf-8", "replace"))
            fields = {
                "text": f"任现职以来认真履行岗位职责（{rng.randint(1, 10**6)}）。",
                "version": match.group(1) if match else "",
                "action": "save",
            }
            return "save", c.post(page, fields)[0]
        if roll < 0.97 and ids["printable"]:
            app_id = rng.choice(ids["printable"])
            kind = rng.choice(["publicity", "commitment", "catalog"])
            return "pdf", c.get(f"/documents/{app_id}/{kind}/pdf")[0]
        if len(ids["printable"]) > 2:
            chosen = ids["printable"][:3]
            page = f"/documents/batch?ids={','.join(map(str, chosen))}"
            fields = [("ids", str(i)) for i in chosen] + [("kinds", "publicity"), ("mode", "zip")]
            status = c.post("/documents/batch/start", fields, token_from=page)[0]
            return "batch", 200 if status == 303 else status
        return "home", c.get("/")[0]
    except Exception as exc:  # a dropped connection is what a crash looks like from outside
        return f"error {type(exc).__name__}", 0
