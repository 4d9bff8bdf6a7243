"""A site's device registry as an engineer reads it: one entry per device (tag, model,
serial, firmware, location) carrying its parameters, found by any of those or by a
parameter's name (as stored, or as shown in the reader's language) or value."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, or_, select

from fieldkit.services.context import ServiceContext
from fieldkit.services.text_filters import like_pattern
from fieldkit.store import models as m


@dataclass(frozen=True)
class Parameter:
    key: str
    value: str
    unit: str
    value_type: str = "str"  # str | int | decimal | bool | ip


@dataclass(frozen=True)
class DeviceEntry:
    id: str
    tag: str
    model: str
    serial: str
    firmware: str
    location: str
    manufacturer: str
    parameters: tuple[Parameter, ...]


def device_registry(
    ctx: ServiceContext,
    site_id: str,
    text: str = "",
    shown_name: Callable[[str], str] | None = None,
    limit: int = 500,
) -> list[DeviceEntry]:
    """The site's devices matching ``text`` (plain substring, never a pattern), by tag.

    ``shown_name`` gives a parameter key's display name, so a search for the name on screen
    ("IP 地址") finds the parameter whatever its key."""
    needle = text.strip()
    devices = select(m.Device).where(m.Device.site_id == site_id)
    if needle:
        pattern = like_pattern(needle)
        keys = select(m.DeviceParameter.key).join(
            m.Device, m.DeviceParameter.device_id == m.Device.id
        )
        with ctx.db.read() as session:
            known = set(session.scalars(keys.where(m.Device.site_id == site_id).distinct()))
        named = {k for k in known if shown_name and needle.lower() in shown_name(k).lower()}
        matching_parameter = select(m.DeviceParameter.device_id).where(
            or_(
                m.DeviceParameter.key.ilike(pattern, escape="\\"),
                m.DeviceParameter.value.ilike(pattern, escape="\\"),
                m.DeviceParameter.key.in_(sorted(named)),
            )
        )
        devices = devices.where(
            or_(
                *(
                    column.ilike(pattern, escape="\\")
                    for column in (
                        m.Device.name,
                        m.Device.model,
                        m.Device.serial,
                        m.Device.firmware_version,
                        m.Device.location,
                        m.Device.manufacturer,
                    )
                ),
                m.Device.id.in_(matching_parameter),
            )
        )
    devices = devices.order_by(func.lower(m.Device.name), m.Device.id).limit(limit)
    with ctx.db.read() as session:
        found = list(session.scalars(devices))
        params: dict[str, list[Parameter]] = {d.id: [] for d in found}
        if found:
            rows = session.scalars(
                select(m.DeviceParameter)
                .where(m.DeviceParameter.device_id.in_(list(params)))
                .order_by(m.DeviceParameter.key)
            )
            for p in rows:
                params[p.device_id].append(Parameter(p.key, p.value, p.unit, p.value_type))
        return [
            DeviceEntry(
                d.id,
                d.name,
                d.model,
                d.serial,
                d.firmware_version,
                d.location,
                d.manufacturer,
                tuple(params[d.id]),
            )
            for d in found
        ]
