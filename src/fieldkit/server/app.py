"""HTTP API of the service center (FastAPI). Stateless: any number of processes may serve
one database; all shared state lives in it."""

# No `from __future__ import annotations`: FastAPI must evaluate the dependency aliases.
import contextlib
import logging
import re
import threading
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy import Engine, select
from sqlalchemy.exc import OperationalError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from fieldkit import __version__
from fieldkit.protocol import SUPPORTED_PROTOCOLS
from fieldkit.protocol.wire import (
    SHA256_PATTERN,
    BlobStatus,
    ErrorBody,
    LoginRequest,
    LoginResponse,
    PullResponse,
    PushRequest,
    PushResponse,
)
from fieldkit.server import auth, center_key, console
from fieldkit.server import tables as t
from fieldkit.server.blobstore import ServerBlobs, sweep_periodically
from fieldkit.server.changes import (
    max_seq,
    pruned_through,
    pull_log,
    pull_snapshot,
)
from fieldkit.server.database import RETRY_AFTER_SECONDS, is_lock_timeout
from fieldkit.server.errors import ApiError
from fieldkit.server.mail import MailOutbox
from fieldkit.server.middleware import MAX_JSON_BYTES, ProtocolAndLimits
from fieldkit.server.office import (
    EscalationEntry,
    JobIn,
    JobSummary,
    Office,
    Report,
    ReportIn,
    SiteSummary,
)
from fieldkit.server.push import process_push
from fieldkit.server.scope import scope_clause
from fieldkit.server.settings import ServerSettings

log = logging.getLogger("fieldkit.server")
__all__ = ["MAX_JSON_BYTES", "create_app"]
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody} for code in (400, 401, 403, 404, 409, 413, 416, 422, 429, 503)
}
SWEEP_EVERY_SECONDS = 3600.0


class AssignIn(BaseModel):
    engineer: str = Field(min_length=1, max_length=80)


class JobPatch(BaseModel):
    severity: int | None = Field(default=None, ge=1, le=4)


class BlobDeclaration(BaseModel):
    size: int = Field(ge=1)


def now() -> datetime:
    return datetime.now(UTC)


