"""`make test` on a fresh machine: tools/test-deps.sh installs what is missing when it can,
and otherwise stops at once with the one apt-get line to run (here: an unprivileged user,
poppler missing from its PATH, so nothing on this machine is touched)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tools" / "test-deps.sh"
NOBODY = 65534


@pytest.fixture
def open_dir() -> Iterator[Path]:
    """A folder the unprivileged user can enter (pytest's own tmp folders are private)."""
    folder = Path(tempfile.mkdtemp(prefix="fieldkit-deps-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder)


def test_without_rights_it_stops_with_the_one_line_to_run(open_dir: Path) -> None:
    if os.geteuid() != 0:
        pytest.fail("this test switches to an unprivileged user: run the tests as root")
    tmp_path = open_dir
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    # Every tool the script asks for except pdftotext; apt-get and sudo are traps.
    for tool in ("bash", "id", "grep", "ldconfig", "fc-list", "make", "zbarimg", "env"):
        found = shutil.which(tool) or shutil.which(tool, path="/sbin:/usr/sbin")
        if found:
            (bin_dir / tool).symlink_to(found)
    marker = tmp_path / "called"
    for trap in ("apt-get", "sudo"):
        (bin_dir / trap).write_text(f"#!/bin/sh\necho {trap} >> {marker}\nexit 1\n")
        (bin_dir / trap).chmod(0o755)
    script = tmp_path / "test-deps.sh"
    shutil.copy(SCRIPT, script)
    script.chmod(0o755)
    done = subprocess.run(
        [
            "setpriv",
            f"--reuid={NOBODY}",
            f"--regid={NOBODY}",
            "--clear-groups",
            str(bin_dir / "env"),
            "-i",
            f"PATH={bin_dir}",
            str(bin_dir / "bash"),
            str(script),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines[-1].strip().startswith("sudo apt-get install -y --no-install-recommends ")
    assert "poppler-utils" in lines[-1].split()
    # sudo -n was only asked whether it may run; apt-get never ran.
    assert not marker.exists() or "apt-get" not in marker.read_text()


def test_the_makefile_and_ci_use_the_script() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "test: test-deps " in makefile and "\ttools/test-deps.sh" in makefile
    ci = (ROOT / ".ci" / "run").read_text()
    assert "\nmake test\n" in ci and "apt-get install" not in ci.split("make test")[0]
