"""Rendering console pages, the console's route class (errors become HTML pages, a missing
sign-in a redirect) and the signed-in therapist dependency."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.responses import HTMLResponse, RedirectResponse, Response

from app.accounts.models import Role
from app.auth.deps import Principal, principal_of_session
from app.console import cookies
from app.console.i18n import Locale, as_locale, environment, from_accept_language, gettext
from app.console.labels import N_
from app.core.deps import SessionDep, SettingsDep
from app.core.errors import AppError

log = logging.getLogger("mestring.console")

# Console pages only: the API's policy (`frame-ancestors 'none'`) is kept by the request
# middleware for everything else, which adds its own only when a response has none.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
PAGE_HEADERS = {"Content-Security-Policy": CSP, "Cache-Control": "no-store"}
LOGIN_PATH = "/console/login"


class SignInRequired(Exception):
    """No valid console session: the browser is sent to the sign-in page."""


class CsrfRefused(Exception):
    """A state-changing form without its valid token."""


@dataclass(frozen=True, slots=True)
class Therapist:
    """The signed-in therapist and what every page needs to render for them."""

    principal: Principal
    csrf: str

    @property
    def id(self) -> uuid.UUID:
        return self.principal.id

    @property
    def locale(self) -> Locale:
        return as_locale(self.principal.locale)


def render(
    request: Request,
    template: str,
    *,
    locale: Locale,
    status: int = 200,
    user: Therapist | None = None,
    **context: Any,
) -> HTMLResponse:
    page = environment(locale).get_template(template)
    body = page.render(request=request, user=user, csrf=user.csrf if user else "", **context)
    return HTMLResponse(body, status_code=status, headers=PAGE_HEADERS)


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303, headers=PAGE_HEADERS)


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    user: Therapist | None = request.scope.get("state", {}).get("console_user")
    locale = user.locale if user else from_accept_language(request.headers.get("accept-language"))
    return render(
        request,
        "error.html",
        locale=locale,
        status=status,
        user=user,
        status_code=status,
        message=gettext(locale, message),
    )


_MESSAGES = {
    400: N_("Bad request."),
    403: N_("You may not do this."),
    404: N_("Not found."),
    409: N_("That is not possible in the current state."),
    422: N_("The request is not valid."),
    429: N_("Too many attempts; wait a moment and try again."),
}


class ConsoleRoute(APIRoute):
    """Like every route, but an error is answered as an HTML page in the reader's language."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired:
                return redirect(LOGIN_PATH)
            except CsrfRefused:
                return error_page(request, 403, N_("The form has expired; reload the page."))
            except AppError as exc:
                status = exc.status_code if exc.status_code in _MESSAGES else 400
                return error_page(request, status, _MESSAGES[status])
            except RequestValidationError as exc:
                # A malformed id in the path names nothing (404); a bad query or form is a 422.
                in_path = any(error.get("loc", ("",))[0] == "path" for error in exc.errors())
                status = 404 if in_path else 422
                return error_page(request, status, _MESSAGES[status])

        return guarded


async def _therapist(request: Request, session: SessionDep, settings: SettingsDep) -> Therapist:
    found = cookies.read_session(settings, request)
    if found is None:
        raise SignInRequired
    principal = await principal_of_session(
        session, settings, user_id=found.user_id, session_id=found.session_id
    )
    if principal is None or principal.role is not Role.therapist or principal.mfa_pending:
        raise SignInRequired
    user = Therapist(principal, cookies.session_csrf(settings, principal.session_id))
    request.scope.setdefault("state", {})["console_user"] = user
    return user


ConsoleTherapist = Annotated[Therapist, Depends(_therapist)]


async def form_of(request: Request, user: Therapist, settings: SettingsDep) -> dict[str, str]:
    """The posted form as text fields, after its CSRF token is checked (403 otherwise)."""
    form = await request.form()
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    if not cookies.csrf_ok(settings, user.principal.session_id, fields.get("csrf_token", "")):
        raise CsrfRefused
    return fields
