"""The benchmark: every measure of issue 12 beside its anchor, in one run, as one table.

    python -m tests.benchmarks [--sizes 1000,10000,50000] [--seconds 10] [--runs 3]
                               [--soak 300] [--only latency,server,memory,pdf,roster,soak]
                               [--data DIR]

Builds the data (the demo plus one office with 1k / 10k / 50k applications, kept in DIR for
the next run), then measures: the pages' latency and SQL statements by size (in-process);
the list and the section save under 8 clients on gunicorn beside bare Flask on the same
settings; a worker's memory; PDFs beside ReportLab drawing the same text with the same fonts,
and a 200-document batch as a job; roster exports beside openpyxl write-only and the csv
module; a soak (2 workers × 4 threads, 8 clients, faulthandler on). Only 127.0.0.1 is used.
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing as mp
import os
import re
import resource
import shutil
import statistics
import tempfile
import time
import urllib.parse
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event

from portal import create_app
from portal import memory as portal_memory
from portal.applications.models import Application
from portal.extensions import db
from tests.benchmarks import anchors, data, load
from tests.serving import Client, Server, form_fields, have_gunicorn, portal_env, rss_mb

LATENCY_CASES = {
    "list, default sort": "/applications/",
    "list, sort by unit": "/applications/?sort=unit&dir=asc",
    "list, page 20": "/applications/?page=20",
    "search name (htmx)": "/applications/?q=" + urllib.parse.quote("买买提"),
    "search ID digits (htmx)": "/applications/?q=19861",
    "filter status": "/applications/?status=reported",
    "dashboard": "/",
}
PAGES = [
    "/",
    "/applications/",
    "/applications/?sort=unit&dir=asc",
    "/applications/?q=" + urllib.parse.quote("买买提"),
    "/units",
    "/campaigns/",
    "/rosters/",
    "/documents/templates/",
    "/applications/new",
]
TABLE: list[tuple[str, str, str, str, str]] = []


def row(what: str, portal: str, anchor: str = "", ratio: str = "", target: str = "") -> None:
    """One line of the final table (printed as it is measured, too)."""
    TABLE.append((what, portal, anchor, ratio, target))
    print(f"  {what}: {portal}" + (f" | anchor {anchor}" if anchor else "") + f" {ratio}")


def _app(dataset: data.Dataset):
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "SQLALCHEMY_DATABASE_URI": dataset.uri,
            "JOBS_QUEUE_URL": "memory://",
            "JOBS_CONSUMER_THREADS": 0,
        }
    )


# --------------------------------------------------------------------------- latency


def latency(datasets: list[data.Dataset]) -> None:
    """Median ms and SQL statements per request of each page, by size (in-process)."""
    print("\n== Latency by size (in-process, median of 7; SQL statements per request)")
    results: dict[str, dict[int, tuple[float, int]]] = {k: {} for k in LATENCY_CASES}
    cold: dict[int, float] = {}
    for ds in datasets:
        app = _app(ds)
        with app.app_context():
            db.session.execute(sa.text("DELETE FROM check_summary"))
            db.session.commit()
            client = app.test_client()
            client.post("/login", data={"username": data.USER, "password": data.PASSWORD})
            t = time.perf_counter()
            client.get("/")  # the dashboard computes its 300 summaries once
            cold[ds.n] = 1000 * (time.perf_counter() - t)
            count = 0

            def on_execute(*_a, **_k):
                nonlocal count
                count += 1

            event.listen(db.engine, "before_cursor_execute", on_execute)
            for name, url in LATENCY_CASES.items():
                headers = {"HX-Request": "true", "HX-Target": "results"} if "htmx" in name else {}
                client.get(url, headers=headers)
                times = []
                count = 0
                for _ in range(7):
                    t = time.perf_counter()
                    response = client.get(url, headers=headers)
                    times.append(1000 * (time.perf_counter() - t))
                    assert response.status_code == 200, (url, response.status_code)
                results[name][ds.n] = (statistics.median(times), count // 7)
            event.remove(db.engine, "before_cursor_execute", on_execute)
            db.session.remove()
            db.engine.dispose()
    sizes = [ds.n for ds in datasets]
    print(f"  {'case':<26}" + "".join(f"{n:>10,}" for n in sizes) + "   ratio  SQL/req")
    for name, by_size in results.items():
        ms = [by_size[n][0] for n in sizes]
        sql = {by_size[n][1] for n in sizes}
        ratio = ms[-1] / ms[0] if ms[0] else 0
        print(
            f"  {name:<26}"
            + "".join(f"{m:>10.1f}" for m in ms)
            + f"{ratio:>8.2f}  {'/'.join(map(str, sorted(sql)))}"
        )
        target = {"dashboard": "≤ 30 ms, flat", "list, sort by unit": "flat in n"}.get(name, "")
        row(
            f"{name}, {' / '.join(f'{n // 1000}k' for n in sizes)}",
            " / ".join(f"{m:.0f} ms" for m in ms) + f" ({'/'.join(map(str, sorted(sql)))} SQL)",
            f"{results['list, default sort'][sizes[0]][0]:.0f} ms (default list, {sizes[0]:,})",
            f"{ratio:.2f}× {sizes[-1] // 1000}k/{sizes[0] // 1000}k",
            target,
        )
    row(
        "dashboard, first visit (300 summaries computed)",
        " / ".join(f"{cold[n]:.0f} ms" for n in sizes),
        target="once per changed application",
    )


# --------------------------------------------------------------------------- server


class SavePlan:
    """Each client saves the basic section of its own draft, the phone changing each time."""

    def __init__(self, ids: list[int], fields: dict[int, list[tuple[str, str]]]) -> None:
        self.ids, self.fields = ids, fields

    def start(self, client: Client, number: int) -> SavePlan:
        self.client = client
        self.app_id = self.ids[number % len(self.ids)]
        self.path = f"/applications/{self.app_id}/basic"
        self.token = client.token(self.path)
        _, page, _ = client.get(self.path)
        self.version = _version(page)
        # A browser follows the save's redirect, whose page shows the flash and drops it from
        # the session: each save starts from this session, not from one holding every flash
        # of the run (the cookie decoded and signed again grew with each save).
        self.cookies = dict(client.cookies)
        return self

    def next(self, i: int):
        self.client.cookies = dict(self.cookies)
        fields = [
            (k, f"139{(self.app_id * 7919 + i) % 10**8:08d}" if k == "phone" else v)
            for k, v in self.fields[self.app_id]
            if k != "version"
        ]
        fields += [("version", self.version), ("action", "save"), ("csrf_token", self.token)]
        return "POST", self.path, urllib.parse.urlencode(fields), 302

    def seen(self, status: int, body: bytes) -> None:
        if status == 302:
            self.version = str(int(self.version or 0) + 1)
        else:  # a conflict page carries the stored version
            self.version = _version(body) or self.version


class BarePost:
    """The anchor of the save: the same form posted to bare Flask."""

    def __init__(self, fields: list[tuple[str, str]]) -> None:
        self.body = urllib.parse.urlencode(fields)

    def start(self, client: Client, number: int) -> BarePost:
        return self

    def next(self, i: int):
        return "POST", "/save", self.body, 302

    def seen(self, status: int, body: bytes) -> None:
        pass


def _version(page: bytes) -> str:
    match = re.search(rb'name="version" (?:type="hidden" )?value="(\d*)"', page)
    return match.group(1).decode() if match else ""


def _save_fields(ds: data.Dataset) -> dict[int, list[tuple[str, str]]]:
    """The basic section of each draft as a browser posts it."""
    from portal.applications import sections
    from portal.applications.operations import office_units

    app = _app(ds)
    out = {}
    with app.app_context(), app.test_request_context():
        for app_id in ds.draft_ids:
            application = db.session.get(Application, app_id)
            units = office_units(application.office_id)
            stored = application.section("basic")
            form = sections.build_form("basic", application, data=stored.data, units=units)
            out[app_id] = form_fields(form)
        db.session.remove()
        db.engine.dispose()
    return out


def server(ds: data.Dataset, folder: Path, seconds: float, runs: int) -> None:
    """The list and the save under 8 clients, beside bare Flask on the same settings."""
    print(f"\n== Under load: 8 clients, {seconds:.0f} s × {runs} runs, {ds.n:,} applications")
    fields = _save_fields(ds)
    anchor_fields = next(iter(fields.values()))
    login = (data.USER, data.PASSWORD)
    env = portal_env(ds.uri, folder / "instance")
    for workers, threads in ((2, 4), (1, 8)):
        setting = f"{workers} worker{'s' if workers > 1 else ''} × {threads} threads"
        with Server("tests.benchmarks.bare:app", {}, workers, threads) as bare:
            pids = bare.worker_pids()
            page = load.median_run(runs, bare.port, ["/"], seconds=seconds, pids=pids)
            post = load.median_run(
                runs, bare.port, BarePost(anchor_fields), seconds=seconds, pids=pids
            )
        with Server("wsgi:app", env, workers, threads, log=folder / "server.log") as portal:
            pids = portal.worker_pids()
            lst = load.median_run(
                runs, portal.port, ["/applications/"], seconds=seconds, login=login, pids=pids
            )
            save = load.median_run(
                runs,
                portal.port,
                SavePlan(ds.draft_ids, fields),
                seconds=seconds,
                login=login,
                pids=pids,
            )
        row(
            f"applications list, {ds.n // 1000}k, {setting}",
            f"{lst} ({lst.errors} errors)",
            f"bare Flask 32 KB: {page}",
            f"{100 * lst.rps / page.rps:.1f} %",
            "≥ 10 %, p95 ≤ 100 ms",
        )
        row(
            f"section save (basic, POST + checks), {setting}",
            f"{save} ({save.errors} errors)",
            f"bare Flask POST, same form: {post}",
            f"{100 * save.rps / post.rps:.1f} %",
            "≥ 15 %, p95 ≤ 100 ms",
        )


# --------------------------------------------------------------------------- memory


def settled_rss(pid: int) -> float:
    """RSS of a worker once it has been idle long enough to hand freed memory back."""
    time.sleep(portal_memory.IDLE_SECONDS + 0.5)
    return rss_mb(pid)


def memory(ds: data.Dataset, folder: Path) -> None:
    """A worker's RSS: idle after the pages, after a PDF, after 100 PDFs and 3 exports."""
    print(f"\n== Memory of one worker (gunicorn 1 × 8), {ds.n:,} applications")
    # The 3 exports written within the request, as the figures have always been taken.
    env = portal_env(ds.uri, folder / "instance-memory", ROSTER_JOB_THRESHOLD=10**9)
    with Server("tests.benchmarks.bare:app", {}, 1, 8) as bare:
        Client(bare.port).get("/")
        bare_rss = rss_mb(bare.worker_pids()[0])
    with Server("wsgi:app", env, 1, 8, log=folder / "memory.log") as s, Client(s.port) as c:
        pid = s.worker_pids()[0]
        c.login(data.USER, data.PASSWORD)
        pages = [*PAGES, f"/applications/{ds.printable_ids[0]}/basic"]
        pages += [
            f"/documents/{ds.printable_ids[0]}/",
            f"/applications/{ds.printable_ids[0]}/review",
        ]
        for path in pages:
            status, _, _ = c.get(path)
            assert status == 200, (path, status)
        idle = rss_mb(pid)
        assert c.get(f"/documents/{ds.printable_ids[0]}/publicity/pdf")[0] == 200
        first = settled_rss(pid)
        kinds = ["publicity", "commitment", "catalog"]
        for i in range(100):
            app_id = ds.printable_ids[i % len(ds.printable_ids)]
            assert c.get(f"/documents/{app_id}/{kinds[i % 3]}/pdf")[0] == 200
        after_pdfs = settled_rss(pid)
        fields = {"format": "xlsx", "status": "reported"}
        for _ in range(3):
            status, _, _ = c.post("/rosters/export", fields, token_from="/rosters/")
            assert status == 200, status
        after = settled_rss(pid)
    row(
        f"idle worker after {len(pages)} pages ({ds.n // 1000}k applications)",
        f"{idle:.0f} MB",
        f"bare Flask worker: {bare_rss:.0f} MB",
        "",
        "≤ 150 MB",
    )
    row("after the first PDF (fonts loaded)", f"{first:.0f} MB")
    row(
        "after 100 PDFs and 3 roster exports",
        f"{after_pdfs:.0f} MB / {after:.0f} MB",
        f"after the first PDF: {first:.0f} MB",
        f"+{100 * (after - first) / first:.1f} %",
        "≤ +10 %",
    )


