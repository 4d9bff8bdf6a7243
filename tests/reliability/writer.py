"""Child process for the SIGKILL soak: writes through the services layer as fast as it can
and reports each committed change on stdout (after the commit returned), until killed.

Each round writes a work-log note (a plain row + outbox) and a piece of backup evidence
with a file (a blob written to the store before the row that references it).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from fieldkit.domain.clock import SystemClock
from fieldkit.services import checklists, jobs
from fieldkit.services.context import open_context


def main() -> int:
    data, job_id, item_id, scratch = sys.argv[1], sys.argv[2], sys.argv[3], Path(sys.argv[4])
    ctx = open_context(Path(data), "eng-wang", SystemClock())
    print("ready", flush=True)
    n = 0
    while True:
        n += 1
        changed = jobs.add_note(ctx, job_id, f"note {os.getpid()}-{n}")
        print("committed", *changed.mutation_ids, flush=True)
        upload = scratch / f"{os.getpid()}-{n}.bin"
        upload.write_bytes(os.urandom(256 * 1024) + str(n).encode())
        changed = checklists.record_evidence(ctx, item_id, text=f"v{n}", file=upload)
        print("committed", *changed.mutation_ids, flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
