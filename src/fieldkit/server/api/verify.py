"""Slip verification: anyone holding a slip's PDF may ask what the center recorded for it."""

from fastapi import APIRouter

from fieldkit.protocol.wire import SlipRecord
from fieldkit.server.api.deps import ERRORS, EngineDep
from fieldkit.server.errors import ApiError
from fieldkit.server.verification import slip_record

router = APIRouter(prefix="/verify", tags=["verify"], responses=ERRORS)


@router.get("/slips/{slip_id}")
def verify_slip(slip_id: str, engine: EngineDep) -> SlipRecord:
    """Only hashes and the issuing key's fingerprint are disclosed, never the content."""
    record = slip_record(engine, slip_id)
    if record is None:
        raise ApiError(404, "slip.unknown", "No slip with this id at the service center")
    return record
