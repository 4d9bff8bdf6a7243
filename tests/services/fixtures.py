from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from fieldkit.domain.enums import SignerRole
from fieldkit.domain.signature import SignatureCapture
from fieldkit.services.context import ServiceContext
from fieldkit.store import models as m

BACKUP = [
    ("Export configuration", "file"),
    ("Photo of wiring", "photo"),
    ("Firmware version", "text"),
    ("Owner agreed to downtime", "tick"),
]


def seed_job(
    ctx: ServiceContext,
    *,
    paid: bool = False,
    job_type: str = "corrective_repair",
    status: str = "assigned",
    job_id: str = "j1",
) -> str:
    now = ctx.clock.now()
    with ctx.db.write() as s:
        if s.get(m.Customer, "c1") is None:
            s.add(m.Customer(id="c1", name="上海示例大厦物业", name_en="Example Tower"))
            s.flush()
            s.add(
                m.Contract(
                    id="k1",
                    customer_id="c1",
                    number="K-1",
                    starts_on=date(2025, 1, 1),
                    ends_on=date(2027, 1, 1),
                    warranty_ends_on=date(2025, 6, 30),
                )
            )
            s.flush()
            s.add(
                m.ContractSla(contract_id="k1", severity=2, respond_minutes=120, arrive_minutes=480)
            )
            s.add(m.Site(id="s1", customer_id="c1", contract_id="k1", name="主楼", address="浦东"))
            s.flush()
            s.add(m.Device(id="d1", site_id="s1", name="门禁控制器", model="C3-400", serial="SN1"))
            s.add(
                m.Part(
                    part_no="PSU-24V",
                    name="24V 电源",
                    unit_price=Decimal("286.00"),
                    tax_rate=Decimal("0.13"),
                )
            )
            s.add(m.ChecklistTemplate(id="t1", name="Backup", purpose="backup"))
            s.flush()
            for pos, (label, kind) in enumerate(BACKUP, 1):
                s.add(
                    m.ChecklistTemplateItem(
                        template_id="t1",
                        position=pos,
                        label=label,
                        evidence_kind=kind,
                        required=True,
                    )
                )
        s.add(
            m.Job(
                id=job_id,
                number=f"SO-{job_id}",
                customer_id="c1",
                site_id="s1",
                device_id="d1",
                contract_id="k1",
                reported_at=now - timedelta(minutes=30),
                channel="hotline",
                fault_description="门禁控制器离线",
                severity=2,
                job_type=job_type,
                status=status,
                billing="paid" if paid else "in_warranty",
                assigned_engineer="eng-wang",
                respond_by=now + timedelta(minutes=90),
                updated_at=now,
            )
        )
        if job_type != "remote_resolution":
            s.flush()
            attach_backup_run(s, job_id)
    return job_id


def attach_backup_run(s: Session, job_id: str) -> None:
    """What the center does at dispatch: every on-site job carries a backup checklist."""
    run = m.ChecklistRun(id=f"run-{job_id}", job_id=job_id, template_id="t1", purpose="backup")
    s.add(run)
    s.flush()
    for pos, (label, kind) in enumerate(BACKUP, 1):
        s.add(
            m.ChecklistRunItem(
                run_id=run.id, position=pos, label=label, evidence_kind=kind, required=True
            )
        )


def signature(role: SignerRole = SignerRole.CUSTOMER, name: str = "李经理") -> SignatureCapture:
    stroke = tuple((20.0 + 8 * i, 80.0 + (i % 5) * 6, 0.6, 10.0 * i) for i in range(30))
    return SignatureCapture(role, name, 600, 240, (stroke,))
