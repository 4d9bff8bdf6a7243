"""Log in (a device-bound bearer token) and log out."""

# No `from __future__ import annotations`: FastAPI must evaluate the dependency aliases.
from fastapi import APIRouter, Request, Response

from fieldkit.protocol import HEADER_CENTER_KEY
from fieldkit.protocol.wire import CenterKeyResponse, LoginRequest, LoginResponse
from fieldkit.server import auth
from fieldkit.server.api.deps import (
    ERRORS,
    CenterKeyDep,
    EngineDep,
    LoginGateDep,
    PinnedKeyDep,
    PrincipalDep,
    TokenDep,
    now,
)

router = APIRouter(prefix="/auth", tags=["auth"], responses=ERRORS)


@router.post("/login")
async def login(
    body: LoginRequest,
    request: Request,
    response: Response,
    gate: LoginGateDep,
    signer: CenterKeyDep,
) -> LoginResponse:
    """Check a password and issue a token for one device. async: a login waiting for a
    password-check slot holds no thread of the pool that every sync request shares."""
    attempt = auth.LoginRequestInfo(
        username=body.username,
        password=body.password,
        device_id=body.device_id,
        device_name=body.device_name,
        remote=(request.client.host if request.client else "")[:64],
        public_key=body.public_key,
    )
    token, expires, user = await gate.login(attempt, now)
    response.headers[HEADER_CENTER_KEY] = signer.public_b64  # pinned: it signs wipe orders
    return LoginResponse(
        token=token,
        expires_at=expires.isoformat(),
        username=user["username"],
        display_name=user["display_name"],
        role="dispatcher" if user["role"] == "dispatcher" else "engineer",
    )


@router.post("/logout", status_code=204)
def logout(who: PrincipalDep, token: TokenDep, engine: EngineDep) -> Response:
    """End this login (the token); the device's other data stays."""
    auth.log_out(engine, token, now())
    return Response(status_code=204)


@router.get("/center-key")
def center_key(
    token: TokenDep, engine: EngineDep, signer: CenterKeyDep, pinned: PinnedKeyDep = None
) -> CenterKeyResponse:
    """The key that signs this center's wipe orders, for a logged-in device that has none
    pinned: answered even to a device reported stolen (it reveals only the public key), so
    that the signed order its next request gets can be checked and obeyed."""
    auth.hand_over_center_key(engine, token, now(), signer, pinned)
    return CenterKeyResponse(center_key=signer.public_b64)
