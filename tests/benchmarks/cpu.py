"""CPU time per request of the list and the section save, beside bare Flask, in-process.

    python -m tests.benchmarks.cpu [--data DIR] [--n 10000] [--requests 200] [--batches 5]
                                   [--profile list|save --out FILE]

Wall-clock throughput on a small shared machine is noisy; the CPU one request costs is not.
Each case runs single-threaded through Flask's test client on the production configuration
(CSRF on, a real login, every hook), `--batches` batches of `--requests` requests, and prints
the median CPU ms per request (``time.process_time``) beside bare Flask's page and POST
(`tests/benchmarks/bare.py`) driven the same way. `--profile` writes a cProfile of one case
(read it with ``python -m pstats FILE``) and prints the top functions.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from portal import create_app
from tests.benchmarks import data
from tests.benchmarks.__main__ import _save_fields, _version
from tests.serving import _TOKEN

FORM = "application/x-www-form-urlencoded"


def _token(page: str) -> str:
    match = _TOKEN.search(page)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


def portal_client(ds: data.Dataset, instance: Path):
    """A logged-in test client of the portal as configured in production (CSRF on)."""
    os.environ["PORTAL_INSTANCE_PATH"] = str(instance)
    app = create_app(
        {
            "SECRET_KEY": "cpu-benchmark-secret-key-0123456789abcdef",
            "SQLALCHEMY_DATABASE_URI": ds.uri,
            "JOBS_QUEUE_URL": "memory://",
            "JOBS_CONSUMER_THREADS": 0,
        }
    )
    client = app.test_client()
    token = _token(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login",
        data={"username": data.USER, "password": data.PASSWORD, "csrf_token": token},
    )
    assert response.status_code in (302, 303), response.status_code
    return app, client


class Save:
    """POST the basic section of one draft, the phone changing each time (as the load test)."""

    def __init__(self, client, app_id: int, fields: list[tuple[str, str]]) -> None:
        self.client, self.app_id, self.fields = client, app_id, fields
        self.path = f"/applications/{app_id}/basic"
        page = client.get(self.path).get_data()
        self.token = _token(page.decode())
        self.version = _version(page)
        # A browser follows the save's redirect, whose page shows the flash and drops it from
        # the session: each save starts from this session, not from one holding every flash.
        self.session = client.get_cookie("session").value
        self.i = 0

    def __call__(self) -> None:
        self.i += 1
        form = [
            (k, f"139{(self.app_id * 7919 + self.i) % 10**8:08d}" if k == "phone" else v)
            for k, v in self.fields
            if k != "version"
        ]
        form += [("version", self.version), ("action", "save"), ("csrf_token", self.token)]
        self.client.set_cookie("session", self.session)
        response = self.client.post(self.path, data=urlencode(form), content_type=FORM)
        assert response.status_code == 302, (response.status_code, response.get_data()[:500])
        self.version = str(int(self.version or 0) + 1)


def cases(ds: data.Dataset, instance: Path) -> dict:
    """name -> a function making one request."""
    from tests.benchmarks.bare import app as bare_app

    _, portal = portal_client(ds, instance)
    bare = bare_app.test_client()
    fields = _save_fields(ds)
    app_id = ds.draft_ids[0]
    save = Save(portal, app_id, fields[app_id])
    anchor_form = urlencode(fields[app_id])

    def listing():
        response = portal.get("/applications/")
        assert response.status_code == 200, response.status_code

    def bare_page():
        assert bare.get("/").status_code == 200

    def bare_post():
        assert bare.post("/save", data=anchor_form, content_type=FORM).status_code == 302

    return {"list": listing, "save": save, "bare page": bare_page, "bare POST": bare_post}


def cpu_ms(call, requests: int, batches: int) -> tuple[float, float]:
    """Median and least over batches of the CPU milliseconds per call.

    On a machine shared with other work the least is the steadier figure (others' load only
    ever adds: caches and the shared cores' pipelines), the median the usual one.
    """
    for _ in range(min(requests, 20)):
        call()  # warm: templates compiled, caches filled
    per = []
    for _ in range(batches):
        t = time.process_time()
        for _ in range(requests):
            call()
        per.append(1000 * (time.process_time() - t) / requests)
    return statistics.median(per), min(per)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.cpu")
    parser.add_argument("--data", default=str(Path(tempfile.gettempdir()) / "portal-bench"))
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--batches", type=int, default=5)
    parser.add_argument("--profile", choices=["list", "save"])
    parser.add_argument("--out", default="")
    parser.add_argument("--spin", choices=["list", "save"], help="only run a case (for py-spy)")
    args = parser.parse_args()
    folder = Path(args.data)
    ds = data.build(folder, args.n)
    run = cases(ds, folder / "instance-cpu")
    if args.spin:
        call = run[args.spin]
        for _ in range(args.requests):
            call()
        return
    if args.profile:
        call = run[args.profile]
        for _ in range(20):
            call()
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.requests):
            call()
        profiler.disable()
        if args.out:
            profiler.dump_stats(args.out)
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumtime").print_stats(40)
        return
    print(
        f"CPU ms per request, {args.n:,} applications (median of {args.batches} × {args.requests})"
    )
    results = {name: cpu_ms(call, args.requests, args.batches) for name, call in run.items()}
    for name, (median, least) in results.items():
        print(f"  {name:<10} {median:6.2f} ms (least {least:.2f})")
    for ours, theirs in (("list", "bare page"), ("save", "bare POST")):
        ratio = 100 * results[theirs][0] / results[ours][0]
        least = 100 * results[theirs][1] / results[ours][1]
        print(f"  {theirs} / {ours}: {ratio:.1f} % (least {least:.1f} %)")


if __name__ == "__main__":
    main()
