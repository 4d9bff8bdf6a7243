"""Which console pages each office role sees (the pages' dependencies enforce the same)."""

from __future__ import annotations

from fieldkit.i18n import N_

ALL = ("hotline", "dispatcher", "supervisor")

# (path, label, roles). A page module adds its entry here.
NAV: list[tuple[str, str, tuple[str, ...]]] = [
    ("/console/board", N_("Dispatch board"), ("dispatcher", "supervisor")),
    # A hotline operator lands on the intake (their first entry).
    ("/console/hotline", N_("Hotline"), ALL),
    ("/console/followups", N_("Follow-ups"), ALL),
    ("/console/escalations", N_("Escalations"), ("dispatcher", "supervisor")),
    ("/console/archive", N_("Archive"), ALL),
    ("/console/people", N_("People"), ("supervisor",)),
]


def nav_for(role: str) -> list[tuple[str, str]]:
    return [(path, label) for path, label, roles in NAV if role in roles]


def home_for(role: str) -> str:
    """Where a user lands after signing in: the first page their role may open."""
    entries = nav_for(role)
    return entries[0][0] if entries else "/console/account"


__all__ = ["ALL", "NAV", "N_", "home_for", "nav_for"]
