"""The app's log: a rotating file under the data folder, and the hooks that send every
uncaught exception there (main thread, other threads, Qt's own warnings).

A bug the engineer meets must leave more than a console trace: the file is what "Export
diagnostics" hands to the office.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

LOG_FOLDER = "logs"
LOG_FILE = "fieldkit.log"
MAX_BYTES = 1 << 20
BACKUPS = 4

log = logging.getLogger("fieldkit")


def log_path(data_dir: Path) -> Path:
    return Path(data_dir) / LOG_FOLDER / LOG_FILE


def setup_logging(data_dir: Path) -> Path:
    """Log INFO and up to ``<data>/logs/fieldkit.log`` (rotated at 1 MB, 4 kept). Calling it
    again for another folder moves the log there."""
    path = log_path(data_dir)
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "fieldkit_log", False):
            root.removeHandler(handler)
            handler.close()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
        )
    except OSError as exc:  # a read-only data folder: the app still runs, the console logs
        print(f"FieldKit cannot write its log file {path}: {exc.strerror}", file=sys.stderr)
        return path
    handler.fieldkit_log = True  # type: ignore[attr-defined]
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s [%(threadName)s] %(name)s: %(message)s")
    )
    root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    return path


Reporter = Callable[[BaseException], None]


def install_hooks(report: Reporter | None = None) -> None:
    """Uncaught exceptions are logged with their traceback, then handed to ``report`` (the
    UI's bug dialog); Ctrl+C stays Ctrl+C."""

    def main_hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        log.critical("uncaught exception", exc_info=(kind, exc, tb))
        if report is not None:
            report(exc)

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or issubclass(args.exc_type, SystemExit):
            return
        name = args.thread.name if args.thread else "?"
        log.critical(
            "uncaught exception in thread %s",
            name,
            exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
        )
        if report is not None:
            report(args.exc_value)

    sys.excepthook = main_hook
    threading.excepthook = thread_hook
