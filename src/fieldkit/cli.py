"""Command line: `fieldkit run`, `fieldkit demo`, `fieldkit jobs`, `fieldkit status`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from fieldkit import __version__
from fieldkit.config import load_settings
from fieldkit.domain.errors import DomainError
from fieldkit.store.database import StoreError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fieldkit", description="FieldKit: offline-first field service for engineers."
    )
    parser.add_argument("--version", action="version", version=f"fieldkit {__version__}")
    parser.add_argument(
        "--data-dir",
        help="data folder (default: $FIELDKIT_DATA_DIR or the per-user app data folder)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = sub.add_parser("run", help="start the app (seeds demo data on first start)")
    run.add_argument("--no-demo", action="store_true", help="start with an empty store")
    demo = sub.add_parser("demo", help="write a demo data set into the data folder")
    demo.add_argument("--jobs", type=int, default=240, help="number of jobs (default 240)")
    demo.add_argument("--devices-per-site", type=int, default=40)
    demo.add_argument("--seed", type=int, default=7)
    jobs = sub.add_parser("jobs", help="list jobs, most urgent first")
    jobs.add_argument("search", nargs="?", default="", help="full-text search (中文 or English)")
    jobs.add_argument("--limit", type=int, default=20)
    sub.add_parser("status", help="unsynced changes and last sync")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command is None:
        _parser().print_help()
        return 0
    settings = load_settings(args.data_dir)
    try:
        if args.command == "run":
            from fieldkit.app import run_app

            return run_app(settings, seed_demo=not args.no_demo)
        return _headless(args, settings)
    except (StoreError, DomainError) as exc:
        print(f"fieldkit: {exc}", file=sys.stderr)
        return 2


def _headless(args: argparse.Namespace, settings: object) -> int:
    from fieldkit.config import Settings
    from fieldkit.demo.generator import DemoSize, generate, is_empty
    from fieldkit.domain.sla import format_time_left
    from fieldkit.services import queries
    from fieldkit.services.context import open_context

    assert isinstance(settings, Settings)
    ctx = open_context(settings.data_dir, settings.user)
    try:
        if args.command == "demo":
            if not is_empty(ctx.db):
                print(
                    f"fieldkit: {settings.data_dir} already holds data; choose an empty --data-dir",
                    file=sys.stderr,
                )
                return 2
            summary = generate(
                ctx.db,
                ctx.blobs,
                DemoSize(jobs=args.jobs, devices_per_site=args.devices_per_site),
                seed=args.seed,
            )
            print(f"demo data written to {settings.data_dir}: {summary}")
        elif args.command == "jobs":
            ids = queries.job_ids(ctx, queries.JobFilter(text=args.search))
            now = ctx.clock.now()
            for row in queries.job_rows(ctx, ids[: args.limit]):
                left = row.respond.time_left(now)
                sla = format_time_left(left) if left is not None else row.respond.state(now).value
                print(
                    f"{row.number}  S{row.severity}  {row.status:<17} {sla:>9}  "
                    f"{row.customer} / {row.site}"
                )
            print(f"{len(ids)} job(s)")
        elif args.command == "status":
            sync = queries.sync_summary(ctx)
            last = sync.last_sync_at.isoformat() if sync.last_sync_at else "never"
            print(
                f"unsynced changes: {sync.pending}\nrejected: {sync.rejected}\n"
                f"last sync: {last}\ndata folder: {settings.data_dir}"
            )
        return 0
    finally:
        ctx.db.close()
