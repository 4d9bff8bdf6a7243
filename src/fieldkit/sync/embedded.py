"""A local service center on loopback, for `make run` and demos: seeded on first start,
stopped when the app exits. Real deployments point the app at their own center instead."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

DEMO_USER = "demo"
OFFICE_USER = "office"  # the demo center's dispatcher, for its web console
PREFERRED_PORT = 8765  # a stable console address when it is free
DEMO_PASSWORD = "fieldkit-demo"
EMBEDDED_SERVER_FLAG = "--embedded-server"


def server_command() -> list[str]:
    """How to start `fieldkit-server` from here: a frozen bundle runs its own executable."""
    if getattr(sys, "frozen", False):
        return [sys.executable, EMBEDDED_SERVER_FLAG]
    return [sys.executable, "-m", "fieldkit.server"]


@dataclass
class EmbeddedServer:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _die_with_parent() -> None:
    """Linux: the server gets SIGTERM when the app dies, even if the app is SIGKILLed."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def _free_port(preferred: bool = True) -> int:
    """The preferred port when nothing listens on it (the console's address stays the same
    from one start to the next), else any free one."""
    for port in (PREFERRED_PORT, 0) if preferred else (0,):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    raise RuntimeError("no free port on loopback")


def start(data_dir: Path, timeout: float = 60.0) -> EmbeddedServer:
    """Start (seeding on first use) a service center whose data lives in ``data_dir``."""
    data_dir.mkdir(parents=True, exist_ok=True)
    base = [*server_command(), "--data-dir", str(data_dir)]
    if not (data_dir / "server.db").exists():
        seeded = subprocess.run([*base, "seed-demo"], capture_output=True, text=True, check=False)
        if seeded.returncode != 0:
            raise RuntimeError(f"Could not create the demo service center: {seeded.stderr[-500:]}")
    log_path = data_dir / "server.log"
    import requests  # only here: the CLI imports this module for a flag name at every start

    # The preferred port first; if another program takes it between the check and the
    # server's bind (the server then exits), once more on any free port.
    for preferred in (True, False):
        port = _free_port(preferred)
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                [*base, "serve", "--port", str(port)],
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                break
            try:
                if requests.get(url + "/health", timeout=1).ok:
                    return EmbeddedServer(url, process, log_path)
            except requests.ConnectionError:
                time.sleep(0.1)
        else:
            process.kill()
            raise RuntimeError(f"The local service center did not start; see {log_path}")
    raise RuntimeError(f"The local service center stopped; see {log_path}")
