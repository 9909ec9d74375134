"""Hand memory freed by a large piece of work (a PDF, an export, a job) back to the system.

CPython frees a rendered PDF's objects, but glibc's allocator keeps the freed pages, in one
arena per thread: a worker with 8 threads that made 100 PDFs stayed ~25 % larger than after
one, though nothing was alive. With one arena (the GIL serialises Python's allocations
anyway) and `malloc_trim` once the PDFs are over it stays within 2 %. Elsewhere (Windows,
macOS, musl) this does nothing.

Not after each PDF: the next one takes the same memory back from the system page by page
(ReportLab copies each font's glyph table, ~25 MB, to subset it), ~7–9 ms of system time a
document, more than laying out a one-page notice. A burst of documents returns its memory
once, IDLE_SECONDS after the last (`release_when_idle`).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
import threading
import time

#: mallopt's parameter number for the most arenas (glibc's malloc.h).
M_ARENA_MAX = -8

#: Seconds without another large piece of work before its memory is returned.
IDLE_SECONDS = 0.5

_idle = threading.Condition()
_idle_due: float | None = None
_idle_thread: threading.Thread | None = None

_libc: ctypes.CDLL | None = None
_loaded = False


def _glibc() -> ctypes.CDLL | None:
    """The C library if it is glibc (has malloc_trim and mallopt), else None."""
    global _libc, _loaded
    if not _loaded:
        _loaded = True
        if sys.platform.startswith("linux"):
            try:
                libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
                libc.malloc_trim, libc.mallopt  # noqa: B018  (glibc has both)
                _libc = libc
            except (OSError, AttributeError):
                _libc = None
    return _libc


def limit_arenas(count: int = 1) -> bool:
    """Let threads created from now on share `count` malloc arenas (unless MALLOC_ARENA_MAX
    is set in the environment, which glibc reads itself); whether that was possible."""
    libc = _glibc()
    if libc is None or os.environ.get("MALLOC_ARENA_MAX"):
        return False
    return bool(libc.mallopt(M_ARENA_MAX, count))


def release() -> bool:
    """Return freed heap memory to the system; whether that was possible here."""
    libc = _glibc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True


def release_when_idle(delay: float | None = None) -> bool:
    """Return freed memory once `delay` (IDLE_SECONDS) seconds pass without another call;
    whether it will. Each call puts the release off again, so a burst of PDFs pays for it
    once, at its end. One thread per process waits for that (no thread started per call).
    """
    global _idle_due, _idle_thread
    if _glibc() is None:
        return False
    with _idle:
        _idle_due = time.monotonic() + (IDLE_SECONDS if delay is None else delay)
        if _idle_thread is None or not _idle_thread.is_alive():
            _idle_thread = threading.Thread(
                target=_release_when_due, name="portal-release-memory", daemon=True
            )
            _idle_thread.start()
        _idle.notify()
    return True


def _release_when_due() -> None:
    """Wait until the last release_when_idle's time has come, release, wait again."""
    global _idle_due
    while True:
        with _idle:
            while _idle_due is None or (left := _idle_due - time.monotonic()) > 0:
                _idle.wait(None if _idle_due is None else left)
            _idle_due = None
        release()


def _after_fork_in_child() -> None:
    """A forked worker starts with nothing pending and no waiting thread (it is not copied)."""
    global _idle, _idle_due, _idle_thread
    _idle, _idle_due, _idle_thread = threading.Condition(), None, None


if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork
    os.register_at_fork(after_in_child=_after_fork_in_child)
