"""Write a demo data set into a local store (bulk inserts, so 100k jobs stay practical)."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from pypdfium2 import PdfDocument
from sqlalchemy import Connection, Table, insert
from sqlalchemy.orm import Session

from fieldkit.demo import vocabulary as v
from fieldkit.demo.drawings import floor_plan_pdf, floor_plan_png, wiring_pdf
from fieldkit.demo.flow import SLA_MINUTES, job_plan, journal_rows, take_through_flow
from fieldkit.demo.slips import DemoJob, demo_device_id, demo_key
from fieldkit.demo.work import ASSIGN_AFTER, JobWork, Step, new_id
from fieldkit.domain import record_rows, records
from fieldkit.domain.enums import Channel, EvidenceKind, JobType
from fieldkit.domain.sla import job_sla
from fieldkit.domain.warranty import derive_billing
from fieldkit.protocol.entities import SYNCED_MODELS, table_of
from fieldkit.store import models as m
from fieldkit.store.blobs import BlobStore
from fieldkit.store.database import Database


@dataclass(frozen=True)
class DemoSize:
    jobs: int = 240
    sites: int | None = None  # default: one site per 25 jobs, at least 6
    devices_per_site: int = 40
    drawing_sites: int = 3  # sites with their own generated drawings; others share them

    @property
    def site_count(self) -> int:
        return self.sites if self.sites is not None else max(6, self.jobs // 25)


@dataclass(frozen=True)
class DemoSummary:
    customers: int
    sites: int
    devices: int
    jobs: int
    documents: int
    parts: int


_uuid = new_id


def _person(rng: random.Random) -> str:
    return rng.choice(v.SURNAMES) + "".join(rng.choice(v.GIVEN) for _ in range(rng.randint(1, 2)))


def _page_count(data: bytes) -> int:
    doc = PdfDocument(data)
    try:
        return len(doc)
    finally:
        doc.close()


Rows = dict[type[m.Base], list[dict[str, Any]]]


def generate(
    db: Database,
    blobs: BlobStore,
    size: DemoSize = DemoSize(),
    *,
    engineer: str = "demo",
    seed: int = 7,
    now: datetime | None = None,
) -> DemoSummary:
    """Fill an empty local store. Deterministic for a given seed and ``now``."""
    rows, summary = build_demo(blobs, size, engineers=(engineer,), seed=seed, now=now)
    with db.write() as session:
        write_rows(session, rows, table_of)
        write_journal(session, rows)
    return summary


def write_journal(session: Session, rows: Rows) -> None:
    """The demo's changes in this store's outbox (acknowledged: the center holds them) and
    audit log, under the demo device that made them."""
    for model in (m.OutboxMutation, m.AuditEntry):
        batch = rows.get(model, [])
        for start in range(0, len(batch), 5000):
            session.execute(insert(table_of(model)), batch[start : start + 5000])


def build_demo(
    blobs: BlobStore,
    size: DemoSize = DemoSize(),
    *,
    engineers: tuple[str, ...] = ("demo",),
    seed: int = 7,
    now: datetime | None = None,
    journal: bool = True,
) -> tuple[Rows, DemoSummary]:
    """Generate the rows (blobs are written to ``blobs``); jobs go round-robin to engineers.
    ``journal``: also the outbox and audit rows of the device that made the demo's changes
    (for a device's store; the center keeps neither)."""
    rng = random.Random(seed)
    issuer = demo_key(seed)
    thumbnails: dict[tuple[Any, ...], str] = {}
    now = now or datetime.now(UTC)
    today = now.date()
    rows: dict[type[m.Base], list[dict[str, Any]]] = {}
    steps: list[Step] | None = [] if journal else None

    def add(table: type[m.Base], /, **values: Any) -> dict[str, Any]:
        rows.setdefault(table, []).append(values)
        return values

    # Parts price list.
    for part_no, zh, en, price, rate in v.PARTS:
        add(
            m.Part,
            id=_uuid(rng),
            part_no=part_no,
            name=zh,
            name_en=en,
            unit="pc",
            unit_price=Decimal(price),
            currency="CNY",
            tax_rate=Decimal(rate),
            active=True,
            version=1,
        )
    # Checklist templates.
    for name, purpose, items in (
        ("标准备份清单 Standard backup", "backup", v.BACKUP_ITEMS),
        ("季度巡检 Quarterly inspection", "inspection", v.INSPECTION_ITEMS),
    ):
        tid = add(m.ChecklistTemplate, id=_uuid(rng), name=name, purpose=purpose, version=1)["id"]
        for pos, (zh, en, kind, required) in enumerate(items, 1):
            add(
                m.ChecklistTemplateItem,
                id=_uuid(rng),
                template_id=tid,
                position=pos,
                label=f"{zh} ({en})",
                evidence_kind=kind,
                required=required,
            )
    part_ids = {r["part_no"]: r["id"] for r in rows[m.Part]}
    backup_template = next(r for r in rows[m.ChecklistTemplate] if r["purpose"] == "backup")
    backup_template_items = [
        r for r in rows[m.ChecklistTemplateItem] if r["template_id"] == backup_template["id"]
    ]

    # Shared drawing pool: a few distinct documents, reused by the other sites.
    pool: list[tuple[str, str, str, str, int, int | None]] = []
    for n in range(max(1, size.drawing_sites)):
        plan = floor_plan_pdf(f"Floor plan / 平面图 {n + 1}", pages=3, seed=seed + n)
        wiring = wiring_pdf(f"Wiring routes / 布线图 {n + 1}", seed=seed + 100 + n)
        for kind, title, data in (
            ("drawing", f"平面布置图 Floor plan {n + 1}", plan),
            ("wiring", f"弱电布线图 Wiring routes {n + 1}", wiring),
        ):
            pool.append(
                (
                    kind,
                    title,
                    blobs.put_bytes(data),
                    "application/pdf",
                    len(data),
                    _page_count(data),
                )
            )
        if n < 2:
            png = floor_plan_png(seed + n)
            pool.append(
                (
                    "drawing",
                    f"现场扫描图 Scanned plan {n + 1}",
                    blobs.put_bytes(png),
                    "image/png",
                    len(png),
                    None,
                )
            )
    backup_blobs = [
        blobs.put_bytes(f"# exported configuration {i}\nhostname=ctrl-{i}\n".encode())
        for i in range(5)
    ]
    photo_blob = blobs.put_bytes(floor_plan_png(seed + 99, 320, 240))

    # Customers, contracts, sites, devices.
    sites: list[dict[str, Any]] = []
    devices_by_site: dict[str, list[dict[str, Any]]] = {}
    contracts: dict[str, dict[str, Any]] = {}
    n_customers = max(3, math.ceil(size.site_count / 2))
    customers = []
    short_names: dict[str, tuple[str, str]] = {}
    for c in range(n_customers):
        ((czh, cen), (dzh, _den), (street_zh, _street_en)) = v.CITIES[c % len(v.CITIES)]
        szh, sen = rng.choice(v.COMPANY_SUFFIX)
        stem_zh, stem_en = v.COMPANY_STEMS[c % len(v.COMPANY_STEMS)]
        serial = f"{c // len(v.COMPANY_STEMS) + 1}" if c >= len(v.COMPANY_STEMS) else ""
        no = rng.randint(1, 999)
        cust = add(
            m.Customer,
            id=_uuid(rng),
            name=f"{czh}{stem_zh}{serial}{szh}",
            name_en=f"{cen} {stem_en}{serial} {sen}",
            language="zh" if c % 4 else "en",
            phone=f"021-{rng.randint(5000_0000, 6999_9999)}",
            email=f"facility{c}@example.cn",
            address=f"{czh}市{dzh}{street_zh}{no}号",
            version=1,
        )
        customers.append(cust)
        short_names[cust["id"]] = (f"{czh}{stem_zh}{serial}", f"{stem_en}{serial}")
        in_warranty = c % 2 == 0
        contract = add(
            m.Contract,
            id=_uuid(rng),
            customer_id=cust["id"],
            number=f"FK-{2024 + c % 3}-{c + 1:04d}",
            starts_on=today - timedelta(days=700),
            ends_on=today + timedelta(days=400),
            warranty_ends_on=(
                today + timedelta(days=200) if in_warranty else today - timedelta(days=90)
            ),
            timezone="Asia/Shanghai",
            currency="CNY",
            version=1,
        )
        contracts[cust["id"]] = contract
        for sev, (resp, arr) in SLA_MINUTES.items():
            if sev == 4 and c % 3 == 0:
                continue  # some contracts set no time for minor faults
            add(
                m.ContractSla,
                contract_id=contract["id"],
                severity=int(sev),
                respond_minutes=resp,
                arrive_minutes=arr,
            )
    for s in range(size.site_count):
        cust = customers[s % n_customers]
        bzh, ben = rng.choice(v.BUILDINGS)
        site = add(
            m.Site,
            id=_uuid(rng),
            customer_id=cust["id"],
            contract_id=contracts[cust["id"]]["id"],
            name=f"{short_names[cust['id']][0]}{bzh} {short_names[cust['id']][1]} {ben}",
            address=f"{cust['address']}{bzh}",
            installed_by_us=s % 5 != 4,
            software_media_notes="门禁软件 v5.2 安装包在机房柜 U30 光盘; NVR firmware on USB "
            "stick labelled 'NVR-FW'",
            timezone=contracts[cust["id"]]["timezone"],
            version=1,
        )
        sites.append(site)
        add(
            m.SiteContact,
            id=_uuid(rng),
            site_id=site["id"],
            role="system_owner",
            name=_person(rng),
            company=cust["name"],
            phone=f"138{rng.randint(1000_0000, 9999_9999)}",
            email="",
        )
        add(
            m.SiteContact,
            id=_uuid(rng),
            site_id=site["id"],
            role="installer",
            name=_person(rng),
            company="安装商 Installer Ltd.",
            phone=f"139{rng.randint(1000_0000, 9999_9999)}",
            email="",
        )
        subs = []
        for zh, en, kinds in v.SUBSYSTEMS:
            sub = add(
                m.Subsystem, id=_uuid(rng), site_id=site["id"], name=f"{zh} {en}", description=""
            )
            subs.append((sub, kinds))
        docs = pool if s < size.drawing_sites else rng.sample(pool, k=min(3, len(pool)))
        for kind, title, doc_sha, mime, nbytes, pages in docs:
            add(
                m.Document,
                id=_uuid(rng),
                site_id=site["id"],
                kind=kind,
                title=title,
                version_label="Rev B",
                blob_sha256=doc_sha,
                mime=mime,
                size_bytes=nbytes,
                page_count=pages,
                updated_at=now - timedelta(days=30),
            )
        devs = devices_by_site.setdefault(site["id"], [])
        for d in range(size.devices_per_site):
            sub, kinds = subs[d % len(subs)]
            dzh, den, maker, model = kinds[d % len(kinds)]
            floor = 1 + d % 12
            dev = add(
                m.Device,
                id=_uuid(rng),
                site_id=site["id"],
                subsystem_id=sub["id"],
                name=f"{dzh} {den} {d + 1:03d}",
                manufacturer=maker,
                model=model,
                serial=f"SN{rng.randint(10**9, 10**10 - 1)}",
                location=f"{floor}F 弱电间 riser room",
                firmware_version=f"V{1 + d % 5}.{d % 10}.0",
                warranty_ends_on=(
                    today + timedelta(days=rng.randint(-600, 600)) if d % 3 else None
                ),
                version=1,
            )
            devs.append(dev)
            ip = f"10.{s % 250}.{d // 250}.{d % 250 + 1}"
            for key, vtype, value, unit in (
                ("ip_address", "ip", ip, ""),
                ("subnet_mask", "ip", "255.255.255.0", ""),
                ("gateway", "ip", f"10.{s % 250}.0.254", ""),
                ("poll_interval", "int", "30", "s"),
                ("temperature_limit", "decimal", "45.0", "°C"),
                ("enabled", "bool", "true", ""),
            ):
                add(
                    m.DeviceParameter,
                    id=_uuid(rng),
                    device_id=dev["id"],
                    key=key,
                    value_type=vtype,
                    value=value,
                    unit=unit,
                )

    # Jobs at every severity, type and status, each taken through the flow (demo.work).
    evidence = {EvidenceKind.FILE: backup_blobs, EvidenceKind.PHOTO: [photo_blob]}
    for j in range(size.jobs):
        site = sites[j % len(sites)]
        contract = contracts[site["customer_id"]]
        terms = records.contract_sla_from_rows(
            r for r in rows[m.ContractSla] if r["contract_id"] == contract["id"]
        )
        work = JobWork(add, rng, {}, engineers[j % len(engineers)], steps)
        step_plan = job_plan(j, rng, devices_by_site[site["id"]], now)
        device = step_plan.device
        decision = derive_billing(
            step_plan.reported.date(),
            device["warranty_ends_on"] if device else None,
            contract["warranty_ends_on"],
        )
        sla = job_sla(terms, step_plan.severity, step_plan.reported)
        work.job = add(
            m.Job,
            **record_rows.new_job_row(
                _uuid(rng),
                f"SO-{step_plan.reported:%Y%m}-{j + 1:06d}",
                site,
                {
                    "device_id": device["id"] if device else None,
                    "reported_at": step_plan.reported,
                    "channel": list(Channel)[j % 4].value,
                    "fault_description": step_plan.fault,
                    "severity": step_plan.severity,
                    "job_type": step_plan.job_type.value,
                },
                decision,
                sla,
                step_plan.reported,
            ),
        )
        if step_plan.job_type is not JobType.REMOTE_RESOLUTION:  # as the center's create_job
            run, run_items = record_rows.checklist_run_rows(
                _uuid(rng),
                work.job["id"],
                backup_template,
                backup_template_items,
                lambda: _uuid(rng),
            )
            work.checklist(run, run_items)
        work.assign(step_plan.reported + ASSIGN_AFTER)
        customer = next(c for c in customers if c["id"] == site["customer_id"])
        record = DemoJob(site, customer, device, contract["currency"], thumbnails, terms)
        take_through_flow(work, step_plan, evidence, blobs, issuer, record, part_ids, now)

    if steps is not None:
        journal_rows(add, steps, demo_device_id(seed))
    return rows, DemoSummary(
        customers=n_customers,
        sites=len(sites),
        devices=len(rows.get(m.Device, [])),
        jobs=size.jobs,
        documents=len(rows.get(m.Document, [])),
        parts=len(v.PARTS),
    )


# The synced-table order is parents first, so it is also a safe insert order.
WRITE_ORDER = SYNCED_MODELS


def write_rows(
    target: Session | Connection,
    rows: dict[type[m.Base], list[dict[str, Any]]],
    table_for: Callable[[type[m.Base]], Table],
) -> None:
    """Bulk-insert generated rows into any schema holding the same tables (client or server)."""
    for model in WRITE_ORDER:
        batch = rows.get(model, [])
        for start in range(0, len(batch), 5000):
            target.execute(insert(table_for(model)), batch[start : start + 5000])


def is_empty(db: Database) -> bool:
    with db.read() as session:
        return session.query(m.Job.id).first() is None


__all__ = ["DemoSize", "DemoSummary", "generate", "is_empty"]
