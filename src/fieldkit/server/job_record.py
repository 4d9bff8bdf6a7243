"""The job record's read model: everything the engineer recorded, as it reached the center
(work log, arrival, diagnosis, backup evidence, quotes and their approval signature, parts,
escalations, slips and whether each verifies), what the center refused or set aside for this
job, the audit trail, and when the engineer's device last reached the center (what is on the
tablet since then has not arrived yet). Also the blob check for the console's downloads."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, or_, select
from sqlalchemy.engine import Connection

from fieldkit.domain.slip import device_signature_ok, verification_code
from fieldkit.server import tables as t
from fieldkit.server.board import Clock, clock
from fieldkit.server.contact import DeviceContact, device_contacts, latest

E = t.ENTITY
Row = dict[str, Any]


@dataclass(frozen=True)
class SlipView:
    row: Row
    state: str  # valid | modified | bad_signature | superseded
    superseded_by: str | None
    code: str  # the verification code printed on the slip
    pdf_ready: bool  # the PDF's bytes are at the center


@dataclass
class JobRecord:
    job: Row
    customer: Row
    site: Row
    device: Row | None
    timezone: str
    respond: Clock
    arrive: Clock
    work_log: list[Row]
    escalations: list[Row]
    attachments: list[Row]
    checklists: list[dict[str, Any]]  # run + its items, each with its answers
    quotes: list[dict[str, Any]]  # quote + lines + approval signature
    parts: list[Row]
    slips: list[SlipView]
    emails: list[Row]
    signatures: dict[str, Row]
    conflicts: list[Row]
    refused: list[Row]  # the engineer's mutations the center refused
    audit: list[dict[str, Any]]  # office actions and device changes, oldest first
    assignments: list[Row]
    contacts: list[DeviceContact]  # the assigned engineer's devices
    engineer_name: str
    now: datetime
    blob_sizes: dict[str, int | None]  # what the center holds of each referenced file

    @property
    def last_seen_at(self) -> datetime | None:
        return latest(self.contacts).last_seen_at

    @property
    def pending_changes(self) -> int | None:
        """What the engineer's devices said they still held at their last contact."""
        return latest(self.contacts).pending_changes


def _rows(conn: Connection, stmt: Any) -> list[Row]:
    return [dict(r) for r in conn.execute(stmt).mappings()]


def _one(conn: Connection, table: str, key: str | None) -> Row | None:
    if key is None:
        return None
    tbl = E[table]
    row = conn.execute(select(tbl).where(tbl.c.id == key)).mappings().first()
    return dict(row) if row else None


def _slip_view(conn: Connection, slip: Row) -> SlipView:
    slips = E["slips"]
    superseded_by = conn.scalar(select(slips.c.number).where(slips.c.supersedes_id == slip["id"]))
    canonical_ok = (
        hashlib.sha256(slip["canonical"].encode("utf-8")).hexdigest() == slip["content_sha256"]
    )
    signed_ok = bool(
        slip["device_public_key"]
        and slip["device_signature"]
        and device_signature_ok(
            slip["device_public_key"], slip["content_sha256"], slip["device_signature"]
        )
    )
    state = "modified" if not canonical_ok else "bad_signature" if not signed_ok else "valid"
    if state == "valid" and superseded_by:
        state = "superseded"
    pdf_ready = bool(
        slip["pdf_sha256"]
        and conn.scalar(select(t.blobs.c.complete).where(t.blobs.c.sha256 == slip["pdf_sha256"]))
    )
    return SlipView(
        slip, state, superseded_by, verification_code(slip["content_sha256"]), pdf_ready
    )


def _checklists(conn: Connection, job_id: str) -> list[dict[str, Any]]:
    runs, items, answers = E["checklist_runs"], E["checklist_run_items"], E["checklist_answers"]
    out = []
    for run in _rows(conn, select(runs).where(runs.c.job_id == job_id).order_by(runs.c.purpose)):
        run_items = _rows(
            conn, select(items).where(items.c.run_id == run["id"]).order_by(items.c.position)
        )
        by_item: dict[str, list[Row]] = {i["id"]: [] for i in run_items}
        if by_item:
            for a in _rows(
                conn,
                select(answers)
                .where(answers.c.run_item_id.in_(list(by_item)))
                .order_by(answers.c.at),
            ):
                by_item[a["run_item_id"]].append(a)
        out.append({"run": run, "items": [{**i, "answers": by_item[i["id"]]} for i in run_items]})
    return out


