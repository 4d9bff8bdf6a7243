"""Is the center up, which version, which sync protocols: for load balancers and devices."""

from fastapi import APIRouter

from fieldkit import __version__
from fieldkit.protocol import SUPPORTED_PROTOCOLS
from fieldkit.protocol.wire import Health

router = APIRouter(tags=["health"])


@router.get("/health")
def health() -> Health:
    return Health(status="ok", version=__version__, protocols=list(SUPPORTED_PROTOCOLS))
