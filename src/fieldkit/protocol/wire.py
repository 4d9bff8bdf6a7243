"""Request and response bodies, validated on both ends (pydantic)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_BATCH = 500
UUID_PATTERN = r"^[0-9a-fA-F-]{36}$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorBody(Strict):
    code: str  # stable, machine-readable: "auth.invalid", "sync.gap", ...
    message: str
    detail: dict[str, Any] = Field(default_factory=dict)


class LoginRequest(Strict):
    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=1024)
    device_id: str = Field(pattern=UUID_PATTERN)
    device_name: str = Field(default="", max_length=120)
    public_key: str | None = Field(default=None, max_length=60)  # Ed25519, base64


class LoginResponse(Strict):
    token: str
    expires_at: str
    username: str
    display_name: str
    role: Literal["engineer", "dispatcher"]


class CenterKeyResponse(Strict):
    """GET /auth/center-key: the key that signs this center's wipe orders (also in the
    answer's header), for a device that has none pinned yet."""

    center_key: str


class Mutation(Strict):
    mutation_id: str = Field(pattern=UUID_PATTERN)
    device_id: str = Field(pattern=UUID_PATTERN)
    seq: int = Field(ge=1)
    name: str = Field(min_length=3, max_length=80)
    entity_type: str = Field(max_length=40)
    entity_id: str = Field(max_length=36)
    base_version: int | None = None
    args: dict[str, Any]
    created_at: str  # device clock, informational only
    blob_refs: list[str] = Field(default_factory=list)


class PushRequest(Strict):
    device_time: str  # for clock-skew detection
    mutations: list[Mutation] = Field(max_length=MAX_BATCH)


class MutationResult(Strict):
    mutation_id: str
    seq: int
    status: Literal["applied", "rejected", "duplicate"]
    reason: str = ""
    code: str = ""


class PushResponse(Strict):
    results: list[MutationResult]
    last_seq: int  # highest seq the server has processed for this device
    stopped: Literal["", "gap", "blob_missing"] = ""
    expected_seq: int | None = None
    server_time: str


class Change(Strict):
    seq: int
    entity_type: str
    entity_id: str
    op: Literal["upsert", "delete"]
    data: dict[str, Any] | None = None


class PullResponse(Strict):
    changes: list[Change]
    next_cursor: int
    snapshot: str | None = None  # set while a full snapshot is being paged
    has_more: bool
    reset_required: bool = False
    server_time: str


class BlobStatus(Strict):
    sha256: str
    complete: bool
    offset: int
    size: int | None


class BlobChallenge(Strict):
    """What to prove of a blob (protocol.blob_proof). ``nonce`` is None when the center takes
    no proof now (this account asked for too many): the bytes are then uploaded."""

    sha256: str
    size: int
    nonce: str | None
    ranges: list[tuple[int, int]]


class Health(Strict):
    status: Literal["ok"]
    version: str
    protocols: list[int]


class SlipRecord(Strict):
    """What the center recorded for a signed slip: hashes and the key's fingerprint only."""

    slip_id: str
    sha256: str
    signed_at: str
    device_key: str | None  # fingerprint of the issuing device's key
    superseded_by: str | None  # the slip that replaced this one, if any


class ConflictRecord(Strict):
    """A change the center refused or set aside; the losing value is kept, never dropped."""

    id: int
    at: str
    engineer: str
    job_id: str | None
    entity_type: str
    entity_id: str
    mutation_id: str
    kind: str  # rejected | reassigned_kept | version
    reason: str
    client_value: Any
    server_value: Any