# --------------------------------------------------------------------------- PDFs


def pdfs(ds: data.Dataset) -> None:
    """Each document beside ReportLab drawing its text; a 200-document batch as a job.

    Both are timed in CPU time of this process (single-threaded, so the same work whatever
    else the machine runs), median of 9: first the portal's, then the anchor's (in turns, the
    anchor would pay for the memory each PDF hands back to the system).
    """
    from portal.documents.pdf import page_count
    from portal.documents.render import document_fonts, render_pdf

    print("\n== PDFs (CPU time, median of 9) beside ReportLab drawing the same text, same fonts")
    app = _app(ds)
    with app.app_context(), app.test_request_context():
        application = db.session.get(Application, ds.printable_ids[0])
        fonts = document_fonts()
        for kind in ("publicity", "commitment", "catalog"):
            pdf = render_pdf(application, kind)
            text = anchors.pdf_lines(pdf)
            anchors.reportlab_draw(text, fonts.body_path, fonts.heading_path)
            times, anchor_times = [], []
            for _ in range(9):
                t = time.process_time()
                render_pdf(application, kind)
                times.append(time.process_time() - t)
            for _ in range(9):
                t = time.process_time()
                anchors.reportlab_draw(text, fonts.body_path, fonts.heading_path)
                anchor_times.append(time.process_time() - t)
            ours, theirs = statistics.median(times), statistics.median(anchor_times)
            row(
                f"PDF {kind} ({page_count(pdf)} p., {len(pdf) // 1024} KB)",
                f"{1000 * ours:.0f} ms CPU",
                f"ReportLab canvas: {1000 * theirs:.0f} ms CPU",
                f"{ours / theirs:.1f}×",
                "keep ≈ 1.9× / 2.6× / 3.8×",
            )
        db.session.remove()
    ctx = mp.get_context("fork")
    with ctx.Pool(1) as pool:
        seconds, size, pages, peak = pool.apply(_batch_job, (ds,))
    row(
        f"batch of {pages} publicity notices, merged, as a job",
        f"{seconds:.1f} s, {size / 1e6:.1f} MB, {pages} pages",
        f"peak RSS +{peak:.0f} MB",
        f"{size / pages / 1024:.0f} KB/page",
        "7 s; no PDF list in memory",
    )


