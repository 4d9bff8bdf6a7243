"""The layer rules from ARCHITECTURE.md, checked on the real import statements."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).parents[1] / "src" / "fieldkit"


def imported_modules(folder: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in folder.rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
        found[str(path.relative_to(SRC))] = names
    return found


def offenders(folder: str, banned: tuple[str, ...]) -> list[str]:
    return [
        f"{file}: {name}"
        for file, names in imported_modules(SRC / folder).items()
        for name in names
        if name.split(".")[0] in banned or name.startswith(banned)
    ]


def test_domain_is_pure() -> None:
    banned = (
        "PySide6",
        "sqlalchemy",
        "requests",
        "sqlite3",
        "http",
        "urllib",
        "socket",
        "fieldkit.store",
        "fieldkit.services",
        "fieldkit.ui",
        "fieldkit.sync",
    )
    assert offenders("domain", banned) == []


@pytest.mark.parametrize("folder", ["store", "services", "sync", "demo"])
def test_only_ui_imports_qt(folder: str) -> None:
    assert offenders(folder, ("PySide6", "fieldkit.ui")) == []


def test_ui_issues_no_sql_or_http() -> None:
    assert offenders("ui", ("sqlalchemy", "requests", "sqlite3", "fieldkit.store")) == []


def test_ui_imports_qt_only_through_one_module() -> None:
    found = offenders("ui", ("PySide6",))
    assert any(f.startswith("ui/qt.py: PySide6.") for f in found)  # the scan does see imports
    # QtMultimedia is optional (the camera extra) and has its own module, imported lazily.
    assert [f for f in found if not f.startswith(("ui/qt.py", "ui/qt_multimedia.py"))] == []
