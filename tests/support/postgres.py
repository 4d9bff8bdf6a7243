"""A throwaway PostgreSQL cluster from the machine's binaries: initdb into a temp folder,
start on a random loopback port, stop and delete at the end."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from tests.support.server import free_port

PG_BIN = Path(os.environ.get("FIELDKIT_PG_BIN", "/usr/lib/postgresql/15/bin"))


@dataclass
class Postgres:
    root: Path
    port: int
    _as_user: list[str]

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://fieldkit@127.0.0.1:{self.port}/{database}"

    def _run(self, *cmd: str) -> None:
        subprocess.run([*self._as_user, *cmd], check=True, capture_output=True, timeout=120)

    def create_database(self, template: str | None = None) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        extra = ["-T", template] if template else []
        self._run(
            str(PG_BIN / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "fieldkit",
            *extra,
            name,
        )
        return name

    def stop(self) -> None:
        subprocess.run(
            [
                *self._as_user,
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(self.root / "data"),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
            timeout=60,
            check=False,
        )
        shutil.rmtree(self.root, ignore_errors=True)


def start_postgres() -> Postgres:
    if not (PG_BIN / "initdb").exists():
        raise RuntimeError(
            f"PostgreSQL binaries not found in {PG_BIN}: install postgresql-15 "
            "(or set FIELDKIT_PG_BIN); the PostgreSQL tests cannot run without it"
        )
    root = Path(tempfile.mkdtemp(prefix="fieldkit-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        pg = pwd.getpwnam("postgres")
        os.chown(root, pg.pw_uid, pg.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    server = Postgres(root, port, as_user)
    server._run(
        str(PG_BIN / "initdb"),
        "-D",
        str(root / "data"),
        "-U",
        "fieldkit",
        "--auth=trust",
        "-E",
        "UTF8",
        "--no-sync",
        "--locale=C",
    )
    server._run(
        str(PG_BIN / "pg_ctl"),
        "-D",
        str(root / "data"),
        "-w",
        "-l",
        str(root / "log"),
        "-o",
        f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
        "start",
    )
    return server