def _audit(conn: Connection, job_id: str, entity_ids: list[str]) -> tuple[list[Any], list[Row]]:
    """Office actions (``job_events``) and the device changes the center processed for this
    job or its children, oldest first; and the refused ones on their own."""
    events = _rows(
        conn,
        select(t.job_events).where(t.job_events.c.job_id == job_id).order_by(t.job_events.c.id),
    )
    pm, devices, users = t.processed_mutations, t.client_devices, t.users
    processed = _rows(
        conn,
        select(
            pm.c.name,
            pm.c.status,
            pm.c.reason,
            pm.c.code,
            pm.c.received_at,
            pm.c.device_created_at,
            pm.c.source,
            pm.c.entity_type,
            pm.c.entity_id,
            users.c.username,
        )
        .join(devices, devices.c.device_id == pm.c.device_id)
        .join(users, users.c.id == devices.c.user_id)
        .where(pm.c.entity_id.in_(entity_ids))
        .order_by(pm.c.received_at)
        .limit(2000),
    )
    trail: list[dict[str, Any]] = [
        {
            "at": e["at"],
            "by": e["by"],
            "kind": "office",
            "action": e["action"],
            "detail": e["detail"],
        }
        for e in events
    ]
    trail += [
        {
            "at": p["received_at"],
            "by": p["username"],
            "kind": "device",
            "action": p["name"],
            "detail": {"status": p["status"], "reason": p["reason"], "source": p["source"]},
        }
        for p in processed
    ]
    trail.sort(key=lambda e: e["at"])
    return trail, [p for p in processed if p["status"] == "rejected"]


def load_job_record(engine: Engine, job_id: str, now: datetime) -> JobRecord | None:
    jobs = E["jobs"]
    with engine.connect() as conn:
        job_m = conn.execute(select(jobs).where(jobs.c.id == job_id)).mappings().first()
        if job_m is None:
            return None
        job = dict(job_m)
        site = _one(conn, "sites", job["site_id"]) or {}
        customer = _one(conn, "customers", job["customer_id"]) or {}

        def children(table: str, order: str) -> list[Row]:
            tbl = E[table]
            return _rows(conn, select(tbl).where(tbl.c.job_id == job_id).order_by(tbl.c[order]))

        quotes: list[dict[str, Any]] = []
        signature_ids: set[str] = set()
        for q in children("quotes", "created_at"):
            lines = E["quote_lines"]
            quotes.append(
                {
                    "quote": q,
                    "lines": _rows(
                        conn,
                        select(lines).where(lines.c.quote_id == q["id"]).order_by(lines.c.position),
                    ),
                }
            )
            signature_ids.add(q["approval_signature_id"])
        slip_rows = children("slips", "signed_at")
        for s in slip_rows:
            signature_ids |= {s["customer_signature_id"], s["engineer_signature_id"]}
        sig = E["signatures"]
        signatures = {
            r["id"]: r for r in _rows(conn, select(sig).where(sig.c.id.in_(signature_ids - {None})))
        }
        checklists = _checklists(conn, job_id)
        item_ids = [i["id"] for c in checklists for i in c["items"]]
        entity_ids = [job_id, *(q["quote"]["id"] for q in quotes), *(s["id"] for s in slip_rows)]
        emails = children("slip_emails", "requested_at")
        trail, refused = _audit(conn, job_id, [*entity_ids, *item_ids, *(e["id"] for e in emails)])
        contacts: list[DeviceContact] = []
        engineer_name = ""
        if job["assigned_engineer"]:
            users = t.users
            engineer_name = (
                conn.scalar(
                    select(users.c.display_name).where(users.c.username == job["assigned_engineer"])
                )
                or job["assigned_engineer"]
            )
            contacts = device_contacts(conn, job["assigned_engineer"])
        conflicts = _rows(
            conn,
            select(t.conflicts)
            .where(or_(t.conflicts.c.job_id == job_id, t.conflicts.c.entity_id.in_(entity_ids)))
            .order_by(t.conflicts.c.id),
        )
        assignments = _rows(
            conn,
            select(t.job_assignments)
            .where(t.job_assignments.c.job_id == job_id)
            .order_by(t.job_assignments.c.id),
        )
        shas = {a["blob_sha256"] for a in children("attachments", "created_at")}
        shas |= {a["blob_sha256"] for c in checklists for i in c["items"] for a in i["answers"]}
        shas |= {s["pdf_sha256"] for s in slip_rows}
        blob_sizes: dict[str, int | None] = {
            str(r.sha256): (int(r.size) if r.size is not None and r.complete else None)
            for r in conn.execute(
                select(t.blobs.c.sha256, t.blobs.c.size, t.blobs.c.complete).where(
                    t.blobs.c.sha256.in_(shas - {None})
                )
            )
        }
        return JobRecord(
            blob_sizes=blob_sizes,
            job=job,
            customer=customer,
            site=site,
            device=_one(conn, "devices", job["device_id"]),
            timezone=site.get("timezone") or "UTC",
            respond=clock(job["respond_by"], job["responded_at"], now),
            arrive=clock(job["arrive_by"], job["arrived_at"], now),
            work_log=children("work_log", "at"),
            escalations=children("escalations", "at"),
            attachments=children("attachments", "created_at"),
            checklists=checklists,
            quotes=quotes,
            parts=children("part_replacements", "at"),
            slips=[_slip_view(conn, s) for s in slip_rows],
            emails=emails,
            signatures=signatures,
            conflicts=conflicts,
            refused=refused,
            audit=trail,
            assignments=assignments,
            contacts=contacts,
            engineer_name=engineer_name,
            now=now,
        )


