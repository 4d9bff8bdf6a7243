"""`fieldkit --self-test`, the check an installed bundle runs in CI, from the source tree:
it passes on a whole installation and fails loudly on a broken input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from fieldkit.sync import embedded

OLD_DB = Path(__file__).parent / "data" / "db" / "fieldkit-0001.db"


def fieldkit(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "fieldkit", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def test_self_test_passes_and_upgrades_the_first_release_data_file() -> None:
    result = fieldkit("--self-test", "--upgrade-from", str(OLD_DB))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line.strip() for line in result.stdout.splitlines()]
    oks = [line for line in lines if line.startswith("ok")]
    assert len(oks) == 8, result.stdout
    assert any(line.startswith("ok    service center console: templates") for line in oks)
    assert any(line.startswith("ok    local service center: seeded") for line in oks)
    assert any(line.startswith("ok    camera support: libffmpegmediaplugin") for line in oks)
    assert any("fieldkit-0001.db -> schema" in line for line in oks)
    assert any("服务单" in line for line in oks)
    assert lines[-1] == "self-test passed"


def test_self_test_fails_on_a_data_file_it_cannot_open(tmp_path: Path) -> None:
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"this is not a database" * 100)
    result = fieldkit("--self-test", "--upgrade-from", str(broken))
    assert result.returncode == 1
    assert "FAIL  upgrade an older data file" in result.stdout
    assert "self-test FAILED: 1 check(s)" in result.stdout


def test_a_frozen_build_runs_its_own_executable_as_the_demo_center(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    assert embedded.server_command()[1:] == ["-m", "fieldkit.server"]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    command = embedded.server_command()
    assert command == [sys.executable, embedded.EMBEDDED_SERVER_FLAG]
    # The bundle's executable answers that flag with the service center's command line.
    result = fieldkit(embedded.EMBEDDED_SERVER_FLAG, "--version")
    assert result.returncode == 0
    assert result.stdout.startswith("fieldkit-server ")


def test_without_the_camera_extra_a_pip_install_is_still_whole() -> None:
    """QtMultimedia hidden, as in `pip install fieldkit` without [camera]: the check says
    photos come from files, and passes; a bundle (frozen) would fail it instead."""
    hide = "import sys; sys.modules['PySide6.QtMultimedia'] = None"
    run = "from fieldkit.self_test import run; raise SystemExit(run())"
    result = subprocess.run(
        [sys.executable, "-c", f"{hide}; {run}"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok    camera support: not installed (the 'camera' extra)" in result.stdout
