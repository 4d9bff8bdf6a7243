"""Typed mutation contracts: one pydantic model per mutation name and version.

The app builds one of these models and hands it to ``Tx.emit`` (which derives the name, the
entity type and the blob references); the center parses the wire ``args`` with
:func:`parse_args` exactly once and hands the typed object to its handler. Lengths come from
the schema (``String(n)`` columns), free text is capped like the app's fields (20,000
characters), and blob ids must be exactly 64 lowercase hex digits.

Adding a mutation:

1. Write ``class QuoteReopenV1(MutationArgs)`` here with ``NAME = "quote.reopen.v1"``,
   ``ENTITY = "quote"`` and its fields (reuse ``Id``, ``Text``, ``Sha256``, ``Name``, ...);
   override ``blob_refs()`` if it references blobs. The class registers itself.
2. App side: ``tx.emit(QuoteReopenV1.checked(...), quote_id, base_version)``.
3. Center side: ``@handles(QuoteReopenV1)`` on ``def quote_reopen(ctx, args)`` in
   ``server/handlers/<area>.py``; ``args`` is the typed model.
4. Changing the wire shape means a new class with ``.v2`` (keep the ``.v1`` class and its
   handler: devices in the field still hold ``.v1`` mutations in their outbox).
"""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Self

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from fieldkit.domain.enums import CauseArea, CauseOrigin, EvidenceKind, QuoteLineKind
from fieldkit.domain.errors import InvalidValue
from fieldkit.domain.messages import N_, Message

TEXT_MAX = 20_000  # the app's limit for notes and answers (services/checklists)
MAX_PART_QUANTITY = Decimal(1000)
MAX_MUTATION_BYTES = 4 << 20  # whole args JSON; a signed slip with two signatures is ~0.5 MB
_SHA256 = re.compile(r"[0-9a-f]{64}")


def _sha(value: str) -> str:
    if not _SHA256.fullmatch(value):
        raise ValueError("not a SHA-256 blob id (64 lowercase hex digits)")
    return value


Id = Annotated[str, StringConstraints(min_length=1, max_length=36)]
Sha256 = Annotated[str, AfterValidator(_sha)]
Text = Annotated[str, StringConstraints(max_length=TEXT_MAX)]
Name = Annotated[str, StringConstraints(max_length=120)]  # people: signer, confirmed with
PartNo = Annotated[str, StringConstraints(min_length=1, max_length=60)]
Number = Annotated[str, StringConstraints(min_length=1, max_length=40)]  # slip/quote number
Serial = Annotated[str, StringConstraints(max_length=120)]
Quantity = Annotated[Decimal, Field(gt=0, le=MAX_PART_QUANTITY, allow_inf_nan=False)]
Price = Annotated[Decimal, Field(ge=0, le=Decimal(10) ** 9, allow_inf_nan=False)]


