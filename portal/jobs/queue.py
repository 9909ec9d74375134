"""The task queue behind the jobs (Huey), and the consumers that take tasks from it.

JOBS_QUEUE_URL chooses the queue's storage:

- empty (the default): Huey's SQLite storage in the instance folder (``jobs/queue.db``) —
  one server, any number of worker processes;
- ``redis://host:6379/0``: Redis (``pip install -e ".[redis]"``), for several application
  servers sharing a PostgreSQL database and a jobs folder;
- ``memory://``: in this process only; the tests run the queue with `run_pending`.

Consumers: with JOBS_CONSUMER_THREADS > 0 (the default, 1) every application process runs
that many consumer threads, started at its first request — `flask run`, waitress or
gunicorn need nothing else. With 0, run ``flask --app wsgi jobs worker`` (Huey's consumer)
beside the web server, e.g. as a systemd unit.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path

from flask import Flask
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer

from portal.jobs import runner

log = logging.getLogger(__name__)

QUEUE_NAME = "portal"
#: How often an idle in-process consumer looks at the queue (seconds).
POLL_SECONDS = 0.5
#: How often a consumer runs runner.sweep (seconds).
SWEEP_SECONDS = 60


class QueueConfigError(ValueError):
    """JOBS_QUEUE_URL names no storage the portal knows."""


def make_huey(app: Flask) -> Huey:
    """A Huey instance on the configured storage (see the module docstring)."""
    url = app.config.get("JOBS_QUEUE_URL") or ""
    if not url:
        folder = Path(app.config.get("JOBS_FOLDER") or Path(app.instance_path) / "jobs")
        folder.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{folder / 'queue.db'}"
    if url.startswith("sqlite:///"):
        filename = Path(url.removeprefix("sqlite:///"))
        filename.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(QUEUE_NAME, filename=str(filename), results=False)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(QUEUE_NAME, url=url, results=False)
    if url == "memory://":
        return MemoryHuey(QUEUE_NAME, results=False)
    raise QueueConfigError(
        f"JOBS_QUEUE_URL={url!r}：请使用 sqlite:///路径、redis://主机:端口/库，"
        "或留空（实例目录中的 SQLite）。"
    )


class JobQueue:
    """The app's queue: one Huey instance per process (never shared across a fork)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._huey: Huey | None = None
        self._run_job = None
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def huey(self) -> Huey:
        """This process's Huey instance, made at first use (again in a forked child)."""
        with self._lock:
            if self._pid != os.getpid():
                self._huey = make_huey(self.app)
                self._run_job = self._huey.task(name="run_job")(self._task)
                self._huey.periodic_task(crontab(), name="sweep_jobs")(self._sweep)
                self._pid = os.getpid()
                self._threads = []
            return self._huey

    def _task(self, job_id: str) -> None:
        with self.app.app_context():
            runner.execute(job_id)

    def _sweep(self) -> None:
        with self.app.app_context():
            counts = runner.sweep()
        if any(counts.values()):
            log.info("jobs sweep: %s", counts)

    def enqueue(self, job_id: str) -> None:
        """Put a job's task on the queue."""
        self.huey  # noqa: B018  (makes the task in this process)
        self._run_job(job_id)

    def run_pending(self) -> int:
        """Run the queued tasks in this thread until the queue is empty; how many ran."""
        huey, ran = self.huey, 0
        while (task := huey.dequeue()) is not None:
            huey.execute(task)
            ran += 1
        return ran

    # ------------------------------------------------------------------ consumers

    def start_threads(self, count: int) -> None:
        """Start `count` in-process consumer threads, once per process."""
        huey = self.huey
        with self._lock:
            if self._threads:
                return
            self._stop.clear()
            self._threads = [
                threading.Thread(
                    target=self._consume, args=(huey, i == 0), name=f"jobs-{i}", daemon=True
                )
                for i in range(count)
            ]
            for thread in self._threads:
                thread.start()

    def stop_threads(self, timeout: float = 10) -> None:
        """Stop the in-process consumer threads (after their current job)."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)
        self._threads = []

    def _consume(self, huey: Huey, sweeps: bool) -> None:
        """One consumer thread: take a task, run it; the first thread also sweeps."""
        last_sweep = 0.0
        while not self._stop.is_set():
            if sweeps and time.monotonic() - last_sweep >= SWEEP_SECONDS:
                last_sweep = time.monotonic()
                try:
                    self._sweep()
                except Exception:
                    log.exception("jobs sweep failed")
            try:
                task = huey.dequeue()
            except Exception:  # the queue's storage is unreachable: try again later
                log.exception("cannot read the jobs queue")
                self._stop.wait(5)
                continue
            if task is None:
                self._stop.wait(POLL_SECONDS)
            else:
                huey.execute(task)

    def run_worker(self, workers: int) -> None:
        """Run Huey's consumer in this process until it is stopped (`flask jobs worker`)."""
        self._sweep()
        Consumer(self.huey, workers=workers, worker_type="thread", periodic=True).run()


def init_app(app: Flask) -> JobQueue:
    """Attach the queue to the app; start in-process consumers at the first request."""
    queue = JobQueue(app)
    app.extensions["portal_jobs"] = queue
    threads = int(app.config.get("JOBS_CONSUMER_THREADS") or 0)
    if threads > 0:

        @app.before_request
        def _start_consumers() -> None:
            if not queue._threads or queue._pid != os.getpid():
                queue.start_threads(threads)

    return queue
