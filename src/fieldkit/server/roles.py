"""The center's user roles. Engineers work jobs on their devices; the office roles use the
dispatch API and the console: hotline operators take calls, dispatchers assign and close,
supervisors also analyse escalations and manage people."""

from __future__ import annotations

OFFICE_ROLES = ("hotline", "dispatcher", "supervisor")
ROLES = ("engineer", *OFFICE_ROLES)
