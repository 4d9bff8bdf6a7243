"""An in-process service center over a real SQLite file, for millisecond tests of its rules.

The app and the center hold the same tables, so a test seeds the app's store (the services'
fixtures), copies those rows to the center, and then runs the same change through the app's
service and through the center's push: one state, two verdicts.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, insert, select, update

from fieldkit.protocol.entities import SYNCED_MODELS, table_of
from fieldkit.protocol.mutations import MutationArgs
from fieldkit.protocol.wire import Mutation, MutationResult, PushRequest, PushResponse
from fieldkit.server import tables as t
from fieldkit.server.auth import Principal
from fieldkit.server.changes import ChangeWriter
from fieldkit.server.database import create_server_engine, migrate
from fieldkit.server.dispatch import assign
from fieldkit.server.push import process_push
from fieldkit.services import device_key
from fieldkit.services.context import ServiceContext
from fieldkit.store import models as m


def _no_sync(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.execute("PRAGMA synchronous=OFF")


def migrated_template(folder: Path) -> Path:
    path = folder / "center.db"
    engine = create_server_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()
    return path


@dataclass
class Center:
    engine: Engine
    seqs: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_template(cls, template: Path, folder: Path) -> Center:
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(template, folder / "center.db")
        engine = create_server_engine(f"sqlite:///{folder / 'center.db'}")
        # A throw-away file: skip the fsync per commit that the served center needs.
        event.listen(engine, "connect", _no_sync)
        return cls(engine)

    # -- people and devices ----------------------------------------------------------------
    def user(self, username: str, role: str = "engineer") -> int:
        with self.engine.begin() as conn:
            found = conn.scalar(select(t.users.c.id).where(t.users.c.username == username))
            if found is not None:
                return int(found)
            result = conn.execute(
                insert(t.users).values(
                    username=username,
                    display_name=username,
                    role=role,
                    password_hash="-",  # these tests never log in with a password
                    active=True,
                )
            )
            return int(result.inserted_primary_key[0])

    def device(
        self, username: str, device_id: str | None = None, public_key: str | None = None
    ) -> Principal:
        """A registered device of ``username`` (as a login leaves it)."""
        user_id = self.user(username)
        device_id = device_id or str(uuid.uuid4())
        with self.engine.begin() as conn:
            conn.execute(
                insert(t.client_devices).values(
                    device_id=device_id,
                    user_id=user_id,
                    name="tablet",
                    registered_at=datetime.now(UTC),
                    last_seq=0,
                    public_key=public_key,
                    revoked=False,
                )
            )
        return Principal(user_id=user_id, username=username, role="engineer", device_id=device_id)

    def app_device(self, ctx: ServiceContext) -> Principal:
        """The app's own device, with the key it signs slips with."""
        public = device_key.public_key_b64(device_key.private_key(ctx))
        return self.device(ctx.actor, ctx.device_id, public)

    def token(self, who: Principal) -> str:
        """A bearer token for ``who``'s device, as a login issues it."""
        token = secrets.token_urlsafe(32)
        with self.engine.begin() as conn:
            conn.execute(
                insert(t.tokens).values(
                    token_sha256=hashlib.sha256(token.encode()).hexdigest(),
                    user_id=who.user_id,
                    device_id=who.device_id,
                    created_at=datetime.now(UTC),
                    expires_at=datetime.now(UTC) + timedelta(days=1),
                )
            )
        return token

    # -- pushing ---------------------------------------------------------------------------
    def mutation(
        self,
        who: Principal,
        args: MutationArgs | tuple[str, dict[str, Any]],
        entity_id: str,
        base_version: int | None = None,
        *,
        entity_type: str | None = None,
        blob_refs: list[str] | None = None,
        mutation_id: str | None = None,
    ) -> Mutation:
        """A wire mutation from ``who``'s device with its next seq; ``args`` is a contract or a
        raw ``(name, dict)`` (what a hostile device can send)."""
        if isinstance(args, MutationArgs):
            name, body, etype = args.NAME, args.wire(), args.ENTITY
            refs = args.blob_refs()
        else:
            (name, body), etype, refs = args, "job", []
        with self.engine.connect() as conn:
            done = conn.scalar(
                select(t.client_devices.c.last_seq).where(
                    t.client_devices.c.device_id == who.device_id
                )
            )
        seq = max(self.seqs.get(who.device_id, 0), done or 0) + 1
        self.seqs[who.device_id] = seq
        return Mutation(
            mutation_id=mutation_id or str(uuid.uuid4()),
            device_id=who.device_id,
            seq=seq,
            name=name,
            entity_type=entity_type or etype,
            entity_id=entity_id,
            base_version=base_version,
            args=body,
            created_at=datetime.now(UTC).isoformat(),
            blob_refs=refs if blob_refs is None else blob_refs,
        )

    def push(self, who: Principal, *mutations: Mutation) -> PushResponse:
        request = PushRequest(device_time=datetime.now(UTC).isoformat(), mutations=list(mutations))
        return process_push(self.engine, who, request)

    def send(self, who: Principal, *args: Any, **kw: Any) -> MutationResult:
        """Push one mutation and return its result."""
        response = self.push(who, self.mutation(who, *args, **kw))
        assert len(response.results) == 1, response
        return response.results[0]

    def push_outbox(self, who: Principal, ctx: ServiceContext) -> list[MutationResult]:
        """Push the app's pending outbox as its sync engine would."""
        with ctx.db.read() as s:
            rows = list(
                s.scalars(
                    select(m.OutboxMutation)
                    .where(m.OutboxMutation.state == "pending")
                    .order_by(m.OutboxMutation.seq)
                )
            )
        with ctx.db.write() as s:
            s.execute(
                update(m.OutboxMutation)
                .where(m.OutboxMutation.state == "pending")
                .values(state="acked")
            )
        mutations = [
            Mutation(
                mutation_id=r.mutation_id,
                device_id=r.device_id,
                seq=r.seq,
                name=r.name,
                entity_type=r.entity_type,
                entity_id=r.entity_id,
                base_version=r.base_version,
                args=r.args,
                created_at=r.created_at.isoformat(),
                blob_refs=list(r.blob_refs),
            )
            for r in rows
        ]
        return self.push(who, *mutations).results if mutations else []

    # -- state -----------------------------------------------------------------------------
    def copy_from(self, ctx: ServiceContext) -> None:
        """The app's synced rows become the center's (the same tables on both sides)."""
        with ctx.db.read() as s, self.engine.begin() as conn:
            for model in SYNCED_MODELS:
                rows = [dict(r) for r in s.execute(select(table_of(model))).mappings()]
                if rows:
                    conn.execute(insert(t.ENTITY[model.__tablename__]), rows)
            for job in conn.execute(select(t.ENTITY["jobs"])).mappings().all():
                if job["assigned_engineer"]:
                    conn.execute(
                        insert(t.job_assignments).values(
                            job_id=job["id"],
                            engineer=job["assigned_engineer"],
                            at=job["reported_at"],
                        )
                    )

    def blob(self, sha: str, uploaded_by: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                insert(t.blobs).values(
                    sha256=sha,
                    size=10,
                    complete=True,
                    uploaded_by=uploaded_by,
                    created_at=datetime.now(UTC),
                )
            )
            conn.execute(
                insert(t.blob_holders).values(
                    sha256=sha, username=uploaded_by, how="upload", since=datetime.now(UTC)
                )
            )

    def assign(self, job_id: str, engineer: str, at: datetime) -> None:
        self.user(engineer)
        with self.engine.begin() as conn:
            writer = ChangeWriter(conn, at)
            assign(conn, writer, job_id, engineer, at)
            writer.flush()

    def set(self, table: str, key: str, **values: Any) -> None:
        tbl = t.ENTITY[table]
        with self.engine.begin() as conn:
            conn.execute(update(tbl).where(tbl.c.id == key).values(**values))

    def rows(self, table: str, **where: Any) -> list[dict[str, Any]]:
        tbl = t.ENTITY[table] if table in t.ENTITY else t.metadata.tables[table]
        stmt = select(tbl)
        for column, value in where.items():
            stmt = stmt.where(tbl.c[column] == value)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(stmt).mappings()]

    def change_log(self, engineer: str) -> list[dict[str, Any]]:
        return self.rows("change_log", engineer=engineer)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
