"""The center's HTTP layer as the design asks: routers under `server/api/` that hold no SQL,
a response model on every JSON route, and `fieldkit-server` subcommands that run the same
office use cases as the routes."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from fieldkit.server import tables as t
from fieldkit.server.cli import main as server_cli
from fieldkit.server.office import Office
from tests.server.inproc import Center, login, open_center
from tests.support.server import PASSWORD

API = Path(__file__).parents[2] / "src" / "fieldkit" / "server" / "api"
DATABASE_CALLS = {"execute", "scalar", "scalars", "exec_driver_sql", "begin", "connect"}


@pytest.fixture
def center(seeded_center: Path, tmp_path: Path) -> Iterator[Center]:
    yield from open_center(seeded_center, tmp_path)


def sql_in(path: Path) -> list[str]:
    """Statements or connections a module makes itself (an `Engine` type hint is fine)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            found += [f"{path.name}: imports {a.name}" for a in node.names if a.name != "Engine"]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in DATABASE_CALLS
        ):
            found.append(f"{path.name}:{node.lineno}: .{node.func.attr}()")
    return found


def test_route_modules_hold_no_sql() -> None:
    routes = sorted(p for p in API.glob("*.py") if p.name not in ("__init__.py", "deps.py"))
    assert [p.name for p in routes] == [
        "auth.py",
        "blobs.py",
        "dispatch.py",
        "health.py",
        "main.py",
        "sync.py",
        "verify.py",
    ]
    assert [hit for p in routes for hit in sql_in(p)] == []


def test_every_json_route_declares_its_response_model(center: Center) -> None:
    paths = center.app(debug=True).openapi()["paths"]
    untyped, typed = [], 0
    for path, operations in paths.items():
        for method, operation in operations.items():
            for status, answer in operation["responses"].items():
                if not status.startswith("2"):
                    continue
                schema = answer.get("content", {}).get("application/json", {}).get("schema")
                if schema and ("$ref" in schema or "$ref" in schema.get("items", {})):
                    typed += 1
                else:
                    untyped.append(f"{method.upper()} {path}")
    assert typed >= 22
    # Only the two answers that are not JSON: an empty 204 and a blob's bytes.
    assert sorted(untyped) == ["GET /blobs/{sha256}", "POST /auth/logout"]


def test_cli_unlock_lifts_the_login_delay(center: Center) -> None:
    client = center.client(source="203.0.113.7")
    for _ in range(5):
        assert login(client, "li", "wrong").status_code == 401
    assert login(client, "li", PASSWORD).status_code == 429
    assert server_cli(["--data-dir", str(center.folder), "unlock", "li"]) == 0
    assert login(client, "li", PASSWORD).status_code == 200
    assert server_cli(["--data-dir", str(center.folder), "unlock", "nobody"]) == 2


def test_cli_revoke_and_prune_are_the_office_use_cases(center: Center) -> None:
    client = center.client()
    assert login(client, "wang").status_code == 200
    assert server_cli(["--data-dir", str(center.folder), "revoke", "wang", "--wipe"]) == 0
    with center.engine.connect() as conn:
        live = conn.scalar(
            select(func.count())
            .select_from(t.tokens)
            .join(t.users, t.users.c.id == t.tokens.c.user_id)
            .where(t.users.c.username == "wang", t.tokens.c.revoked_at.is_(None))
        )
        wiped = conn.scalar(
            select(func.count())
            .select_from(t.client_devices)
            .where(t.client_devices.c.wipe_requested_at.is_not(None))
        )
    assert live == 0 and wiped == 1
    office = Office(center.engine)
    assert office.revoke_user("wang", wipe=True).logins == 0  # nothing left to end
    office.change_severity(office.jobs()[0].id, 1)  # writes to the change log
    newest = office.prune_changes(timedelta(days=-1))  # everything is older than tomorrow
    with center.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(t.change_log)) == 0
    assert newest > 0
    assert server_cli(["--data-dir", str(center.folder), "prune-changes", "--days", "-1"]) == 0
    assert office.prune_changes(timedelta(days=-1)) == newest  # never moves back
