"""Sending a signed slip to the customer by e-mail: the address, the language and the slip
are checked by the same rules on the device (before it is queued) and at the center (before
it is sent)."""

from __future__ import annotations

import re

from fieldkit.domain.errors import GuardFailed, InvalidValue
from fieldkit.domain.messages import N_, Message

LANGUAGES = ("en", "zh_CN")
# A customer's language as recorded ("zh", "zh_CN", "en") to the language of their documents.
CUSTOMER_LANGUAGE = {"zh": "zh_CN", "zh_CN": "zh_CN", "en": "en"}
# RFC 5322 dot-atom for the local part: what mail servers accept without quoting.
_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")
_TLD = re.compile(r"([a-z]{2,63}|xn--[a-z0-9-]{1,59})")


def _bad(address: str) -> InvalidValue:
    return InvalidValue(
        Message(
            N_("{address} is not an e-mail address: check it and try again"),
            address=address or "-",
        )
    )


def validate_address(text: str) -> str:
    """The address as it will be sent to (trimmed, domain in lower case), or InvalidValue.

    The domain must be a real host name: labels of letters, digits and hyphens (an
    internationalised domain is converted to its ASCII form), at least two of them, ending in
    an alphabetic top-level domain. A bare host, an IP literal or ``example@localhost`` would
    be accepted by a mail server but never reaches a customer."""
    address = text.strip()
    if len(address) > 254 or address.count("@") != 1:
        raise _bad(address)
    local, domain = address.split("@")
    if not 1 <= len(local) <= 64 or not _LOCAL.fullmatch(local):
        raise _bad(address)
    try:
        ascii_domain = domain.rstrip(".").encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise _bad(address) from None
    labels = ascii_domain.split(".")
    if (
        len(ascii_domain) > 253
        or len(labels) < 2
        or not all(_LABEL.fullmatch(label) for label in labels)
        or not _TLD.fullmatch(labels[-1])
    ):
        raise _bad(address)
    return f"{local}@{ascii_domain}"


def validate_language(language: str) -> str:
    if language not in LANGUAGES:
        raise InvalidValue(Message(N_("The slip can be sent in English or Chinese")))
    return language


def ensure_sendable(superseded: bool) -> None:
    """Only the slip in force goes to the customer: a corrected slip replaced the old one."""
    if superseded:
        raise GuardFailed(
            "send_slip",
            Message(N_("This slip was corrected: send the corrected slip instead")),
        )
