"""Which tables sync, in parent-before-child order, and how rows travel as JSON."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, Table, tuple_

from fieldkit.store import models as m
from fieldkit.store.types import DecimalText, JsonText, UtcDateTime

# Parents first: applying in this order never violates a foreign key; deleting runs reversed.
SYNCED_MODELS: tuple[type[m.Base], ...] = (
    m.Part,
    m.ChecklistTemplate,
    m.ChecklistTemplateItem,
    m.Customer,
    m.Contract,
    m.ContractSla,
    m.Site,
    m.SiteContact,
    m.Subsystem,
    m.Device,
    m.DeviceParameter,
    m.Document,
    m.Job,
    m.Escalation,
    m.WorkLogEntry,
    m.Attachment,
    m.ChecklistRun,
    m.ChecklistRunItem,
    m.ChecklistAnswer,
    m.Signature,
    m.Quote,
    m.QuoteLine,
    m.PartReplacement,
    m.Slip,
    m.SlipEmail,
)
ORDER = {model.__tablename__: i for i, model in enumerate(SYNCED_MODELS)}
# Columns the center keeps on a synced row that never travel to a device: a device id in a
# row another engineer receives would let that engineer pose as the device (rescue bundles,
# pushes naming it).
SERVER_ONLY: dict[str, frozenset[str]] = {"signatures": frozenset({"device_id"})}
GLOBAL_TABLES = ("parts", "checklist_templates", "checklist_template_items")


def table_of(model: type[m.Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


TABLES: dict[str, Table] = {model.__tablename__: table_of(model) for model in SYNCED_MODELS}


def key_of(table: Table, row: dict[str, Any]) -> str:
    """Entity id on the wire: the primary key, composite keys joined with ':'."""
    return ":".join(str(row[c.name]) for c in table.primary_key.columns)


# Outbox entity types (singular, as services name them) to the synced table they change.
ENTITY_TABLE = {
    "job": "jobs",
    "quote": "quotes",
    "slip": "slips",
    "checklist_item": "checklist_run_items",
    "slip_email": "slip_emails",
}


def key_clause(table: Table, key: str) -> Any:
    """WHERE clause for a wire key (composite keys are joined with ':')."""
    cols = list(table.primary_key.columns)
    parts = key.split(":") if len(cols) > 1 else [key]
    values = [int(p) if c.type.python_type is int else p for c, p in zip(cols, parts, strict=True)]
    if len(cols) == 1:
        return cols[0] == values[0]
    return tuple_(*cols) == tuple(values)


def encode_row(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    hidden = SERVER_ONLY.get(table.name, frozenset())
    for column in table.columns:
        if column.name in hidden:
            continue
        value = row.get(column.name)
        if isinstance(value, datetime):
            value = UtcDateTime().process_bind_param(value, None)  # type: ignore[arg-type]
        elif isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = format(value, "f")
        out[column.name] = value
    return out


def wire_data(table: str, data: dict[str, Any] | None) -> dict[str, Any] | None:
    """A row as stored in the change log, without what must not travel (rows logged before
    a column became server-only still hold it)."""
    hidden = SERVER_ONLY.get(table)
    if data is None or not hidden:
        return data
    return {name: value for name, value in data.items() if name not in hidden}


def decode_row(table: Table, data: dict[str, Any]) -> dict[str, Any]:
    """Back to Python values; unknown columns (a newer server) are dropped, not fatal."""
    out: dict[str, Any] = {}
    for column in table.columns:
        if column.name not in data:
            continue
        value = data[column.name]
        if value is not None:
            kind = column.type
            if isinstance(kind, UtcDateTime):
                value = kind.process_result_value(value, None)  # type: ignore[arg-type]
            elif isinstance(kind, DecimalText):
                value = Decimal(str(value))
            elif isinstance(kind, Date):
                value = date.fromisoformat(value)
            elif isinstance(kind, JsonText) and isinstance(value, str):
                pass
        out[column.name] = value
    return out
