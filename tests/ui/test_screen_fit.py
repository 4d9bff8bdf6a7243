"""The app on the screens it is made for, each in a fresh interpreter whose Qt offscreen
platform is configured as that screen (size, scale set by the OS or by FieldKit's own
setting, pixel density): ``screen_checks.py`` runs there. A tablet at 150 % gives widgets
853x533 pixels, so what fits the default test screen proves nothing about it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.server import ROOT

# name: (width, height, OS scale, FieldKit's scale setting, panel pixels per inch or None
# for what the screen reports)
SCREENS = {
    "1280x800 at 100 % (10.1 in tablet)": (1280, 800, 1.0, None, 149),
    "1280x800 at 150 % (10.1 in tablet)": (1280, 800, 1.5, None, 149),
    "1280x800 with FieldKit's 150 % size": (1280, 800, 1.0, "1.5", 149),
    "1366x768 at 100 % (11.6 in laptop)": (1366, 768, 1.0, None, 135),
    "1920x1080 at 150 % (15.6 in laptop)": (1920, 1080, 1.5, None, 141),
    "2736x1824 at 200 % (12.3 in Surface-class)": (2736, 1824, 2.0, None, 267),
    "1280x800 at 100 %, density as reported": (1280, 800, 1.0, None, None),
}


@pytest.mark.parametrize("screen", SCREENS)
def test_fits_the_screen(screen: str, tmp_path: Path) -> None:
    width, height, scale, app_scale, ppi = SCREENS[screen]
    config = tmp_path / "screen.json"
    config.write_text(
        json.dumps(
            {
                "screens": [
                    {
                        "name": "tablet",
                        "x": 0,
                        "y": 0,
                        "width": width,
                        "height": height,
                        "logicalDpi": round(96 * scale),  # how Windows and X11 set a scale
                        "logicalBaseDpi": 96,
                        "dpr": 1.0,
                    }
                ]
            }
        )
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QT_", "FIELDKIT_"))}
    env.update(
        QT_QPA_PLATFORM=f"offscreen:configfile={config}",
        FIELDKIT_TEST_SCREEN=screen,
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    )
    if app_scale:
        env["QT_SCALE_FACTOR"] = app_scale  # what FieldKit's size setting does at start
    if ppi:
        env["FIELDKIT_SCREEN_PPI"] = str(ppi)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-x",
            "-p",
            "no:cacheprovider",
            str(ROOT / "tests" / "ui" / "screen_checks.py"),
            "--basetemp",
            str(tmp_path / "t"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-3000:]
    assert re.search(r"\b3 passed", run.stdout), run.stdout[-2000:]
