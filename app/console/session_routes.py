"""GET /console/, sign-in and sign-out: the API's login service and session table."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.responses import HTMLResponse, Response

from app.accounts.models import Role
from app.auth import service as auth
from app.auth.deps import principal_of_session
from app.auth.schemas import LoginForm
from app.auth.sessions import revoke_session
from app.console import cookies
from app.console.i18n import Locale, from_accept_language, gettext
from app.console.labels import N_
from app.console.pages import (
    ConsoleRoute,
    ConsoleTherapist,
    CsrfRefused,
    form_of,
    redirect,
    render,
)
from app.core.deps import ClientAddress, HasherDep, SessionDep, SettingsDep, TokensDep, UserAgent
from app.core.errors import TooManyRequests, Unauthorized
from app.throttle.deps import ThrottleDep

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)

_LOGIN_ERRORS = {
    "mfa_required": N_("Enter the code from your authenticator app."),
    "invalid_otp": N_("The code is not valid."),
}


@router.get("/")
async def home(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    found = cookies.read_session(settings, request)
    if found is not None:
        principal = await principal_of_session(
            session, settings, user_id=found.user_id, session_id=found.session_id
        )
        if principal is not None and principal.role is Role.therapist:
            return redirect("/console/worklist")
    return redirect("/console/login")


def _login_page(
    request: Request,
    settings: SettingsDep,
    *,
    locale: Locale,
    status: int = 200,
    error: str | None = None,
    email: str = "",
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    token, fresh = cookies.login_csrf(settings, request)
    page = render(
        request,
        "login.html",
        locale=locale,
        status=status,
        error=gettext(locale, error) if error else None,
        email=email,
        login_csrf=token,
    )
    page.headers.update(headers or {})
    if fresh is not None:
        cookies.set_login_nonce(page, settings, fresh)
    return page


@router.get("/login")
async def login_form(request: Request, settings: SettingsDep) -> Response:
    locale = from_accept_language(request.headers.get("accept-language"))
    return _login_page(request, settings, locale=locale)


@router.post("/login")
async def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    hasher: HasherDep,
    tokens: TokensDep,
    throttle: ThrottleDep,
    client_address: ClientAddress,
    user_agent: UserAgent,
) -> Response:
    """The API's login (same throttling, TOTP, answers); only therapists get a cookie."""
    locale = from_accept_language(request.headers.get("accept-language"))
    form = await request.form()
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    if not cookies.login_csrf_ok(settings, request, fields.get("csrf_token", "")):
        raise CsrfRefused
    email = fields.get("email", "")
    try:
        checked = LoginForm(
            username=email, password=fields.get("password", ""), otp=fields.get("totp") or None
        )
    except ValidationError:
        error = N_("Enter your email and password.")
        return _login_page(request, settings, locale=locale, status=422, error=error, email=email)
    try:
        pair = await auth.login(
            session,
            hasher=hasher,
            tokens=tokens,
            settings=settings,
            throttle=throttle,
            email=checked.username,
            password=checked.password,
            otp=checked.otp,
            client_address=client_address,
            user_agent=user_agent,
        )
    except TooManyRequests as exc:
        error = N_("Too many failed sign-ins; wait a while and try again.")
        return _login_page(
            request,
            settings,
            locale=locale,
            status=429,
            error=error,
            email=email,
            headers=exc.headers,
        )
    except Unauthorized as exc:
        error = _LOGIN_ERRORS.get(exc.code, N_("Incorrect email or password."))
        return _login_page(request, settings, locale=locale, status=401, error=error, email=email)
    claims = tokens.decode_access(pair.access_token)
    assert claims is not None  # just issued
    principal = await principal_of_session(
        session, settings, user_id=claims.user_id, session_id=claims.session_id
    )
    refusal: str | None = None
    if principal is None or principal.role is not Role.therapist:
        refusal = N_("The console is for therapists. Use the app to sign in.")
    elif principal.mfa_pending:
        refusal = N_("Set up two-step login in the app first, then sign in here with its code.")
    if refusal is not None:
        # The session the login opened is ended at once: no cookie, nothing left behind.
        await revoke_session(session, session_id=claims.session_id, reason="logout")
        await session.commit()
        return _login_page(request, settings, locale=locale, status=403, error=refusal, email=email)
    response = redirect("/console/worklist")
    cookies.set_session(
        response, settings, cookies.session_value(settings, claims.user_id, claims.session_id)
    )
    return response


@router.post("/logout")
async def logout(
    request: Request,
    user: ConsoleTherapist,
    session: SessionDep,
    settings: SettingsDep,
    tokens: TokensDep,
) -> Response:
    await form_of(request, user, settings)
    await auth.logout(
        session,
        tokens=tokens,
        user_id=user.id,
        session_id=user.principal.session_id,
        refresh_token=None,
    )
    response = redirect("/console/login")
    cookies.clear_session(response, settings)
    return response
