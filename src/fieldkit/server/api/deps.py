"""What routes receive through ``Depends``: who is calling (``PrincipalDep`` any logged-in
user, ``OfficeDep`` a member of the office's staff) and the center's parts, taken from
``request.app.state`` as :func:`fieldkit.server.app.create_app` set them up (``EngineDep``,
``SettingsDep``, ``BlobsDep``, ``MailDep``, ``OfficeCasesDep``, ``LoginGateDep``,
``CenterKeyDep``)."""

# No `from __future__ import annotations`: FastAPI must evaluate the dependency aliases.
from datetime import UTC, datetime
from typing import Annotated, Any, cast

from fastapi import Depends, Header, Request
from sqlalchemy import Engine

from fieldkit.protocol import HEADER_PINNED_KEY
from fieldkit.protocol.wire import ErrorBody
from fieldkit.server import auth
from fieldkit.server.blobstore import ServerBlobs
from fieldkit.server.center_key import CenterKey
from fieldkit.server.contact import Contacts
from fieldkit.server.errors import ApiError
from fieldkit.server.mail import MailOutbox
from fieldkit.server.office import Office
from fieldkit.server.settings import ServerSettings

# The error answers a route may give, for the API description: one ErrorBody envelope.
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody} for code in (400, 401, 403, 404, 409, 413, 416, 422, 429, 503)
}


def now() -> datetime:
    return datetime.now(UTC)


# The parts are plain attribute reads: ``async`` so FastAPI calls them on the event loop
# instead of handing each to the thread pool (a thread hop costs more than the read).
async def get_engine(request: Request) -> Engine:
    return cast(Engine, request.app.state.engine)


async def get_settings(request: Request) -> ServerSettings:
    return cast(ServerSettings, request.app.state.settings)


async def get_blobs(request: Request) -> ServerBlobs:
    return cast(ServerBlobs, request.app.state.blobs)


async def get_mail(request: Request) -> MailOutbox:
    return cast(MailOutbox, request.app.state.mail)


async def get_office(request: Request) -> Office:
    return cast(Office, request.app.state.office)


async def get_login_gate(request: Request) -> auth.LoginGate:
    return cast(auth.LoginGate, request.app.state.gate)


async def get_contacts(request: Request) -> Contacts:
    return cast(Contacts, request.app.state.contacts)


async def get_center_key(request: Request) -> CenterKey:
    return cast(CenterKey, request.app.state.center_key)


EngineDep = Annotated[Engine, Depends(get_engine)]
SettingsDep = Annotated[ServerSettings, Depends(get_settings)]
BlobsDep = Annotated[ServerBlobs, Depends(get_blobs)]
MailDep = Annotated[MailOutbox, Depends(get_mail)]
OfficeCasesDep = Annotated[Office, Depends(get_office)]
LoginGateDep = Annotated[auth.LoginGate, Depends(get_login_gate)]
CenterKeyDep = Annotated[CenterKey, Depends(get_center_key)]
ContactsDep = Annotated[Contacts, Depends(get_contacts)]


async def bearer_token(authorization: Annotated[str | None, Header()] = None) -> str:
    if not authorization or not authorization.startswith("Bearer "):
        raise ApiError(401, "auth.missing", "Log in first")
    return authorization.removeprefix("Bearer ").strip()


TokenDep = Annotated[str, Depends(bearer_token)]
# The center key the calling device says it has pinned (see protocol.HEADER_PINNED_KEY).
PinnedKeyDep = Annotated[str | None, Header(alias=HEADER_PINNED_KEY)]


def current_principal(
    engine: EngineDep, token: TokenDep, signer: CenterKeyDep, pinned: PinnedKeyDep = None
) -> auth.Principal:
    """The user behind the bearer token; a device reported stolen gets the signed wipe order."""
    with engine.connect() as conn:
        return auth.authenticate(conn, token, now(), signer, pinned)


PrincipalDep = Annotated[auth.Principal, Depends(current_principal)]


async def office_principal(who: PrincipalDep) -> auth.Principal:
    """Any of the office's roles (hotline, dispatcher, supervisor); engineers are refused."""
    if not who.is_office:
        raise ApiError(403, "auth.role", "Only the service center's dispatchers may do this")
    return who


OfficeDep = Annotated[auth.Principal, Depends(office_principal)]
