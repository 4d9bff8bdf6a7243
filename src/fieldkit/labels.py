"""Human names for domain values, translated through the shared catalog."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from fieldkit.i18n import N_, _, translator

STATUS = {
    "assigned": N_("Assigned"),
    "accepted": N_("Accepted"),
    "travelling": N_("Travelling"),
    "on_site": N_("On site"),
    "diagnosing": N_("Diagnosing"),
    "backed_up": N_("Backed up"),
    "repairing": N_("Repairing"),
    "resolved": N_("Resolved"),
    "resolved_remotely": N_("Resolved remotely"),
    "signed": N_("Signed"),
    "escalated": N_("Escalated"),
    "closed": N_("Closed"),
}
SEVERITY = {1: N_("Critical"), 2: N_("Major"), 3: N_("General"), 4: N_("Minor")}
JOB_TYPE = {
    "corrective_repair": N_("Corrective repair"),
    "periodic_inspection": N_("Periodic inspection"),
    "software_upgrade": N_("Software upgrade"),
    "remote_resolution": N_("Remote resolution"),
}
BILLING = {"in_warranty": N_("In warranty (free of charge)"), "paid": N_("Paid (post-warranty)")}
CAUSE = {
    "hardware": N_("Hardware"),
    "software": N_("Software"),
    "human_error": N_("Human error"),
    "system_fault": N_("System fault"),
}
CHANNEL = {
    "hotline": N_("Hotline"),
    "phone": N_("Phone"),
    "email": N_("Email"),
    "on_site": N_("On site"),
}
SIGNER = {
    "customer": N_("Customer"),
    "customer_witness": N_("Customer's witness"),
    "engineer": N_("Engineer"),
}
ITEM_STATE = {
    "done": N_("Done"),
    "not_done": N_("Not done"),
    "not_answered": N_("Not answered (optional)"),
}
SLA_STATE = {
    "not_covered": N_("No SLA"),
    "running": N_("Running"),
    "met": N_("Met"),
    "breached": N_("Breached"),
}


def status_label(value: str) -> str:
    return _(STATUS.get(value, value))


def severity_label(value: int) -> str:
    return _(SEVERITY.get(value, str(value)))


def job_type_label(value: str) -> str:
    return _(JOB_TYPE.get(value, value))


def sla_label(value: str) -> str:
    return _(SLA_STATE.get(value, value))


ACTION = {
    "accept": N_("Accept job"),
    "depart": N_("Depart for site"),
    "arrive": N_("Arrive and confirm the problem"),
    "start_diagnosis": N_("Start diagnosis"),
    "confirm_backup": N_("Confirm backup complete"),
    "start_repair": N_("Start repair"),
    "resolve": N_("Resolve"),
    "resolve_remotely": N_("Resolve remotely"),
    "sign": N_("Customer signs the slip"),
    "escalate": N_("Escalate to the center"),
}


def action_label(value: str) -> str:
    return _(ACTION.get(value, value))


def time_left_label(left: timedelta) -> str:
    """A compact countdown for lists, in the user's language: '2h 05m', '3d 1h', and
    '-0h 12m' once overdue."""
    sign = "-" if left < timedelta(0) else ""
    hours, minutes = divmod(abs(int(left.total_seconds())) // 60, 60)
    if hours >= 48:
        return sign + _("{days}d {hours}h").format(days=hours // 24, hours=hours % 24)
    return sign + _("{hours}h {minutes:02d}m").format(hours=hours, minutes=minutes)


def size_label(n: int) -> str:
    """A file or download size as people read it: 820 KB, 3.4 MB, 1.2 GB."""
    if n >= 1 << 30:
        return f"{n / (1 << 30):.1f} GB"
    if n >= 1 << 20:
        return f"{n / (1 << 20):.1f} MB"
    return f"{max(1, n >> 10)} KB"


# Quote lines the app writes itself are stored as these English phrases, the same on every
# device and at the center, and shown in the reader's language (the screen's, or the
# customer's on a PDF). One typed by hand is shown as typed.
LABOUR_LINE = N_("Labour (hours)")
TRAVEL_LINE = N_("Travel")
STANDARD_LINES = (LABOUR_LINE, TRAVEL_LINE)


def line_description(text: str, translate: Callable[[str], str] = _) -> str:
    for phrase in STANDARD_LINES:
        # Lines written before they were stored in English carry the Chinese phrase.
        if text in (phrase, translator("zh_CN")(phrase)):
            return translate(phrase)
    return text


UNIT = {"pc": N_("pc"), "s": N_("s"), "h": N_("h"), "set": N_("set")}


def unit_label(unit: str, translate: Callable[[str], str] = _) -> str:
    """A price list or parameter unit: "pc" is 件 in Chinese; a symbol (°C, V) as it is."""
    return translate(UNIT[unit]) if unit in UNIT else unit


PARAMETER = {
    "ip_address": N_("IP address"),
    "subnet_mask": N_("Subnet mask"),
    "gateway": N_("Gateway"),
    "poll_interval": N_("Poll interval"),
    "temperature_limit": N_("Temperature limit"),
    "enabled": N_("Enabled"),
    "firmware": N_("Firmware"),
    "port": N_("Port"),
}


def parameter_label(key: str) -> str:
    """A device parameter's name as a person reads it; an unknown key without underscores."""
    if key in PARAMETER:
        return _(PARAMETER[key])
    return key.replace("_", " ").capitalize()


def labelled(label: str, value: str, translate: Callable[[str], str] = _) -> str:
    """Label and value with the reader's punctuation (a full-width colon in Chinese)."""
    return translate("{label}: {value}").format(label=label, value=value)
