"""Command line: `fieldkit run`, `fieldkit demo`, `fieldkit jobs`, `fieldkit status`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from fieldkit import __version__
from fieldkit.config import load_settings
from fieldkit.domain.errors import DomainError
from fieldkit.i18n import _, ngettext, set_language, tr
from fieldkit.labels import labelled
from fieldkit.store.errors import StoreError
from fieldkit.sync.embedded import EMBEDDED_SERVER_FLAG
from fieldkit.sync.errors import SyncError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fieldkit", description="FieldKit: offline-first field service for engineers."
    )
    parser.add_argument("--version", action="version", version=f"fieldkit {__version__}")
    parser.add_argument(
        "--data-dir",
        help="data folder (default: $FIELDKIT_DATA_DIR or the per-user app data folder)",
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check this installation (data file, migrations, fonts, PDF, Qt) and exit",
    )
    parser.add_argument(
        "--upgrade-from",
        metavar="DB",
        help="with --self-test: also upgrade a copy of this older data file",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = sub.add_parser("run", help="start the app (seeds demo data on first start)")
    run.add_argument(
        "--no-server",
        action="store_true",
        help="do not start the local demo service center; seed demo data locally",
    )
    run.add_argument("--no-demo", action="store_true", help="with --no-server: start empty")
    demo = sub.add_parser("demo", help="write a demo data set into the data folder")
    demo.add_argument("--jobs", type=int, default=240, help="number of jobs (default 240)")
    demo.add_argument("--devices-per-site", type=int, default=40)
    demo.add_argument("--seed", type=int, default=7)
    jobs = sub.add_parser("jobs", help="list jobs, most urgent first")
    jobs.add_argument("search", nargs="?", default="", help="full-text search (中文 or English)")
    jobs.add_argument("--limit", type=int, default=20)
    sub.add_parser("status", help="unsynced changes, rejected changes, last sync")
    login = sub.add_parser("login", help="connect to a service center (token goes to the keyring)")
    login.add_argument("--server", required=True, help="e.g. https://service.example.com")
    login.add_argument("--user", required=True)
    login.add_argument("--ca-bundle", help="PEM file of a private certificate authority")
    login.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    sub.add_parser("sync", help="send local changes and fetch updates, once")
    sub.add_parser("logout", help="revoke this device's login and forget the token")
    conflicts = sub.add_parser("conflicts", help="changes the center rejected, and deciding them")
    decide = conflicts.add_mutually_exclusive_group()
    decide.add_argument("--keep-mine", metavar="ID", help="send that change again")
    decide.add_argument("--use-server", metavar="ID", help="accept the center's version")
    verify = sub.add_parser("verify", help="check a service slip PDF: valid / modified / unknown")
    verify.add_argument("pdf")
    verify.add_argument("--server", help="ask this service center instead of the local record")
    export = sub.add_parser("export-outbox", help="write unsynced work to a file (USB rescue)")
    export.add_argument("file")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == [EMBEDDED_SERVER_FLAG]:
        # A frozen build has no `python -m`: the bundle's own executable runs the local
        # demo service center (see fieldkit.sync.embedded).
        from fieldkit.server.cli import main as server_main

        return server_main(argv[1:])
    args = _parser().parse_args(argv)
    if args.self_test:
        from pathlib import Path

        from fieldkit import self_test

        return self_test.run(Path(args.upgrade_from) if args.upgrade_from else None)
    if args.command is None:
        if not getattr(sys, "frozen", False):
            _parser().print_help()
            return 0
        # Started from a menu or a double click: open the app.
        args = _parser().parse_args([*argv, "run"])
    settings = load_settings(args.data_dir)
    try:
        if args.command == "run":
            from fieldkit.app import run_app

            return run_app(settings, embedded_server=not args.no_server, seed_demo=not args.no_demo)
        return _headless(args, settings)
    except (StoreError, DomainError, SyncError) as exc:
        from fieldkit.services.errors import known_error, reason

        known = known_error(exc)
        print(f"fieldkit: {tr(reason(known)) if known else exc}", file=sys.stderr)
        return 2


def _headless(args: argparse.Namespace, settings: object) -> int:
    from fieldkit.config import LANGUAGE_KEY, Settings
    from fieldkit.demo.generator import DemoSize, generate, is_empty
    from fieldkit.labels import sla_label, status_label, time_left_label
    from fieldkit.services import queries
    from fieldkit.services.context import open_context
    from fieldkit.services.settings import get_setting

    assert isinstance(settings, Settings)
    ctx = open_context(settings.data_dir, settings.user)
    # The language chosen in the app's Settings, else the system's: as the app speaks.
    set_language(get_setting(ctx, LANGUAGE_KEY) or settings.language)
    try:
        if args.command == "demo":
            if not is_empty(ctx.db):
                print(
                    _("fieldkit: {folder} already holds data; choose an empty --data-dir").format(
                        folder=settings.data_dir
                    ),
                    file=sys.stderr,
                )
                return 2
            summary = generate(
                ctx.db,
                ctx.blobs,
                DemoSize(jobs=args.jobs, devices_per_site=args.devices_per_site),
                seed=args.seed,
            )
            print(
                _("demo data written to {folder}: {summary}").format(
                    folder=settings.data_dir, summary=summary
                )
            )
        elif args.command == "jobs":
            ids = queries.job_ids(ctx, queries.JobFilter(text=args.search))
            now = ctx.clock.now()
            for row in queries.job_rows(ctx, ids[: args.limit]):
                left = row.respond.time_left(now)
                sla = (
                    time_left_label(left)
                    if left is not None
                    else sla_label(row.respond.state(now).value)
                )
                print(
                    f"{row.number}  S{row.severity}  {status_label(row.status):<17} {sla:>9}  "
                    f"{row.customer} / {row.site}"
                )
            print(ngettext("{count} job", "{count} jobs", len(ids)).format(count=len(ids)))
        elif args.command in ("login", "sync", "logout", "export-outbox"):
            return _sync_commands(args, ctx)
        elif args.command == "verify":
            from pathlib import Path

            from fieldkit.services.documents import Verdict, verify_pdf

            if args.server:
                from fieldkit.services.documents import pdf_reference, verify_with_center
                from fieldkit.sync.errors import ServerRefused
                from fieldkit.sync.transport import Transport

                ref = pdf_reference(Path(args.pdf))
                record = None
                if ref is not None:
                    with Transport(args.server) as http:
                        try:
                            record = http.request("GET", f"/verify/slips/{ref[0]}").json()
                        except ServerRefused as exc:
                            if exc.status != 404:
                                raise
                result = verify_with_center(Path(args.pdf), record)
            else:
                result = verify_pdf(ctx, Path(args.pdf))
            print(f"{result.verdict.value}: {result.detail}")
            return 0 if result.verdict is Verdict.VALID else 1
        elif args.command == "conflicts":
            from fieldkit.services import conflicts

            if args.keep_mine:
                conflicts.keep_mine(ctx, args.keep_mine)
                print(_("queued again; it is sent at the next sync"))
            elif args.use_server:
                conflicts.use_server(ctx, args.use_server)
                print(_("the center's version is kept; yours stays in the audit log"))
            else:
                inbox = conflicts.inbox(ctx)
                for item in inbox:
                    print(f"{item.mutation_id}  {item.name}  {item.entity_id}\n    {item.reason}")
                count = len(inbox)
                print(
                    ngettext("{count} change to decide", "{count} changes to decide", count).format(
                        count=count
                    )
                )
        elif args.command == "status":
            sync = queries.sync_summary(ctx)
            last = sync.last_sync_at.isoformat() if sync.last_sync_at else _("never")
            for line in queries.rejected_changes(ctx):
                print(_("rejected: {reason}").format(reason=line))
            skew = get_setting(ctx, "sync.clock_skew_seconds")
            if skew:
                print(
                    _(
                        "device clock differs from the service center by {seconds} s "
                        "(times are recorded with both clocks)"
                    ).format(seconds=skew)
                )
            for label, value in (
                (_("unsynced changes"), sync.pending),
                (_("rejected"), sync.rejected),
                (_("last sync"), last),
                (_("data folder"), settings.data_dir),
            ):
                print(labelled(label, str(value)))
        return 0
    finally:
        ctx.db.close()


def _sync_commands(args: argparse.Namespace, ctx: object) -> int:
    import getpass
    from pathlib import Path

    from fieldkit.services.context import ServiceContext
    from fieldkit.sync import session
    from fieldkit.sync.engine import SyncEngine
    from fieldkit.sync.rescue import export_outbox

    assert isinstance(ctx, ServiceContext)
    if args.command == "login":
        password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass()
        reply = session.login(
            ctx, args.server, args.user, password, Path(args.ca_bundle) if args.ca_bundle else None
        )
        print(
            _("logged in as {name} ({role}); token stored in the keyring").format(
                name=reply.display_name, role=reply.role
            )
        )
        if not session.credentials().persistent:
            warning = session.credentials().warning
            print(_("warning: {warning}").format(warning=warning), file=sys.stderr)
    elif args.command == "sync":
        with session.connect(ctx) as transport:
            report = SyncEngine(ctx, transport).run()
        if report is None:
            print(_("a sync is already running for this data folder"))
            return 0
        print(report.summary())
        for reason in report.rejections:
            print(_("rejected: {reason}").format(reason=reason))
    elif args.command == "logout":
        session.logout(ctx)
        print(_("logged out"))
    elif args.command == "export-outbox":
        count = export_outbox(ctx, Path(args.file))
        print(
            ngettext(
                "{count} change the center has not accepted (unsynced, or refused and not "
                "resolved) written to {file}, signed by this device; import it at the "
                "service center with: fieldkit-server import-outbox FILE",
                "{count} changes the center has not accepted (unsynced, or refused and not "
                "resolved) written to {file}, signed by this device; import them at the "
                "service center with: fieldkit-server import-outbox FILE",
                count,
            ).format(count=count, file=args.file)
        )
    return 0
