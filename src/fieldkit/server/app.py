"""HTTP API of the service center (FastAPI). Stateless: any number of processes may serve
one database; all shared state lives in it.

``create_app`` wires the parts (settings, database, blobs, mail, the office's use cases) into
``app.state``, the lifespan, middleware and error envelope; the routes are in
:mod:`fieldkit.server.api`."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import AsyncIterator

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from fieldkit import __version__
from fieldkit.protocol.wire import ErrorBody
from fieldkit.server import auth, center_key, console
from fieldkit.server.api.deps import now
from fieldkit.server.api.main import api_router
from fieldkit.server.blob_proofs import ProofDesk
from fieldkit.server.blobstore import ServerBlobs, sweep_periodically
from fieldkit.server.contact import Contacts
from fieldkit.server.database import RETRY_AFTER_SECONDS, is_lock_timeout
from fieldkit.server.errors import ApiError
from fieldkit.server.mail import MailOutbox
from fieldkit.server.middleware import MAX_JSON_BYTES, ProtocolAndLimits
from fieldkit.server.office import Office
from fieldkit.server.settings import ServerSettings

log = logging.getLogger("fieldkit.server")
__all__ = ["MAX_JSON_BYTES", "create_app"]
SWEEP_EVERY_SECONDS = 3600.0


def create_app(settings: ServerSettings, engine: Engine) -> FastAPI:
    mail = MailOutbox(engine, settings.mail, center_url=settings.public_url or None)
    signer = center_key.load_or_create(center_key.key_path(settings.data_dir))
    blobs = ServerBlobs(
        settings.blob_dir,
        engine,
        settings.max_blob_bytes,
        max_open_uploads=settings.max_open_uploads,
        max_partial_bytes=settings.max_partial_bytes,
        partial_max_age=settings.partial_max_age,
        proofs=ProofDesk(signer.derived_key(b"fieldkit blob challenge v1")),
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
        recorder = threading.Thread(
            target=contacts.run, args=(stop,), name="contact-times", daemon=True
        )
        recorder.start()
        yield
        stop.set()
        mail.stop()
        recorder.join(timeout=5)

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
    # What the routes take through `api.deps` (and the console): one set of parts per app.
    gate = auth.LoginGate(engine, settings)
    contacts = Contacts(engine)
    app.state.engine, app.state.settings, app.state.blobs = engine, settings, blobs
    app.state.gate, app.state.now = gate, now
    app.state.mail, app.state.contacts = mail, contacts
    app.state.center_key = signer  # signs wipe orders; devices pin it at login
    app.state.office = Office(engine, now)
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

    app.add_middleware(ProtocolAndLimits, now=now, center_key=signer.public_b64)
    app.include_router(api_router)
    console.install(app)  # the office's web console under /console
    return app
