"""Freed memory goes back to the system after large work (glibc); a no-op elsewhere."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest

from portal import memory

glibc = pytest.mark.skipif(memory._glibc() is None, reason="needs glibc (Linux)")


@glibc
def test_release_trims_the_heap_on_glibc() -> None:
    assert memory.release() is True


@glibc
def test_an_arena_limit_set_in_the_environment_is_left_to_glibc() -> None:
    code = "from portal import memory; print(memory.limit_arenas())"
    ours = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    env = {"MALLOC_ARENA_MAX": "4", "PATH": ""}
    theirs = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert (ours.stdout.strip(), theirs.stdout.strip()) == ("True", "False")


@glibc
def test_a_burst_of_documents_returns_its_memory_once_when_it_is_over(monkeypatch) -> None:
    # Not after each PDF: the next one would take the same pages back from the system.
    from portal.documents import xhtml2pdf_cjk
    from portal.documents.pdf import html_to_pdf

    xhtml2pdf_cjk.apply()
    released = threading.Event()
    calls: list[int] = []

    def release() -> bool:
        calls.append(1)
        released.set()
        return True

    monkeypatch.setattr(memory, "release", release)
    monkeypatch.setattr(memory, "IDLE_SECONDS", 0.3)
    for _ in range(3):
        html_to_pdf("<p>公示</p>")
    assert calls == []  # none within the burst
    assert released.wait(10)
    time.sleep(0.5)
    assert calls == [1]  # one, once the burst was over
