"""Real servers for the soak test and the benchmark: gunicorn (or waitress) processes on
loopback, logged-in HTTP clients, and the memory of worker processes.

Only 127.0.0.1 is ever contacted; every load loop is bounded in count and time.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def have_gunicorn() -> bool:
    """Whether gunicorn can run here (not on Windows)."""
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass
class Server:
    """A server process serving `app` (module:attribute) on a loopback port."""

    app: str
    env: Mapping[str, str]
    workers: int = 1
    threads: int = 8
    port: int = field(default_factory=free_port)
    log: Path | None = None
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self, timeout: float = 60) -> Server:
        """Start gunicorn and wait until it answers."""
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
            "--bind",
            f"{HOST}:{self.port}",
            "--graceful-timeout",
            "5",
            "--timeout",
            "120",
            self.app,
        ]
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL
        try:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env={**os.environ, **self.env},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        finally:
            if self.log:
                out.close()  # the server has its own copy
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}: {self.log}")
            try:
                with socket.create_connection((HOST, self.port), timeout=1):
                    pass
                # the master listens before the workers have imported the app
                conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
                conn.request("GET", "/login")
                conn.getresponse().read()
                conn.close()
                return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"server did not start in {timeout}s")

    def worker_pids(self) -> list[int]:
        """The worker processes (children of the gunicorn master)."""
        assert self.process is not None
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(p) for p in children.read_text().split()] if children.exists() else []

    def stop(self) -> int | None:
        """Stop the master and its workers; the exit code."""
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            return self.process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            return self.process.wait(10)

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


_TOKEN = re.compile(
    r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"|name="csrf-token" content="([^"]+)"'
)


class Client:
    """One keep-alive HTTP connection with a session cookie (a logged-in clerk)."""

    def __init__(self, port: int, timeout: float = 120) -> None:
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection(HOST, port, timeout=timeout)

    def request(
        self, method: str, path: str, body: str | bytes | None = None, headers=None
    ) -> tuple[int, bytes, http.client.HTTPResponse]:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if isinstance(body, str):
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        for attempt in range(2):
            try:
                self.conn.request(method, path, body, headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (ConnectionError, http.client.HTTPException):
                self.conn.close()
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
                if attempt:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, data, response

    def get(self, path: str, **kw):
        return self.request("GET", path, **kw)

    def token(self, path: str) -> str:
        """The CSRF token of a page."""
        status, data, _ = self.get(path)
        match = _TOKEN.search(data.decode("utf-8", "replace"))
        if not match:
            raise AssertionError(f"no CSRF token on {path} ({status})")
        return match.group(1) or match.group(2)

    def post(self, path: str, fields: list[tuple[str, str]] | dict, token_from: str | None = None):
        """A form POST with the CSRF token of `token_from` (default: the same path)."""
        items = list(fields.items()) if isinstance(fields, dict) else list(fields)
        items.append(("csrf_token", self.token(token_from or path)))
        return self.request("POST", path, urllib.parse.urlencode(items))

    def login(self, username: str, password: str) -> Client:
        status, _, _ = self.post("/login", {"username": username, "password": password})
        if status not in (302, 303):
            raise AssertionError(f"login as {username} answered {status}")
        return self

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


def portal_env(database_uri: str, instance: Path, **settings: object) -> dict[str, str]:
    """The environment of a portal process: database, instance folder, FLASK_* settings."""
    env = {
        "FLASK_SECRET_KEY": "serving-tests-secret-key-0123456789abcdef",
        "FLASK_SQLALCHEMY_DATABASE_URI": database_uri,
        "PORTAL_INSTANCE_PATH": str(instance),
        "PYTHONFAULTHANDLER": "1",
    }
    for name, value in settings.items():
        env[f"FLASK_{name}"] = str(value)
    return env


def form_fields(form) -> list[tuple[str, str]]:
    """What a browser posts for a WTForms form as filled (rows and checkboxes included)."""
    out: list[tuple[str, str]] = []
    for item in form:
        kind = item.type
        if kind in ("CSRFTokenField", "SubmitField"):
            continue
        if kind in ("FieldList", "FormField"):
            for sub in item:
                out.extend(form_fields([sub]) if sub.type != "FormField" else form_fields(sub))
        elif kind == "BooleanField":
            if item.data:
                out.append((item.name, "y"))
        elif kind in ("SelectMultipleField", "MultiCheckboxField"):
            out.extend((item.name, str(v)) for v in item.data or [])
        else:
            value = item._value() if hasattr(item, "_value") else item.data
            out.append((item.name, "" if value is None else str(value)))
    return out


def start_consumer(env: Mapping[str, str], log: Path, threads: int = 1) -> subprocess.Popen:
    """`flask jobs worker` as its own process (stop it with stop_process)."""
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker"]
    with open(log, "ab") as out:
        return subprocess.Popen(
            [*command, "--threads", str(threads)],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop_process(process: subprocess.Popen, sig: int = signal.SIGTERM) -> int:
    """Stop a process group started here; its exit code."""
    if process.poll() is None:
        os.killpg(process.pid, sig)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
    return process.returncode