def create_app(settings: ServerSettings, engine: Engine) -> FastAPI:
    mail = MailOutbox(engine, settings.mail, center_url=settings.public_url or None)
    blobs = ServerBlobs(
        settings.blob_dir,
        engine,
        settings.max_blob_bytes,
        max_open_uploads=settings.max_open_uploads,
        max_partial_bytes=settings.max_partial_bytes,
        partial_max_age=settings.partial_max_age,
    )

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        mail.start()  # slip e-mails go out after the push that asked for them committed
        # The janitor: stale partial uploads go at start and then every hour.
        stop = threading.Event()
        janitor = threading.Thread(
            target=sweep_periodically,
            args=(blobs, SWEEP_EVERY_SECONDS, stop),
            name="blob-janitor",
            daemon=True,
        )
        janitor.start()
        yield
        stop.set()
        mail.stop()

    # The API description is for developers; a production center does not publish it.
    docs = settings.debug
    app = FastAPI(
        title="FieldKit service center",
        version=__version__,
        lifespan=lifespan,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
    )
    gate = auth.LoginGate(engine, settings)
    signer = center_key.load_or_create(center_key.key_path(settings.data_dir))
    app.state.engine, app.state.settings, app.state.blobs = engine, settings, blobs
    app.state.gate, app.state.now = gate, now
    app.state.mail = mail
    # Pages of JSON compress ~10x: it matters on a site's 3G link. Level 6 costs half the CPU
    # of level 9 for 2.7 % more bytes (measured on pull pages).
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=6)

    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> JSONResponse:
        body = ErrorBody(code=exc.code, message=exc.message, detail=exc.detail)
        headers = {}
        if "retry_after" in exc.detail:
            headers["Retry-After"] = str(exc.detail["retry_after"])
        return JSONResponse(body.model_dump(), status_code=exc.status, headers=headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = "request.too_large" if exc.status_code == 413 else f"http.{exc.status_code}"
        body = ErrorBody(code=code, message=str(exc.detail))
        return JSONResponse(body.model_dump(), status_code=exc.status_code)

    @app.exception_handler(OperationalError)
    async def database_busy(request: Request, exc: OperationalError) -> JSONResponse:
        if not is_lock_timeout(exc):
            return await bug(request, exc)
        log.warning("database busy on %s %s", request.method, request.url.path)
        body = ErrorBody(
            code="server.busy", message="The service center is busy; try again in a moment."
        )
        return JSONResponse(
            body.model_dump(),
            status_code=503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(map(str, e.get("loc", ()))), "msg": str(e.get("msg", ""))}
            for e in exc.errors()
        ][:20]
        body = ErrorBody(
            code="request.invalid", message="The request is not valid", detail={"errors": errors}
        )
        return JSONResponse(body.model_dump(), status_code=422)

    @app.exception_handler(Exception)
    async def bug(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        body = ErrorBody(code="server.error", message="Internal error; the request was not applied")
        return JSONResponse(body.model_dump(), status_code=500)

    app.add_middleware(ProtocolAndLimits, now=now)
    console.install(app)  # the office's web console under /console

    def principal(authorization: Annotated[str | None, Header()] = None) -> auth.Principal:
        if not authorization or not authorization.startswith("Bearer "):
            raise ApiError(401, "auth.missing", "Log in first")
        with engine.connect() as conn:
            bearer = authorization.removeprefix("Bearer ").strip()
            return auth.authenticate(conn, bearer, now(), signer)

    def dispatcher(who: Annotated[auth.Principal, Depends(principal)]) -> auth.Principal:
        if not who.is_office:
            raise ApiError(403, "auth.role", "Only the service center's dispatchers may do this")
        return who

    Who = Annotated[auth.Principal, Depends(principal)]
    Office_ = Annotated[auth.Principal, Depends(dispatcher)]

    @app.get("/health")
    def health() -> dict[str, Any]:
        return {"status": "ok", "version": __version__, "protocols": list(SUPPORTED_PROTOCOLS)}

    @app.post("/auth/login", responses=ERRORS)
    async def login(body: LoginRequest, request: Request) -> LoginResponse:
        # async: a login waiting for a password-check slot holds no thread of the pool that
        # every sync request shares.
        attempt = auth.LoginRequestInfo(
            username=body.username,
            password=body.password,
            device_id=body.device_id,
            device_name=body.device_name,
            remote=(request.client.host if request.client else "")[:64],
            public_key=body.public_key,
        )
        token, expires, user = await gate.login(attempt, now)
        return LoginResponse(
            token=token,
            expires_at=expires.isoformat(),
            username=user["username"],
            display_name=user["display_name"],
            role="dispatcher" if user["role"] == "dispatcher" else "engineer",
            center_key=signer.public_b64,  # pinned by the device: it signs wipe orders
        )

    @app.post("/auth/logout", status_code=204, responses=ERRORS)
    def logout(who: Who, authorization: Annotated[str, Header()]) -> Response:
        with engine.begin() as conn:
            auth.revoke_token(conn, authorization.removeprefix("Bearer ").strip(), now())
        return Response(status_code=204)

    @app.post("/sync/push", responses=ERRORS)
    def push(body: PushRequest, who: Who) -> PushResponse:
        response = process_push(engine, who, body)
        mail.wake()  # committed: queued slip e-mails are sent off the request path
        return response

    @app.get("/sync/pull", responses=ERRORS)
    def pull(
        who: Who,
        cursor: Annotated[int | None, Query(ge=0, le=2**63 - 1)] = None,
        snapshot: Annotated[str | None, Query(max_length=200)] = None,
        limit: Annotated[int, Query(ge=1, le=2000)] = 1000,
    ) -> PullResponse:
        if snapshot is not None and not re.fullmatch(r"\d+\|\d+\|[\w:.-]*", snapshot):
            raise ApiError(400, "sync.snapshot", "Malformed snapshot token; start a full sync")
        with engine.connect() as conn:
            if cursor is None or snapshot is not None:
                try:
                    changes, token, high_water = pull_snapshot(conn, who.username, snapshot, limit)
                except (ValueError, KeyError, IndexError, TypeError):
                    raise ApiError(
                        400, "sync.snapshot", "Malformed snapshot token; start a full sync"
                    ) from None
                return PullResponse(
                    changes=changes,
                    next_cursor=high_water,
                    snapshot=token,
                    has_more=token is not None or max_seq(conn) > high_water,
                    server_time=now().isoformat(),
                )
            if cursor < pruned_through(conn):
                return PullResponse(
                    changes=[],
                    next_cursor=cursor,
                    has_more=False,
                    reset_required=True,
                    server_time=now().isoformat(),
                )
            changes, next_cursor, more = pull_log(conn, who.username, cursor, limit)
        return PullResponse(
            changes=changes, next_cursor=next_cursor, has_more=more, server_time=now().isoformat()
        )

    @app.get("/verify/slips/{slip_id}", responses=ERRORS)
    def verify_slip(slip_id: str) -> dict[str, Any]:
        """What the center recorded for a slip: anyone holding the PDF may ask. Only hashes
        and the issuing key's fingerprint are disclosed, never the content."""
        from fieldkit.domain.slip import key_fingerprint

        slips = t.ENTITY["slips"]
        with engine.connect() as conn:
            row = conn.execute(
                select(
                    slips.c.content_sha256,
                    slips.c.signed_at,
                    slips.c.device_public_key,
                    slips.c.supersedes_id,
                ).where(slips.c.id == slip_id)
            ).first()
            superseded = conn.scalar(select(slips.c.id).where(slips.c.supersedes_id == slip_id))
        if row is None:
            raise ApiError(404, "slip.unknown", "No slip with this id at the service center")
        return {
            "slip_id": slip_id,
            "sha256": row.content_sha256,
            "signed_at": row.signed_at.isoformat(),
            "device_key": key_fingerprint(row.device_public_key) if row.device_public_key else None,
            "superseded_by": superseded,
        }

    @app.get("/sync/conflicts", responses=ERRORS)
    def list_conflicts(
        who: Who, limit: Annotated[int, Query(ge=1, le=1000)] = 200
    ) -> list[dict[str, Any]]:
        stmt = select(t.conflicts).order_by(t.conflicts.c.id.desc()).limit(limit)
        if not who.is_office:
            stmt = stmt.where(t.conflicts.c.engineer == who.username)
        with engine.connect() as conn:
            return [{**dict(r), "at": r["at"].isoformat()} for r in conn.execute(stmt).mappings()]

    @app.get("/blobs/{sha256}/status", responses=ERRORS)
    def blob_status(sha256: Annotated[str, Field(pattern=SHA256_PATTERN)], who: Who) -> BlobStatus:
        _check_sha(sha256)
        complete, offset, size = blobs.status(sha256)
        if complete and not who.is_office and not _may_read_blob(engine, who.username, sha256):
            complete, offset, size = False, 0, None  # as for an unknown hash: no oracle
        return BlobStatus(sha256=sha256, complete=complete, offset=offset, size=size)

    @app.post("/blobs/{sha256}/declare", responses=ERRORS)
    def blob_declare(sha256: str, body: BlobDeclaration, who: Who) -> BlobStatus:
        """Announce an upload (hash and size) before its bytes: the quota is charged here."""
        _check_sha(sha256)
        complete, offset = blobs.declare(sha256, body.size, who.username)
        return BlobStatus(sha256=sha256, complete=complete, offset=offset, size=body.size)

    @app.patch("/blobs/{sha256}", responses=ERRORS)
    async def blob_upload(
        sha256: str,
        request: Request,
        who: Who,
        upload_offset: Annotated[int, Header(ge=0)],
        upload_length: Annotated[int, Header(ge=1)],
    ) -> BlobStatus:
        _check_sha(sha256)
        chunk = await request.body()  # at most 9 MiB: ProtocolAndLimits cuts it off
        # fsync and hashing block: off the event loop, so /health and every other request
        # keep answering while a chunk is written.
        complete, offset = await run_in_threadpool(
            blobs.append, sha256, upload_offset, upload_length, chunk, who.username
        )
        return BlobStatus(sha256=sha256, complete=complete, offset=offset, size=upload_length)

    @app.get("/blobs/{sha256}", responses=ERRORS)
    def blob_download(
        sha256: str, who: Who, range: Annotated[str | None, Header()] = None
    ) -> Response:
        _check_sha(sha256)
        complete, _, size = blobs.status(sha256)
        if not complete or size is None:
            raise ApiError(404, "blob.unknown", "No such blob at the service center")
        if not who.is_office and not _may_read_blob(engine, who.username, sha256):
            raise ApiError(404, "blob.unknown", "No such blob at the service center")
        start, end = 0, size - 1
        status = 200
        if range:
            match = re.fullmatch(r"bytes=(\d+)-(\d*)", range.strip())
            if not match or int(match.group(1)) >= size:
                raise ApiError(416, "blob.range", "Requested range not satisfiable", size=size)
            start = int(match.group(1))
            end = min(int(match.group(2)), size - 1) if match.group(2) else size - 1
            if end < start:
                raise ApiError(416, "blob.range", "Requested range not satisfiable", size=size)
            status = 206
        path = blobs.store.path(sha256)

        def stream() -> Iterator[bytes]:
            with path.open("rb") as fh:
                fh.seek(start)
                left = end - start + 1
                while left > 0:
                    block = fh.read(min(1 << 20, left))
                    if not block:
                        return
                    left -= len(block)
                    yield block

        headers = {
            "Content-Length": str(end - start + 1),
            "Accept-Ranges": "bytes",
            "ETag": f'"{sha256}"',
        }
        if status == 206:
            headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        return StreamingResponse(
            stream(), status_code=status, headers=headers, media_type="application/octet-stream"
        )

    # -- dispatch (service center staff): each route calls one office use case ----------
    office = Office(engine, now)
    app.state.office = office

    @app.post("/dispatch/reports", status_code=201, responses=ERRORS)
    def record_report(body: ReportIn, who: Office_) -> dict[str, str]:
        return {"id": office.record_report(body, who.username)}

    @app.post("/dispatch/reports/{report_id}/grade", responses=ERRORS)
    def grade_report(report_id: str, body: JobPatch, who: Office_) -> dict[str, Any]:
        if body.severity is None:
            raise ApiError(422, "report.severity", "Give the fault level (1-4)")
        office.grade_report(report_id, body.severity)
        return {"id": report_id, "severity": body.severity}

    @app.get("/dispatch/reports", responses=ERRORS)
    def list_reports(who: Office_) -> list[Report]:
        return office.reports()

    @app.post("/dispatch/jobs", status_code=201, responses=ERRORS)
    def create_job(body: JobIn, who: Office_) -> dict[str, str]:
        return {"id": office.create_job(body)}

    @app.post("/dispatch/jobs/{job_id}/assign", responses=ERRORS)
    def assign(job_id: str, body: AssignIn, who: Office_) -> dict[str, str]:
        office.assign(job_id, body.engineer)
        return {"id": job_id, "engineer": body.engineer}

    @app.post("/dispatch/jobs/{job_id}/close", responses=ERRORS)
    def close_job(job_id: str, who: Office_) -> dict[str, str]:
        office.close(job_id)
        return {"id": job_id}

    @app.patch("/dispatch/jobs/{job_id}", responses=ERRORS)
    def patch_job(job_id: str, body: JobPatch, who: Office_) -> dict[str, str]:
        office.change_severity(job_id, body.severity)  # the office owns severity
        return {"id": job_id}

    @app.get("/dispatch/escalations", responses=ERRORS)
    def escalations(who: Office_) -> list[EscalationEntry]:
        return office.escalations()

    @app.get("/dispatch/jobs", responses=ERRORS)
    def list_jobs(
        who: Office_, engineer: str | None = None, status: str | None = None
    ) -> list[JobSummary]:
        return office.jobs(engineer, status)

    @app.get("/dispatch/sites", responses=ERRORS)
    def list_sites(who: Office_) -> list[SiteSummary]:
        return office.sites()

    @app.put("/dispatch/entities/{table}/{entity_id}", responses=ERRORS)
    def put_entity(
        table: str, entity_id: str, body: dict[str, Any], who: Office_
    ) -> dict[str, str]:
        return {"id": office.put_entity(table, entity_id, body)}

    @app.post("/dispatch/users/{username}/unlock", responses=ERRORS)
    def unlock(username: str, who: Office_) -> dict[str, str]:
        """Lift the login delay of an account that failed logins have slowed down."""
        office.unlock_user(username, who.username)
        return {"username": username, "status": "unlocked"}

    @app.post("/dispatch/users/{username}/revoke", responses=ERRORS)
    def revoke(username: str, who: Office_) -> dict[str, int]:
        return {"revoked": office.revoke_user(username)}

    return app


def _check_sha(sha: str) -> None:
    if not re.fullmatch(SHA256_PATTERN, sha):
        raise ApiError(400, "blob.id", "Not a SHA-256 blob id")


def _may_read_blob(engine: Engine, engineer: str, sha: str) -> bool:
    """Engineers read only blobs their scope references (drawings, evidence, attachments)."""
    e = t.ENTITY
    refs = (
        ("documents", e["documents"].c.blob_sha256),
        ("attachments", e["attachments"].c.blob_sha256),
        ("checklist_answers", e["checklist_answers"].c.blob_sha256),
    )
    with engine.connect() as conn:
        for table, column in refs:
            hit = conn.scalar(
                select(column).where(column == sha, scope_clause(table, engineer)).limit(1)
            )
            if hit is not None:
                return True
        uploaded = conn.scalar(select(t.blobs.c.uploaded_by).where(t.blobs.c.sha256 == sha))
    return uploaded == engineer