class MalformedMutation(Exception):
    """The args do not fit the contract: a recorded rejection, never a retry."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


class MutationArgs(BaseModel):
    """Base of every contract. ``NAME`` is the wire name, ``ENTITY`` the outbox entity type."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    NAME: ClassVar[str] = ""
    ENTITY: ClassVar[str] = ""

    @classmethod
    def __pydantic_init_subclass__(cls, **kw: Any) -> None:
        super().__pydantic_init_subclass__(**kw)
        if cls.NAME:
            if cls.NAME in MUTATIONS:
                raise TypeError(f"mutation {cls.NAME} is declared twice")
            MUTATIONS[cls.NAME] = cls

    @classmethod
    def checked(cls, **fields: Any) -> Self:
        """Build the contract in the app: a value the center would refuse (too long, not a
        blob id) is refused here first, with a sentence naming the field."""
        try:
            return cls(**fields)
        except ValidationError as exc:
            err = exc.errors(include_input=False, include_url=False)[0]
            field = str(err["loc"][0]).replace("_", " ") if err["loc"] else "a value"
            limit = (err.get("ctx") or {}).get("max_length")
            if err["type"] == "string_too_long" and limit is not None:
                raise InvalidValue(
                    Message(
                        N_("{field} is longer than {limit} characters"), field=field, limit=limit
                    )
                ) from None
            raise InvalidValue(Message(N_("{field} is not valid"), field=field)) from None

    def blob_refs(self) -> list[str]:
        """Blobs that must be uploaded before the center applies this mutation."""
        return []

    def wire(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


MUTATIONS: dict[str, type[MutationArgs]] = {}


class JobTransitionV1(MutationArgs):
    NAME: ClassVar[str] = "job.transition.v1"
    ENTITY: ClassVar[str] = "job"
    action: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    at: AwareDatetime
    to: Annotated[str, StringConstraints(max_length=30)] = ""  # informational
    confirmed_with: Name = ""
    resolution: Text = ""
    reason: Text = ""
    findings: Text = ""
    engineer: Annotated[str, StringConstraints(max_length=80)] = ""
    escalation_id: Id | None = None
    work_log_id: Id | None = None
    slip_id: Id | None = None  # informational: the slip that signed the job


class JobClassifyV1(MutationArgs):
    NAME: ClassVar[str] = "job.classify.v1"
    ENTITY: ClassVar[str] = "job"
    cause_area: CauseArea
    cause_origin: CauseOrigin
    fault_found: Text = ""


class WorklogAddV1(MutationArgs):
    NAME: ClassVar[str] = "worklog.add.v1"
    ENTITY: ClassVar[str] = "job"
    id: Id
    at: AwareDatetime
    note: Text = ""


class ChecklistAnswerV1(MutationArgs):
    NAME: ClassVar[str] = "checklist.answer.v1"
    ENTITY: ClassVar[str] = "checklist_item"
    answer_id: Id
    run_item_id: Id
    kind: EvidenceKind
    at: AwareDatetime
    ticked: bool = False
    text: Text = ""
    blob_sha256: Sha256 | None = None
    filename: Annotated[str, StringConstraints(max_length=255)] = ""
    attachment_id: Id | None = None
    mime: Annotated[str, StringConstraints(max_length=80)] = ""
    size: Annotated[int, Field(ge=0, le=1 << 40)] = 0

    def blob_refs(self) -> list[str]:
        return [self.blob_sha256] if self.blob_sha256 else []


class QuoteCreateV1(MutationArgs):
    NAME: ClassVar[str] = "quote.create.v1"
    ENTITY: ClassVar[str] = "quote"
    id: Id
    job_id: Id
    number: Number
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "CNY"
    valid_until: date
    created_at: AwareDatetime


class QuoteAddLineV1(MutationArgs):
    NAME: ClassVar[str] = "quote.add_line.v1"
    ENTITY: ClassVar[str] = "quote"
    line_id: Id
    kind: QuoteLineKind
    part_no: PartNo | None = None
    description: Annotated[str, StringConstraints(min_length=1, max_length=300)]
    quantity: Quantity
    unit_price: Price
    tax_rate: Annotated[Decimal, Field(ge=0, lt=1, allow_inf_nan=False)]


Point = Annotated[list[float], Field(min_length=2, max_length=4)]
Stroke = Annotated[list[Point], Field(max_length=20_000)]


class SignatureV1(MutationArgs):
    """A signature as captured (vector strokes), inside quote.approve and slip.sign.

    It names no device: the center records the device that pushes it (the authenticated
    login), never a claim. A ``device_id`` that an older app still queued is dropped unread."""

    id: Id
    role: Annotated[str, StringConstraints(max_length=20)]
    signer_name: Name
    signed_at: AwareDatetime
    canvas_width: Annotated[int, Field(ge=1, le=10_000)]
    canvas_height: Annotated[int, Field(ge=1, le=10_000)]
    strokes: Annotated[list[Stroke], Field(max_length=2_000)]

    @model_validator(mode="before")
    @classmethod
    def _drop_device_claim(cls, data: Any) -> Any:
        if isinstance(data, dict) and "device_id" in data:
            return {k: v for k, v in data.items() if k != "device_id"}
        return data


class QuoteApproveV1(MutationArgs):
    NAME: ClassVar[str] = "quote.approve.v1"
    ENTITY: ClassVar[str] = "quote"
    signature: SignatureV1
    signature_id: Id | None = None
    signer_name: Name = ""
    at: AwareDatetime
    total: Annotated[str, StringConstraints(max_length=40)] = ""  # informational


class QuoteDeclineV1(MutationArgs):
    NAME: ClassVar[str] = "quote.decline.v1"
    ENTITY: ClassVar[str] = "quote"
    by: Name = ""
    reason: Text = ""
    at: AwareDatetime


class PartReplaceV1(MutationArgs):
    NAME: ClassVar[str] = "part.replace.v1"
    ENTITY: ClassVar[str] = "job"
    id: Id
    part_no: PartNo
    quantity: Quantity
    serial_removed: Serial = ""
    serial_installed: Serial = ""
    paid: bool | None = None  # sent by the app for its own record; the center derives it
    at: AwareDatetime


class SlipSignV1(MutationArgs):
    NAME: ClassVar[str] = "slip.sign.v1"
    ENTITY: ClassVar[str] = "slip"
    slip_id: Id
    job_id: Id
    number: Number
    canonical: Annotated[str, StringConstraints(min_length=2, max_length=1_000_000)]
    sha256: Sha256
    signed_at: AwareDatetime
    supersedes: Id | None = None
    customer_signature_id: Id | None = None  # None: a slip without the customer (its reason
    # is in the signed content, ``customer_absent``); the engineer's signature is required
    engineer_signature_id: Id | None = None
    signatures: Annotated[list[SignatureV1], Field(max_length=2)] = []
    device_signature: Annotated[str, StringConstraints(max_length=100)] | None = None
    device_public_key: Annotated[str, StringConstraints(max_length=60)] | None = None


# Whether a line's quantity is positive is the domain's rule (QuoteLine), said in its words.
LineQuantity = Annotated[Decimal, Field(le=MAX_PART_QUANTITY, allow_inf_nan=False)]


class QuoteUpdateLineV1(MutationArgs):
    NAME: ClassVar[str] = "quote.update_line.v1"
    ENTITY: ClassVar[str] = "quote"
    line_id: Id
    description: Annotated[str, StringConstraints(max_length=300)]
    quantity: LineQuantity
    unit_price: Annotated[Decimal, Field(le=Decimal(10) ** 9, allow_inf_nan=False)]


class QuoteRemoveLineV1(MutationArgs):
    NAME: ClassVar[str] = "quote.remove_line.v1"
    ENTITY: ClassVar[str] = "quote"
    line_id: Id


class QuoteWithdrawV1(MutationArgs):
    NAME: ClassVar[str] = "quote.withdraw.v1"
    ENTITY: ClassVar[str] = "quote"
    reason: Text = ""
    at: AwareDatetime


class EscalationFileV1(MutationArgs):
    """A file or log sent with an escalation; its size is informational (the center records
    the size of the blob it holds)."""

    id: Id
    filename: Annotated[str, StringConstraints(max_length=255)] = ""
    mime: Annotated[str, StringConstraints(max_length=80)] = ""
    sha256: Sha256
    size: Annotated[int, Field(ge=0, le=1 << 40)] = 0


class JobEscalateV1(MutationArgs):
    NAME: ClassVar[str] = "job.escalate.v1"
    ENTITY: ClassVar[str] = "job"
    escalation_id: Id
    at: AwareDatetime
    reason: Text = ""
    findings: Text = ""
    # Checked by the domain (workflow.parse_category), which says what to choose.
    category: Annotated[str, StringConstraints(max_length=20)] = "other"
    attachments: Annotated[list[EscalationFileV1], Field(max_length=20)] = []

    def blob_refs(self) -> list[str]:
        return sorted({f.sha256 for f in self.attachments})


class SlipSendEmailV1(MutationArgs):
    NAME: ClassVar[str] = "slip.send_email.v1"
    ENTITY: ClassVar[str] = "slip_email"
    id: Id
    slip_id: Id
    # The address and the language are judged by domain.mail, in its words.
    to: Annotated[str, StringConstraints(max_length=320)]
    language: Annotated[str, StringConstraints(max_length=10)]
    at: AwareDatetime


def _describe(exc: ValidationError) -> str:
    """Which fields are wrong and why, never the input itself (it may be huge or private)."""
    parts = []
    for err in exc.errors(include_input=False, include_url=False)[:5]:
        where = ".".join(str(p) for p in err["loc"]) or "args"
        parts.append(f"{where}: {err['msg']}"[:120])
    return "; ".join(parts)


def parse_args(name: str, args: dict[str, Any]) -> MutationArgs:
    """The one place the center turns wire args into a contract (or a clean refusal)."""
    model = MUTATIONS.get(name)
    if model is None:
        raise MalformedMutation(
            "mutation.unknown", f"Unknown change type {name[:80]}; update the app"
        )
    if len(json.dumps(args, separators=(",", ":"), default=str)) > MAX_MUTATION_BYTES:
        raise MalformedMutation("mutation.too_large", "The change is too large to store")
    try:
        return model.model_validate(args)
    except ValidationError as exc:
        raise MalformedMutation("mutation.invalid", f"Malformed change: {_describe(exc)}") from None
