"""Command line: `fieldkit run`, `fieldkit demo`, `fieldkit jobs`, `fieldkit status`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from fieldkit import __version__
from fieldkit.config import load_settings
from fieldkit.domain.errors import DomainError
from fieldkit.i18n import _, ngettext, set_language, tr
from fieldkit.labels import labelled
from fieldkit.store.errors import StoreError
from fieldkit.sync.embedded import EMBEDDED_SERVER_FLAG
from fieldkit.sync.errors import SyncError


class _Formatter(argparse.HelpFormatter):
    """argparse's help in the language in effect: its own words ("usage:") too."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog)
        self._headings: list[str] = []

    def add_usage(self, usage: str | None, actions: Any, groups: Any, prefix: Any = None) -> None:
        super().add_usage(usage, actions, groups, _("usage: ") if prefix is None else prefix)

    def start_section(self, heading: str | None) -> None:
        if heading:
            self._headings.append(heading)
        super().start_section(heading)

    def format_help(self) -> str:
        text = super().format_help()
        for heading in self._headings:  # argparse puts a plain colon after a heading
            text = text.replace(f"{heading}:\n", _("{heading}:").format(heading=heading) + "\n")
        return text


def _translated(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("-h", "--help", action="help", help=_("show this help and exit"))
    parser._positionals.title = _("arguments")
    parser._optionals.title = _("options")
    return parser


def _parser() -> argparse.ArgumentParser:
    """The commands and their help, in the language in effect (``_help_language``)."""
    parser = _translated(
        argparse.ArgumentParser(
            prog="fieldkit",
            description=_("FieldKit: offline-first field service for engineers."),
            formatter_class=_Formatter,
            add_help=False,
        )
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"fieldkit {__version__}",
        help=_("show the version and exit"),
    )
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help=_("data folder (default: $FIELDKIT_DATA_DIR or the per-user app data folder)"),
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help=_("check this installation (data file, migrations, fonts, PDF, Qt) and exit"),
    )
    parser.add_argument(
        "--upgrade-from",
        metavar="DB",
        help=_("with --self-test: also upgrade a copy of this older data file"),
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title=_("commands"))

    def command(name: str, text: str) -> argparse.ArgumentParser:
        return _translated(
            sub.add_parser(
                name, help=text, description=text, formatter_class=_Formatter, add_help=False
            )
        )

    run = command("run", _("start the app (seeds demo data on first start)"))
    run.add_argument(
        "--no-server",
        action="store_true",
        help=_("do not start the local demo service center; seed demo data locally"),
    )
    run.add_argument("--no-demo", action="store_true", help=_("with --no-server: start empty"))
    demo = command("demo", _("write a demo data set into the data folder"))
    demo.add_argument("--jobs", type=int, default=240, help=_("number of jobs (default 240)"))
    demo.add_argument(
        "--devices-per-site", type=int, default=40, help=_("devices at each site (default 40)")
    )
    demo.add_argument("--seed", type=int, default=7, help=_("random seed (default 7)"))
    jobs = command("jobs", _("list jobs, most urgent first"))
    jobs.add_argument("search", nargs="?", default="", help=_("full-text search (中文 or English)"))
    jobs.add_argument("--limit", type=int, default=20, help=_("most jobs listed (default 20)"))
    command("status", _("unsynced changes, rejected changes, last sync"))
    login = command("login", _("connect to a service center (token goes to the keyring)"))
    login.add_argument("--server", required=True, help=_("e.g. https://service.example.com"))
    login.add_argument("--user", required=True, help=_("your user name at the center"))
    login.add_argument("--ca-bundle", help=_("PEM file of a private certificate authority"))
    login.add_argument(
        "--password-stdin", action="store_true", help=_("read the password from stdin")
    )
    command("sync", _("send local changes and fetch updates, once"))
    command("logout", _("revoke this device's login and forget the token"))
    conflicts = command("conflicts", _("changes the center rejected, and deciding them"))
    decide = conflicts.add_mutually_exclusive_group()
    decide.add_argument("--keep-mine", metavar="ID", help=_("send that change again"))
    decide.add_argument("--use-server", metavar="ID", help=_("accept the center's version"))
    verify = command("verify", _("check a service slip PDF: valid / modified / unknown"))
    verify.add_argument("pdf", help=_("the slip's PDF file"))
    verify.add_argument("--server", help=_("ask this service center instead of the local record"))
    export = command("export-outbox", _("write unsynced work to a file (USB rescue)"))
    export.add_argument("file", help=_("the file to write"))
    return parser


def _help_language(argv: Sequence[str]) -> None:
    """The help and usage texts speak the language chosen in the app's Settings (read from
    the data file when it is current), else the system's: as the app and the commands do."""
    from fieldkit.config import LANGUAGE_KEY
    from fieldkit.store import DATA_FILE
    from fieldkit.store.list_reader import open_current

    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--data-dir")
    known, _rest = early.parse_known_args(argv)
    settings = load_settings(known.data_dir)
    chosen = None
    reader = open_current(settings.data_dir / DATA_FILE)
    if reader is not None:
        try:
            chosen = reader.setting(LANGUAGE_KEY)
        finally:
            reader.close()
    set_language(chosen or settings.language)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == [EMBEDDED_SERVER_FLAG]:
        # A frozen build has no `python -m`: the bundle's own executable runs the local
        # demo service center (see fieldkit.sync.embedded).
        from fieldkit.server.cli import main as server_main

        return server_main(argv[1:])
    _help_language(argv)
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
