"""A load generator: client processes, each with one keep-alive connection, for a fixed time.

Processes rather than threads, so that the clients are not held back by one interpreter's
lock; the same generator drives the portal and its anchor, so their ratio is fair.
"""

from __future__ import annotations

import multiprocessing as mp
import statistics
import time
from dataclasses import dataclass

from tests.serving import Client


@dataclass(frozen=True)
class Load:
    """Requests per second and latency percentiles (ms) of one run."""

    rps: float
    p50: float
    p95: float
    errors: int
    requests: int

    def __str__(self) -> str:
        return f"{self.rps:,.0f} req/s, p50 {self.p50:.0f} ms, p95 {self.p95:.0f} ms"


class Paths:
    """GET these paths in turn, expecting 200."""

    def __init__(self, paths: list[str]) -> None:
        self.paths = paths

    def start(self, client: Client, number: int) -> Paths:
        return self

    def next(self, i: int) -> tuple[str, str, str | None, int]:
        return "GET", self.paths[i % len(self.paths)], None, 200

    def seen(self, status: int, data: bytes) -> None:
        pass


def _client(args) -> tuple[list[float], int, float]:
    port, login, plan, seconds, number = args
    latencies: list[float] = []
    errors = 0
    with Client(port) as c:
        if login:
            c.login(*login)
        plan = plan.start(c, number)
        started = time.monotonic()
        deadline = started + seconds
        i = 0
        while time.monotonic() < deadline:
            method, path, body, expect = plan.next(i)
            i += 1
            t = time.perf_counter()
            try:
                status, data, _ = c.request(method, path, body)
            except OSError:
                errors += 1
                continue
            latencies.append(time.perf_counter() - t)
            plan.seen(status, data)
            if status != expect:
                errors += 1
        elapsed = time.monotonic() - started
    return latencies, errors, elapsed


def run(port: int, plan, *, clients: int = 8, seconds: float = 10, login=None) -> Load:
    """Hit the server with `clients` processes for `seconds`.

    `plan` is a list of paths to GET in turn, or an object (picklable) whose start(client,
    number) gives each client process its own plan: next(i) -> (method, path, body, expected
    status), seen(status, body).
    """
    plan = Paths(plan) if isinstance(plan, list) else plan
    ctx = mp.get_context("fork")
    with ctx.Pool(clients) as pool:
        parts = pool.map(_client, [(port, login, plan, seconds, k) for k in range(clients)])
    latencies = sorted(x for part, _, _ in parts for x in part)
    errors = sum(e for _, e, _ in parts)
    if not latencies:
        return Load(0, 0, 0, errors, 0)
    return Load(
        rps=sum(len(part) / elapsed for part, _, elapsed in parts),
        p50=1000 * statistics.median(latencies),
        p95=1000 * latencies[int(len(latencies) * 0.95)],
        errors=errors,
        requests=len(latencies),
    )


def median_run(runs: int, *args, **kwargs) -> Load:
    """The run with the median throughput of `runs` runs."""
    results = sorted((run(*args, **kwargs) for _ in range(runs)), key=lambda r: r.rps)
    return results[len(results) // 2]
