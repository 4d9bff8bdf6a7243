"""All routers in one: ``create_app`` includes :data:`api_router`."""

from fastapi import APIRouter

from fieldkit.server.api import auth, blobs, dispatch, health, sync, verify

api_router = APIRouter()
for area in (health, auth, sync, verify, blobs, dispatch):
    api_router.include_router(area.router)