def _batch_job(ds: data.Dataset) -> tuple[float, int, int, float]:
    """In a fresh process: submit a merged batch of 200 and run it; time, size, peak RSS."""
    from portal.auth.models import User
    from portal.documents import jobs as document_jobs
    from portal.documents.batch import BatchSpec
    from portal.documents.pdf import page_count
    from portal.documents.render import document_fonts
    from portal.jobs import runner

    app = _app(ds)
    with app.app_context(), app.test_request_context():
        document_fonts()
        gc.collect()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        owner = db.session.scalar(sa.select(User).where(User.username == data.USER))
        apps = [db.session.get(Application, i) for i in (ds.printable_ids * 2)[:200]]
        apps = list({a.id: a for a in apps}.values())
        t = time.perf_counter()
        spec = BatchSpec(tuple(a.id for a in apps), ("publicity",))
        job = document_jobs.start_batch(spec, apps, owner, total=len(apps))
        app.extensions["portal_jobs"].run_pending()
        seconds = time.perf_counter() - t
        db.session.refresh(job)
        path = runner.result_path(job)
        assert path is not None, (job.status, job.error, job.problems)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - before
        return seconds, path.stat().st_size, page_count(path.read_bytes()), peak


# --------------------------------------------------------------------------- roster


def roster(ds: data.Dataset, runs: int) -> None:
    """Roster exports of the whole office (every status) beside openpyxl write-only and the csv
    module, each in a fresh process (medians of `runs`): its peak RSS and what it keeps after."""
    print(f"\n== Roster export, {ds.n:,} rows")
    for fmt in ("xlsx", "csv"):
        ctx = mp.get_context("fork")
        results = []
        for _ in range(runs):
            with ctx.Pool(1) as pool:
                results.append(pool.apply(_export, (ds, fmt)))
        seconds, cpu, anchor, anchor_cpu = (
            statistics.median(r[0][i] if i < 2 else r[4][i - 2] for r in results) for i in range(4)
        )
        _, memory, rows, cols, _ = results[-1]
        what = "openpyxl write-only" if fmt == "xlsx" else "csv module"
        row(
            f"roster {fmt}, {rows:,} rows × {cols} columns",
            f"{seconds:.2f} s (CPU {cpu:.2f} s), {memory}",
            f"{what}: {anchor:.2f} s (CPU {anchor_cpu:.2f} s)",
            f"{seconds / anchor:.1f}× (CPU {cpu / anchor_cpu:.1f}×)",
            "≤ 2× (xlsx), 250 MB",
        )


