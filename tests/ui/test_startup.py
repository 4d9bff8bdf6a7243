"""`fieldkit run` on a data file at the current schema paints the job list before SQLAlchemy
and the ORM are imported, then attaches the workspace, dossier, quote and menu; an older
data file is migrated first. Each start runs in a fresh interpreter, so what was imported
when is real."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fieldkit.demo.generator import DemoSize, generate
from fieldkit.services.context import open_context
from fieldkit.store import DATA_FILE
from fieldkit.store.migrate import HEAD
from tests.support.server import ROOT

PROBE = r"""
import json, sys
from fieldkit import app as fieldkit_app
from fieldkit.cli import main
from fieldkit.ui.qt import QApplication, QEvent, QObject, QTimer

seen = {}

class Watch(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and "paint" not in seen:
            seen["paint"] = {
                "orm_loaded": "sqlalchemy" in sys.modules,
                "rows": window.model.rowCount(),
                "attached": window._ctx is not None,
            }
            poll.start()
        return False

def attached():
    if window._ctx is None:
        return
    poll.stop()
    seen["attached"] = {
        "tabs": [window.tabs.tabText(i) for i in range(window.tabs.count())],
        "menu": window._menu.isEnabled(),
        "rows": window.model.rowCount(),
        "status": window.sync_label.text(),
    }
    QApplication.instance().quit()

watch = Watch()
poll = QTimer(interval=10)
poll.timeout.connect(attached)

def hook(w):
    global window
    window = w
    w.table.viewport().installEventFilter(watch)

fieldkit_app.window_hooks.append(hook)
code = main(["--data-dir", sys.argv[1], "run", "--no-server", "--no-demo"])
print(json.dumps({"code": code, **seen}))
"""


def start(data: Path) -> dict[str, object]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(data)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


@pytest.fixture
def current(tmp_path: Path) -> Path:
    ctx = open_context(tmp_path, "demo")
    generate(ctx.db, ctx.blobs, DemoSize(jobs=60, devices_per_site=2, drawing_sites=0))
    ctx.db.close()
    return tmp_path


def test_list_paints_before_the_orm_loads_and_the_rest_attaches(current: Path) -> None:
    seen = start(current)
    assert seen["code"] == 0
    paint = seen["paint"]
    assert paint == {"orm_loaded": False, "rows": 60, "attached": False}
    attached = seen["attached"]
    assert isinstance(attached, dict)
    assert attached["tabs"] == ["Job", "Site dossier", "Parts and quote"]
    assert attached["menu"] is True and attached["rows"] == 60
    assert "unsynced changes" in str(attached["status"])


def test_an_older_data_file_is_migrated_before_the_window(tmp_path: Path) -> None:
    fixture = Path(__file__).parents[1] / "data" / "db" / "fieldkit-0001.db"
    (tmp_path / DATA_FILE).write_bytes(fixture.read_bytes())
    seen = start(tmp_path)
    paint = seen["paint"]
    assert isinstance(paint, dict)
    assert paint["orm_loaded"] is True and paint["attached"] is True  # the full way, at once
    assert paint["rows"] == 1
    import sqlite3

    with sqlite3.connect(tmp_path / DATA_FILE) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == HEAD
