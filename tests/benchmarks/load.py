"""A load generator: client processes, each with one keep-alive connection, for a fixed time.

Processes rather than threads, so that the clients are not held back by one interpreter's
lock; the same generator drives the portal and its anchor, so their ratio is fair.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from tests.serving import Client


@dataclass(frozen=True)
class Load:
    """Requests per second and latency percentiles (ms) of one run."""

    rps: float
    p50: float
    p95: float
    errors: int
    requests: int
    #: CPU milliseconds the server's workers spent per request (0: not measured)
    cpu_ms: float = 0.0

    def __str__(self) -> str:
        cpu = f", {self.cpu_ms:.2f} ms CPU/req" if self.cpu_ms else ""
        return f"{self.rps:,.0f} req/s, p50 {self.p50:.0f} ms, p95 {self.p95:.0f} ms{cpu}"


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds the processes have used (Linux /proc)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / os.sysconf("SC_CLK_TCK")


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


#: Set in the parent before the clients fork: they wait there once logged in.
_READY = None


def _client(args) -> tuple[list[float], int, float]:
    port, login, plan, seconds, number = args
    latencies: list[float] = []
    errors = 0
    with Client(port) as c:
        if login:
            c.login(*login)
        plan = plan.start(c, number)
        if _READY is not None:
            _READY.wait(120)  # every client logged in: the run (and its CPU count) starts
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


def run(port: int, plan, *, clients: int = 8, seconds: float = 10, login=None, pids=()) -> Load:
    """Hit the server with `clients` processes for `seconds`.

    `plan` is a list of paths to GET in turn, or an object (picklable) whose start(client,
    number) gives each client process its own plan: next(i) -> (method, path, body, expected
    status), seen(status, body). `pids`: the server's workers, whose CPU time per request is
    measured (logins and the clients' first pages included).
    """
    plan = Paths(plan) if isinstance(plan, list) else plan
    ctx = mp.get_context("fork")
    global _READY
    _READY = ctx.Barrier(clients + 1)  # inherited by the forked clients
    try:
        with ctx.Pool(clients) as pool:
            result = pool.map_async(
                _client, [(port, login, plan, seconds, k) for k in range(clients)]
            )
            _READY.wait(120)  # the logins (a password hash each) are not counted
            cpu_before = cpu_seconds(list(pids))
            parts = result.get()
            cpu = cpu_seconds(list(pids)) - cpu_before
    finally:
        _READY = None
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
        cpu_ms=1000 * cpu / len(latencies) if pids else 0.0,
    )


def median_run(runs: int, *args, **kwargs) -> Load:
    """The run with the median throughput of `runs` runs."""
    results = sorted((run(*args, **kwargs) for _ in range(runs)), key=lambda r: r.rps)
    return results[len(results) // 2]