def _memory_mb(field: str) -> float:
    """VmRSS (now) or VmHWM (peak since the last reset) of this process, in MB (Linux)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise LookupError(field)


def _export(ds: data.Dataset, fmt: str):
    app = _app(ds)
    with app.app_context():
        client = app.test_client()
        client.post("/login", data={"username": data.USER, "password": data.PASSWORD})
        gc.collect()
        idle = _memory_mb("VmRSS")
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # the peak counts from here (the forked parent's is not ours)
        t, cpu = time.perf_counter(), time.process_time()
        response = client.post("/rosters/export", data={"format": fmt, "status": "all"})
        if response.status_code == 303:  # a large roster: a background job, run here
            assert app.extensions["portal_jobs"].run_pending() == 1
            job_id = response.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
            response = client.get(f"/jobs/{job_id}/download")
        body = response.get_data()
        response.close()
        seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
        assert response.status_code == 200, response.status_code
        peak = _memory_mb("VmHWM")
        del response
        gc.collect()
        after = _memory_mb("VmRSS")  # the file is still held here, for the anchor
        memory = f"RSS idle {idle:.0f} → peak {peak:.0f} → after {after:.0f} MB"
        rows, cols = anchors.sheet_shape(body, fmt)
        anchor = anchors.write_rows(body, fmt)
        return (seconds, cpu), memory, rows, cols, anchor


# --------------------------------------------------------------------------- soak


def soak(folder: Path, seconds: float) -> None:
    from tests import soak as soaking

    print(f"\n== Soak: 2 workers × 4 threads, 8 clients, {seconds:.0f} s, faulthandler on")
    target = folder / "soak"
    shutil.rmtree(target, ignore_errors=True)  # a fresh database each run
    target.mkdir(parents=True)
    result = soaking.run(target, seconds)
    row(
        "soak (list, search, save, PDF, batch jobs)",
        result.summary(),
        "",
        "",
        "0 crashes, 0 errors",
    )


# --------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks")
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--soak", type=float, default=300)
    parser.add_argument("--only", default="latency,server,memory,pdf,roster,soak")
    parser.add_argument("--data", default=str(Path(tempfile.gettempdir()) / "portal-bench"))
    args = parser.parse_args()
    only = set(args.only.split(","))
    sizes = [int(s) for s in args.sizes.split(",")]
    folder = Path(args.data)
    print(f"Benchmark on {os.cpu_count()} CPUs; data in {folder}")
    datasets = []
    for n in sizes:
        t = time.perf_counter()
        datasets.append(data.build(folder, n))
        print(f"  data: {n:,} applications ready in {time.perf_counter() - t:.0f} s")
    middle = next((ds for ds in datasets if ds.n == 10_000), datasets[len(datasets) // 2])
    if "latency" in only:
        latency(datasets)
    needs_server = {"server", "memory", "soak"} & only
    if needs_server and not have_gunicorn():
        print("gunicorn is not installed: server, memory and soak measures skipped")
        only -= needs_server
    if "server" in only:
        server(middle, folder, args.seconds, args.runs)
    if "memory" in only:  # the smallest office: the roster page is still O(n) (branch roster)
        memory(datasets[0], folder)
    if "pdf" in only:
        pdfs(middle)
    if "roster" in only:
        roster(middle, args.runs)
    if "soak" in only:
        soak(folder, args.soak)
    print("\n| what | portal | anchor | ratio | target |\n|---|---|---|---|---|")
    for line in TABLE:
        print("| " + " | ".join(line) + " |")


if __name__ == "__main__":
    main()
