"""The periodic inspection report: per device, each checklist item's result and the findings,
for the customer's periodic service record."""

from __future__ import annotations

from dataclasses import dataclass, field

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from fieldkit.reports.layout import Kit


@dataclass(frozen=True)
class InspectedItem:
    label: str
    result: str  # "ok", "done", a measured value or note; "" when not answered
    required: bool
    when: str = ""


@dataclass(frozen=True)
class InspectedDevice:
    name: str
    model: str
    serial: str
    location: str
    items: list[InspectedItem] = field(default_factory=list)


@dataclass(frozen=True)
class InspectionHeader:
    number: str
    customer: str
    site: str
    period: str
    engineer: str
    findings: str


def render_inspection(
    header: InspectionHeader,
    devices: list[InspectedDevice],
    language: str,
    company: str = "FieldKit Service",
    timezone: str | None = None,  # the site's IANA zone: times print as local time there
) -> bytes:
    k = Kit(language, timezone)
    _ = k._
    missing = sum(1 for d in devices for i in d.items if i.required and not i.result)
    story: list[Flowable] = [
        k.p(company, "head"),
        k.p(_("Periodic inspection report") + f"  {header.number}", "title"),
        Spacer(1, 3 * mm),
        k.grid(
            [
                [_("Customer"), header.customer],
                [_("Site"), header.site],
                [_("Period"), header.period],
                [_("Engineer"), header.engineer],
                [_("Devices inspected"), str(len(devices))],
                [_("Open items"), str(missing)],
                [_("Findings"), header.findings or "-"],
            ],
            [45 * mm, 125 * mm],
        ),
    ]
    for device in devices:
        rows = [[_("Check"), _("Result"), _("When")]] + [
            [
                item.label,
                item.result or (_("not done") if item.required else "-"),
                k.when(item.when) if item.when else "-",
            ]
            for item in device.items
        ]
        story.append(
            KeepTogether(
                [  # a device's block never splits from its title
                    k.p(
                        "  ·  ".join((device.name, device.model, device.serial, device.location)),
                        "head",
                    ),
                    k.grid(rows, [90 * mm, 38 * mm, 42 * mm], header=True, first_column=False),
                ]
            )
        )
    return k.build(
        story,
        title=f"{_('Periodic inspection report')} {header.number}",
        subject=f"fieldkit-inspection {header.number}",
        author=company,
        footer=header.number,
    )
