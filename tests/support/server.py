"""A real service center on loopback, and clients that talk to it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import select

from fieldkit.domain.clock import SystemClock
from fieldkit.protocol.entities import SYNCED_MODELS, TABLES, encode_row, key_of
from fieldkit.services.context import ServiceContext, open_context
from fieldkit.sync import session
from fieldkit.sync.engine import SyncEngine, SyncReport

PASSWORD = "fieldkit-demo"
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_cmd(data_dir: Path, *args: str, db: str | None = None) -> list[str]:
    base = [sys.executable, "-m", "fieldkit.server", "--data-dir", str(data_dir)]
    return [*base, *(["--db", db] if db else []), *args]


def seed(data_dir: Path, jobs: int = 24, db: str | None = None) -> None:
    subprocess.run(
        server_cmd(data_dir, "seed-demo", "--jobs", str(jobs), "--devices-per-site", "3", db=db),
        check=True,
        capture_output=True,
        timeout=180,
    )


@dataclass
class Server:
    url: str
    data_dir: Path
    process: subprocess.Popen[bytes]
    db: str | None = None

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def engine(self) -> Any:
        from fieldkit.server.database import create_server_engine

        return create_server_engine(self.db or f"sqlite:///{self.data_dir / 'server.db'}")

    def admin(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            server_cmd(self.data_dir, *args, db=self.db),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )


def start_server(
    data_dir: Path,
    db: str | None = None,
    port: int | None = None,
    tls: tuple[Path, Path] | None = None,
    env: dict[str, str] | None = None,
    serve_args: tuple[str, ...] = (),
) -> Server:
    """``env``: extra environment (e.g. FIELDKIT_SERVER_DEBUG=1 to publish the API schema);
    ``serve_args``: extra options of `fieldkit-server serve`."""
    port = port or free_port()
    extra = ["--ssl-certfile", str(tls[0]), "--ssl-keyfile", str(tls[1])] if tls else []
    with (data_dir / "server.log").open("wb") as log:  # the child keeps its own handle
        proc = subprocess.Popen(
            server_cmd(data_dir, "serve", "--port", str(port), *extra, *serve_args, db=db),
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
    url = f"{'https' if tls else 'http'}://{'localhost' if tls else '127.0.0.1'}:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {(data_dir / 'server.log').read_text()[-2000:]}")
        try:
            if requests.get(url + "/health", timeout=1, verify=str(tls[0]) if tls else True).ok:
                return Server(url, data_dir, proc, db)
        except requests.ConnectionError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start within 60 s")


@dataclass
class Client:
    username: str
    ctx: ServiceContext
    url: str

    def sync(self, **kw: Any) -> SyncReport:
        with session.connect(self.ctx) as transport:
            report = SyncEngine(self.ctx, transport, **kw).run()
        assert report is not None
        return report

    def replica(self) -> dict[tuple[str, str], dict[str, Any]]:
        """Every synced row on this device, as it would travel on the wire."""
        out: dict[tuple[str, str], dict[str, Any]] = {}
        with self.ctx.db.read() as s:
            for model in SYNCED_MODELS:
                table = TABLES[model.__tablename__]
                for row in s.execute(select(table)).mappings():
                    out[(table.name, key_of(table, dict(row)))] = encode_row(table, dict(row))
        return out

    def close(self) -> None:
        self.ctx.db.close()


def make_client(url: str, username: str, data_dir: Path) -> Client:
    ctx = open_context(data_dir, username, SystemClock())
    session.login(ctx, url, username, PASSWORD)
    return Client(username, ctx, url)


class Office:
    """The dispatcher, through the HTTP API like the office's own tools."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = requests.Session()
        # A fresh connection per call: between calls the office idles for seconds (fault
        # rounds), the center closes idle keep-alive connections, and a request sent on one
        # just as it closes fails with "Remote end closed connection" (seen in CI). The app
        # retries that (its Transport); the office helper must not turn it into a failure.
        self.http.headers["Connection"] = "close"
        reply = self.http.post(
            url + "/auth/login",
            json={"username": "office", "password": PASSWORD, "device_id": str(uuid.uuid4())},
            timeout=10,
        )
        reply.raise_for_status()
        self.http.headers["Authorization"] = f"Bearer {reply.json()['token']}"

    def call(self, method: str, path: str, **kw: Any) -> Any:
        reply = self.http.request(method, self.url + path, timeout=30, **kw)
        assert reply.status_code < 300, reply.text
        return reply.json() if reply.content else None

    def jobs(self, engineer: str | None = None) -> list[dict[str, Any]]:
        return self.call("GET", "/dispatch/jobs", params={"engineer": engineer} if engineer else {})

    def new_job(self, engineer: str, **fields: Any) -> str:
        site = self.any_site()
        body = {
            "site_id": site,
            "fault_description": "门禁控制器离线 controller offline",
            "severity": 2,
            "engineer": engineer,
            **fields,
        }
        return str(self.call("POST", "/dispatch/jobs", json=body)["id"])

    def any_site(self) -> str:
        sites = self.call("GET", "/dispatch/sites")
        assert sites
        return str(sites[0]["id"])

    def assign(self, job_id: str, engineer: str) -> None:
        self.call("POST", f"/dispatch/jobs/{job_id}/assign", json={"engineer": engineer})


def copy_template(template: Path, target: Path) -> Path:
    shutil.copytree(template, target, ignore=shutil.ignore_patterns("server.log"))
    for name in ("server.log",):
        (target / name).unlink(missing_ok=True)
    return target