def job_blob(engine: Engine, job_id: str, sha256: str) -> tuple[str, str] | None:
    """(file name, MIME type) of a blob this job references, or None: the console streams
    only what a job record links to, never an arbitrary hash."""
    att, ans, slips = E["attachments"], E["checklist_answers"], E["slips"]
    items, runs = E["checklist_run_items"], E["checklist_runs"]
    with engine.connect() as conn:
        hit = conn.execute(
            select(att.c.filename, att.c.mime)
            .where(att.c.job_id == job_id, att.c.blob_sha256 == sha256)
            .limit(1)
        ).first()
        if hit is not None:
            return str(hit.filename), str(hit.mime)
        answer = conn.scalar(
            select(ans.c.filename)
            .join(items, items.c.id == ans.c.run_item_id)
            .join(runs, runs.c.id == items.c.run_id)
            .where(runs.c.job_id == job_id, ans.c.blob_sha256 == sha256)
            .limit(1)
        )
        if answer is not None:
            return str(answer) or f"{sha256[:12]}.bin", _guess_mime(str(answer))
        slip = conn.scalar(
            select(slips.c.number).where(slips.c.job_id == job_id, slips.c.pdf_sha256 == sha256)
        )
        if slip is not None:
            return f"{slip}.pdf", "application/pdf"
    return None


def _guess_mime(name: str) -> str:
    lower = name.lower()
    for ext, mime in ((".jpg", "image/jpeg"), (".jpeg", "image/jpeg"), (".png", "image/png")):
        if lower.endswith(ext):
            return mime
    return "application/octet-stream"


def signature_path(sig: Row, width: int = 240, height: int = 80) -> tuple[int, int, list[str]]:
    """The signature's strokes as SVG polyline point lists scaled into ``width`` x
    ``height`` (numbers only: nothing a device sent reaches the page as markup)."""
    cw, ch = max(int(sig.get("canvas_width") or 1), 1), max(int(sig.get("canvas_height") or 1), 1)
    scale = min(width / cw, height / ch)
    lines = []
    for stroke in sig.get("strokes") or []:
        points = []
        for point in stroke:
            try:
                x, y = float(point[0]) * scale, float(point[1]) * scale
            except (TypeError, ValueError, IndexError):
                continue
            points.append(f"{x:.1f},{y:.1f}")
        if points:
            lines.append(" ".join(points))
    return width, height, lines


def slip_pdf(
    engine: Engine, job_id: str, slip_id: str, center_url: str | None
) -> tuple[str, bytes] | None:
    """(file name, PDF) of one of the job's slips, rendered by the center from the signed
    content it stored (checked against its hash) and the signatures as captured, in the
    customer's language: what the customer holds, whether or not the device's own PDF was
    uploaded. None when the slip is not this job's."""
    from fieldkit.server.mail import render_slip_pdf

    slips, jobs, customers = E["slips"], E["jobs"], E["customers"]
    with engine.connect() as conn:
        language = conn.execute(
            select(customers.c.language)
            .join(jobs, jobs.c.customer_id == customers.c.id)
            .join(slips, slips.c.job_id == jobs.c.id)
            .where(slips.c.id == slip_id, slips.c.job_id == job_id)
        ).first()
        if language is None:
            return None
        lang = {"zh": "zh_CN", "zh_CN": "zh_CN"}.get(language[0] or "", "en")
        number, pdf = render_slip_pdf(conn, slip_id, lang, center_url or None)
    return f"{number}.pdf", pdf
