"""`fieldkit-server`: run and administer a service center."""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

from fieldkit import __version__
from fieldkit.domain.enums import Channel, JobType
from fieldkit.server.database import create_server_engine, migrate
from fieldkit.server.roles import ROLES
from fieldkit.server.settings import load_server_settings
from fieldkit.server.tables import REPORT_KINDS

DEMO_USERS = (
    ("office", "dispatcher", "调度员 Dispatcher"),
    ("hotline", "hotline", "热线接线员 Hotline"),
    ("super", "supervisor", "主管 Supervisor"),
    ("demo", "engineer", "演示工程师 Demo"),
    ("wang", "engineer", "王工 Wang"),
    ("li", "engineer", "李工 Li"),
)
DEMO_PASSWORD = "fieldkit-demo"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fieldkit-server", description="FieldKit service center")
    parser.add_argument("--version", action="version", version=f"fieldkit-server {__version__}")
    parser.add_argument(
        "--data-dir",
        help="blob storage and default SQLite database "
        "(default: $FIELDKIT_SERVER_DATA or ./fieldkit-server-data)",
    )
    parser.add_argument(
        "--db",
        help="database URL, e.g. postgresql://user@host/fieldkit "
        "(default: $FIELDKIT_SERVER_DB or SQLite in the data folder)",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the HTTP API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8750)
    serve.add_argument("--workers", type=int, default=1, help="API processes (PostgreSQL)")
    serve.add_argument("--ssl-certfile")
    serve.add_argument("--ssl-keyfile")
    serve.add_argument(
        "--limit-concurrency",
        type=int,
        default=1000,
        help="open connections per process before new requests get 503 (keep it well under "
        "the file limit, LimitNOFILE in the systemd unit)",
    )
    serve.add_argument(
        "--timeout-keep-alive",
        type=int,
        default=5,
        help="seconds an idle connection stays open between requests",
    )
    serve.add_argument(
        "--header-timeout",
        type=float,
        default=10.0,
        help="seconds a request's headers may take to arrive (slow clients are cut off)",
    )
    serve.add_argument(
        "--forwarded-allow-ips",
        default="",
        help="addresses of the TLS reverse proxy whose X-Forwarded-For is trusted "
        "(comma-separated; default: none, the peer address is recorded)",
    )
    sub.add_parser("migrate", help="create or upgrade the database schema")
    sub.add_parser(
        "sweep-blobs",
        help="delete unfinished blob uploads older than a day (the server does "
        "this at start and every hour)",
    )
    user = sub.add_parser("create-user", help="add an engineer or an office user")
    user.add_argument("username")
    user.add_argument("--role", choices=ROLES, default="engineer")
    user.add_argument("--display-name", default="")
    user.add_argument("--password-stdin", action="store_true")
    demo = sub.add_parser("seed-demo", help="demo users and data set (empty database only)")
    demo.add_argument("--jobs", type=int, default=240)
    demo.add_argument("--devices-per-site", type=int, default=40)
    demo.add_argument("--assign-all-to", help="give every job to this engineer (benchmarks)")
    revoke = sub.add_parser("revoke", help="revoke every login of a user (stolen tablet)")
    revoke.add_argument("username")
    revoke.add_argument(
        "--wipe",
        action="store_true",
        help="also make the user's devices erase their synced data at their next request",
    )
    prune = sub.add_parser("prune-changes", help="drop change-log rows older than N days")
    prune.add_argument("--days", type=int, default=90)
    rep = sub.add_parser("report", help="record a hotline report (prints its id)")
    rep.add_argument("kind", choices=REPORT_KINDS)
    rep.add_argument("text")
    rep.add_argument("--caller", default="")
    rep.add_argument("--severity", type=int, choices=(1, 2, 3, 4))
    job = sub.add_parser("create-job", help="create a job at a site (prints its id)")
    job.add_argument("--site", required=True)
    job.add_argument("--fault", required=True)
    job.add_argument("--severity", type=int, choices=(1, 2, 3, 4), required=True)
    job.add_argument(
        "--type",
        default="corrective_repair",
        choices=[kind.value for kind in JobType],
    )
    job.add_argument("--engineer")
    job.add_argument("--report", help="the hotline report this job answers")
    assign = sub.add_parser("assign", help="assign or re-assign a job to an engineer")
    assign.add_argument("job")
    assign.add_argument("engineer")
    sub.add_parser("escalations", help="the escalation queue, most severe first")
    unlock = sub.add_parser(
        "unlock", help="lift the login delay of an account that failed logins have slowed down"
    )
    unlock.add_argument("username")
    imp = sub.add_parser("import-outbox", help="apply a rescue bundle exported by a tablet")
    imp.add_argument("file", type=Path)
    imp.add_argument(
        "--dry-run",
        action="store_true",
        help="check the bundle's signature and show who wrote it and what it holds; import nothing",
    )
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = load_server_settings(args.data_dir, args.db)
    if args.command == "serve" and args.workers > 1 and settings.database_url.startswith("sqlite"):
        parser.error(
            "--workers above 1 needs PostgreSQL (FIELDKIT_SERVER_DB): SQLite has one writer"
        )
    engine = create_server_engine(settings.database_url, workers=1)
    migrate(engine)
    if args.command == "serve":
        engine.dispose()
        return _serve(args, settings.data_dir, settings.database_url)
    if args.command == "sweep-blobs":
        from fieldkit.server.blobstore import ServerBlobs

        blobs = ServerBlobs(
            settings.blob_dir,
            engine,
            settings.max_blob_bytes,
            partial_max_age=settings.partial_max_age,
        )
        print(f"removed {blobs.sweep()} unfinished upload(s)")
        return 0
    if args.command == "migrate":
        print(f"database at head: {settings.database_url.split('@')[-1]}")
        return 0
    from fieldkit.server.office import Office

    now = datetime.now(UTC)
    if args.command == "create-user":
        password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass()
        if len(password) < 8:
            print("fieldkit-server: use at least 8 characters", file=sys.stderr)
            return 2
        Office(engine, lambda: now).create_user(
            args.username, password, args.role, args.display_name
        )
        print(f"created {args.role} {args.username}")
    elif args.command == "seed-demo":
        return seed_demo(engine, settings, args.jobs, args.devices_per_site, args.assign_all_to)
    elif args.command == "revoke":
        revocation = Office(engine, lambda: now).revoke_user(args.username, wipe=args.wipe)
        print(f"revoked {revocation.logins} login(s)")
        if args.wipe:
            print(f"wipe requested on {revocation.wipes} device(s)")
    elif args.command == "prune-changes":
        below = Office(engine, lambda: now).prune_changes(timedelta(days=args.days))
        print(f"pruned change log through seq {below}")
    elif args.command in ("report", "create-job", "assign", "escalations", "unlock"):
        return _dispatch(engine, args, now)
    elif args.command == "import-outbox":
        return _import_outbox(engine, settings, args)
    return 0


