"""A job the center re-assigned after an escalation: the next engineer opens it and reads
what the previous engineer found and what the center made of it, in the job's workspace."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pytestqt.qtbot import QtBot

from fieldkit.i18n import set_language
from fieldkit.services.context import ServiceContext
from fieldkit.store import models as m
from tests.services.fixtures import seed_job
from tests.ui.test_job_workspace import open_job

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _as_pulled(ctx: ServiceContext) -> None:
    """What a sync brings after the supervisor re-assigned the job to this engineer."""
    seed_job(ctx, status="assigned")
    now = ctx.clock.now()
    with ctx.db.write() as s:
        s.add(
            m.Escalation(
                job_id="j1",
                at=now - timedelta(hours=3),
                by="eng-zhao",
                reason="Rack 2 bus fault",
                findings="F17 on the backplane",
                category="vendor",
            )
        )
        s.add(
            m.WorkLogEntry(
                job_id="j1",
                kind="center_plan",
                at=now - timedelta(hours=1),
                by="super",
                note="Analysis: backplane <b>dead</b>\nPlan: swap it, part at the depot",
            )
        )


def test_the_next_engineer_reads_the_findings_and_the_centers_plan(
    qtbot: QtBot, ctx: ServiceContext
) -> None:
    _as_pulled(ctx)
    window = open_job(qtbot, ctx)
    panel = window.workspace.escalation
    assert not panel.isHidden()
    text = panel.body.text()
    assert "F17 on the backplane" in text and "eng-zhao" in text
    assert "The center's answer: Analysis: backplane <b>dead</b>" in text  # plain text
    assert "Plan: swap it, part at the depot" in text


def test_the_centers_answer_in_chinese(qtbot: QtBot, ctx: ServiceContext) -> None:
    set_language("zh_CN")
    try:
        _as_pulled(ctx)
        window = open_job(qtbot, ctx)
        assert "服务中心的答复：" in window.workspace.escalation.body.text()
    finally:
        set_language("en")
