"""/console/static: the vendored htmx and the stylesheet, cached for a year (their file names
carry their versions, so a change is a new URL)."""

from __future__ import annotations

from pathlib import Path

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC_DIR = Path(__file__).parent / "static"
LONG_CACHE = "public, max-age=31536000, immutable"


class ConsoleStatic(StaticFiles):
    """Static files with the long-lived cache header."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = LONG_CACHE
        return response


def console_static() -> ConsoleStatic:
    return ConsoleStatic(directory=STATIC_DIR)