def _import_outbox(engine: object, settings: object, args: argparse.Namespace) -> int:
    """Check the bundle's signature, show who and what, then apply (unless --dry-run)."""
    from sqlalchemy import Engine

    from fieldkit.server.blobstore import ServerBlobs
    from fieldkit.server.errors import ApiError
    from fieldkit.server.rescue import import_bundle, inspect_bundle
    from fieldkit.server.settings import ServerSettings

    assert isinstance(engine, Engine) and isinstance(settings, ServerSettings)
    try:
        bundle = json.loads(args.file.read_text(encoding="utf-8"))
        summary = inspect_bundle(engine, bundle)
    except (OSError, ValueError, ApiError) as exc:
        message = exc.message if isinstance(exc, ApiError) else str(exc)
        print(f"fieldkit-server: cannot import {args.file}: {message}", file=sys.stderr)
        return 2
    print("\n".join(summary.lines()))
    if args.dry_run:
        print("dry run: nothing was imported")
        return 0
    try:
        blobs = ServerBlobs(settings.blob_dir, engine, settings.max_blob_bytes)
        report = import_bundle(engine, blobs, bundle)
    except (OSError, ValueError, ApiError) as exc:
        message = exc.message if isinstance(exc, ApiError) else str(exc)
        print(f"fieldkit-server: cannot import {args.file}: {message}", file=sys.stderr)
        return 2
    if report["stale_seq"]:
        print(
            f"{report['stale_seq']} change(s) were not applied: the center already has other "
            "changes with their sequence numbers from this device"
        )
    print(json.dumps(report, ensure_ascii=False))
    return 0


