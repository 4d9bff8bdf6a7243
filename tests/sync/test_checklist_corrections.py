"""A checklist answer corrected on site reaches the center as a new answer (append-only, the
latest counts); a correction after the backup was confirmed is refused on both sides, by the
same domain rule."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from fieldkit.domain.enums import EvidenceKind
from fieldkit.domain.errors import GuardFailed, InvalidValue
from fieldkit.server.tables import ENTITY
from fieldkit.services import checklists, jobs
from fieldkit.services.transaction import transaction
from tests.support.flow import arrive_and_diagnose, record_all_evidence
from tests.support.server import Client, Office, Server


def center_answers(server: Server, item_id: str) -> list[bool]:
    answers = ENTITY["checklist_answers"]
    engine = server.engine()
    try:
        with engine.connect() as conn:
            return [
                r.ticked
                for r in conn.execute(
                    select(answers).where(answers.c.run_item_id == item_id).order_by(answers.c.at)
                )
            ]
    finally:
        engine.dispose()


def forged_untick(client: Client, item_id: str) -> None:
    """What a device sends if it skips the app's rule."""
    with transaction(client.ctx) as tx:
        tx.emit_stored(
            "checklist.answer.v1",
            item_id,
            None,
            {
                "answer_id": str(uuid.uuid4()),
                "run_item_id": item_id,
                "kind": "tick",
                "ticked": False,
                "text": "",
                "blob_sha256": None,
                "filename": "",
                "at": client.ctx.clock.now().isoformat(),
            },
        )


def test_a_corrected_tick_syncs_and_a_late_correction_is_refused_by_app_and_center(
    server: Server, office: Office, wang: Client, tmp_path: Path
) -> None:
    job = office.new_job("wang")
    wang.sync()
    arrive_and_diagnose(wang.ctx, job)
    view = checklists.backup_checklist(wang.ctx, job)
    assert view is not None
    tick = next(i for i in view.items if i.evidence_kind is EvidenceKind.TICK)
    with pytest.raises(InvalidValue, match="nothing to correct"):
        checklists.record_evidence(wang.ctx, tick.id, ticked=False)
    checklists.record_evidence(wang.ctx, tick.id, ticked=True)
    checklists.record_evidence(wang.ctx, tick.id, ticked=False)  # ticked by mistake
    report = wang.sync()
    assert report.rejected == 0, report.rejections
    assert center_answers(server, tick.id) == [True, False]  # both kept, the latest counts

    record_all_evidence(wang.ctx, job, tmp_path, b"config backup")  # ticks it again
    jobs.confirm_backup(wang.ctx, job)
    report = wang.sync()
    assert report.rejected == 0, report.rejections
    assert center_answers(server, tick.id) == [True, False, True]

    # Backed up: the app no longer takes a correction...
    with pytest.raises(GuardFailed, match="can no longer be corrected"):
        checklists.record_evidence(wang.ctx, tick.id, ticked=False)
    # ...and the center refuses one sent anyway, with the same reason.
    forged_untick(wang, tick.id)
    report = wang.sync()
    assert report.rejected == 1 and "can no longer be corrected" in report.rejections[0]
    assert center_answers(server, tick.id) == [True, False, True]
