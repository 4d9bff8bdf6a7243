"""A small real filesystem for storage-failure tests: a tmpfs of a few MB (as root), else a
loop-mounted ext2 image. Neither possible is a loud failure, never a skip: the test of
"nothing committed is lost on a full disk" must run."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


def _run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=60)


@contextlib.contextmanager
def small_disk(mount_point: Path, size_mb: int = 2) -> Iterator[Path]:
    mount_point.mkdir(parents=True, exist_ok=True)
    tried = _run(
        "mount", "-t", "tmpfs", "-o", f"size={size_mb}m,mode=0777", "tmpfs", str(mount_point)
    )
    if tried.returncode != 0:
        image = mount_point.with_suffix(".img")
        with image.open("wb") as fh:
            fh.truncate(size_mb << 20)
        made = _run("mkfs.ext2", "-q", "-F", str(image))
        looped = (
            _run("mount", "-o", "loop", str(image), str(mount_point))
            if made.returncode == 0
            else made
        )
        if looped.returncode != 0:
            pytest.fail(
                "cannot mount a small filesystem for the full-disk test (run the tests as "
                f"root): tmpfs: {tried.stderr.strip()}; loop: {looped.stderr.strip()}"
            )
    try:
        yield mount_point
    finally:
        _run("umount", "-l", str(mount_point))


def fill(folder: Path) -> Path:
    """Write a filler file until the filesystem has no byte left."""
    filler = folder / "filler.bin"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        for size in (1 << 16, 1 << 10, 1):
            block = b"\0" * size
            with contextlib.suppress(OSError):
                while os.write(fd, block) == size:
                    pass
    finally:
        os.close(fd)
    return filler


def remount(folder: Path, mode: str) -> None:
    """Make the small filesystem read-only ("ro") or writable again ("rw")."""
    done = _run("mount", "-o", f"remount,{mode}", str(folder))
    if done.returncode != 0:
        pytest.fail(f"cannot remount {folder} {mode}: {done.stderr.strip()}")