def _serve(args: argparse.Namespace, data_dir: Path, database_url: str) -> int:
    import uvicorn

    os.environ["FIELDKIT_SERVER_DATA"] = str(data_dir)
    os.environ["FIELDKIT_SERVER_DB"] = database_url
    os.environ["FIELDKIT_WORKERS"] = str(args.workers)  # each worker sizes its pool from it
    os.environ["FIELDKIT_HEADER_TIMEOUT"] = str(args.header_timeout)
    allow = [ip.strip() for ip in args.forwarded_allow_ips.split(",") if ip.strip()]
    uvicorn.run(
        "fieldkit.server.asgi:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        ssl_certfile=args.ssl_certfile,
        ssl_keyfile=args.ssl_keyfile,
        log_level="warning",
        # Slow or idle clients must not pin sockets: idle connections close after a few
        # seconds, a request's headers must arrive within HEADER_TIMEOUT, and past
        # --limit-concurrency new requests get 503 instead of the process running out of
        # file descriptors. The TLS reverse proxy in front stays mandatory (installer/README).
        http="fieldkit.server.slow_clients:HeaderTimeoutProtocol",
        timeout_keep_alive=args.timeout_keep_alive,
        limit_concurrency=args.limit_concurrency,
        server_header=False,
        proxy_headers=bool(allow),
        forwarded_allow_ips=allow or None,
    )
    return 0


def seed_demo(
    engine: object,
    settings: object,
    jobs: int,
    devices_per_site: int,
    assign_all_to: str | None = None,
) -> int:
    from sqlalchemy import Engine

    from fieldkit.demo.flow import office_records
    from fieldkit.demo.generator import DemoSize, build_demo, write_rows
    from fieldkit.server import auth
    from fieldkit.server import tables as t
    from fieldkit.server.blobstore import ServerBlobs
    from fieldkit.server.settings import ServerSettings

    assert isinstance(engine, Engine) and isinstance(settings, ServerSettings)
    with engine.connect() as conn:
        if conn.scalar(select(func.count()).select_from(t.users)):
            print(
                "fieldkit-server: database already has users; seed-demo needs an empty one",
                file=sys.stderr,
            )
            return 2
    blobs = ServerBlobs(settings.blob_dir, engine, settings.max_blob_bytes)
    engineers = (
        (assign_all_to,)
        if assign_all_to
        else tuple(u for u, role, _ in DEMO_USERS if role == "engineer")
    )
    rows, summary = build_demo(
        blobs.store,
        DemoSize(jobs=jobs, devices_per_site=devices_per_site),
        engineers=engineers,
        journal=False,
    )
    with engine.begin() as conn:
        shared = auth.hash_password(DEMO_PASSWORD)
        for username, role, name in DEMO_USERS:
            auth.create_user(conn, username, DEMO_PASSWORD, role, name, password_hash=shared)
        write_rows(conn, rows, lambda model: t.ENTITY[model.__tablename__])
        assignments, events = office_records(rows)
        conn.execute(insert(t.job_assignments), assignments)
        conn.execute(insert(t.job_events), events)
    for sha in blobs.store:
        blobs.register_local(sha, blobs.store.size(sha), "seed")
    print(
        f"demo service center ready: {summary}; users {', '.join(u for u, _, _ in DEMO_USERS)} "
        f"(password '{DEMO_PASSWORD}')"
    )
    return 0


def _dispatch(engine: object, args: argparse.Namespace, now: datetime) -> int:
    """The office's everyday operations, for scripts and terminals next to the API: the same
    use cases the API and the console call."""
    from sqlalchemy import Engine

    from fieldkit.server.errors import ApiError
    from fieldkit.server.office import JobIn, Office, ReportIn

    assert isinstance(engine, Engine)
    office = Office(engine, lambda: now)
    try:
        if args.command == "report":
            report = ReportIn(
                kind=args.kind, caller=args.caller, text=args.text, severity=args.severity
            )
            print(office.record_report(report, "fieldkit-server"))
        elif args.command == "create-job":
            job = JobIn(
                site_id=args.site,
                fault_description=args.fault,
                severity=args.severity,
                job_type=args.type,
                channel=Channel.HOTLINE,
                engineer=args.engineer,
                report_id=args.report,
                reported_at=now,
            )
            print(office.create_job(job))
        elif args.command == "assign":
            office.assign(args.job, args.engineer)
            print(f"{args.job} -> {args.engineer}")
        elif args.command == "unlock":
            office.unlock_user(args.username, "fieldkit-server")
            print(f"unlocked {args.username}")
        else:
            for entry in office.escalations():
                print(f"{entry.number}  S{entry.severity}  {entry.reason}  |  {entry.findings}")
    except ApiError as exc:
        print(f"fieldkit-server: {exc.message}", file=sys.stderr)
        return 2
    except ValueError as exc:  # pydantic's validation of what was typed
        print(f"fieldkit-server: {exc}", file=sys.stderr)
        return 2
    return 0
