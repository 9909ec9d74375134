"""Freed memory goes back to the system after large work (glibc); a no-op elsewhere."""

from __future__ import annotations

import subprocess
import sys

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
