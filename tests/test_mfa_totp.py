"""TOTP enrolment, login with a code or a recovery code, replay refusal and disabling."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pyotp
import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import auth_session_table
from app.core.config import Settings
from app.core.security import code_digest, fernet_for, hash_code
from app.main import create_app
from app.mfa.models import mfa_factor_table, mfa_recovery_code_table
from tests.conftest import SECRET
from tests.factories import Api
from tests.mfa_helpers import START, bearer, enrol, token, wrong_code
from tests.race_helpers import race, sent


def test_enrol_confirm_and_log_in_with_a_code(api: Api) -> None:
    with time_machine.travel(START, tick=False) as clock:
        therapist = api.therapist()
        before = api.client.get("/v1/me/mfa", headers=therapist.headers).json()
        assert before == {
            "enabled": False,
            "confirmed_at": None,
            "recovery_codes_left": 0,
            "required": False,
        }
        secret, codes = enrol(api, therapist)
        assert len(codes) == 10
        assert len(set(codes)) == 10
        assert all(re.fullmatch(r"[A-Z2-7]{5}-[A-Z2-7]{5}", code) for code in codes)
        after = api.client.get("/v1/me/mfa", headers=therapist.headers).json()
        assert after == {
            "enabled": True,
            "confirmed_at": "2026-11-23T07:00:00Z",
            "recovery_codes_left": 10,
            "required": False,
        }
        clock.shift(30)
        missing = token(api, therapist)
        assert missing.status_code == 401
        assert missing.json()["code"] == "mfa_required"
        assert missing.headers["www-authenticate"] == "Bearer"
        empty = token(api, therapist, otp="")
        assert empty.json()["code"] == "mfa_required"
        wrong = token(api, therapist, otp=wrong_code(secret))
        assert (wrong.status_code, wrong.json()["code"]) == (401, "invalid_otp")
        # A wrong password says nothing about MFA, even with a right code.
        bad_password = token(api, therapist, otp=pyotp.TOTP(secret).now(), password="wrong guess!")
        assert (bad_password.status_code, bad_password.json()["code"]) == (
            401,
            "invalid_credentials",
        )
        good = token(api, therapist, otp=pyotp.TOTP(secret).now())
        assert good.status_code == 200, good.text
        listed = api.client.get("/v1/invitations", headers=bearer(good.json()["access_token"]))
        assert listed.status_code == 200


def test_otpauth_uri_names_the_account_and_issuer(api: Api) -> None:
    therapist = api.therapist()
    started = api.client.post("/v1/me/mfa/totp", headers=therapist.headers).json()
    assert re.fullmatch(r"[A-Z2-7]{32}", started["secret"])
    parsed = pyotp.parse_uri(started["otpauth_uri"])
    assert isinstance(parsed, pyotp.TOTP)
    assert parsed.secret == started["secret"]
    assert parsed.issuer == "Mestring"
    assert parsed.name == therapist.email


def test_a_code_is_used_once_per_step(api: Api) -> None:
    with time_machine.travel(START, tick=False) as clock:
        admin = api.admin()
        secret, _ = enrol(api, admin)
        # The confirming code has spent this step already.
        replayed = token(api, admin, otp=pyotp.TOTP(secret).now())
        assert (replayed.status_code, replayed.json()["code"]) == (401, "invalid_otp")
        clock.shift(30)
        code = pyotp.TOTP(secret).now()
        assert token(api, admin, otp=code).status_code == 200
        assert token(api, admin, otp=code).json()["code"] == "invalid_otp"
        clock.shift(30)
        # The older step would still be inside the drift window, but a newer one was used.
        assert token(api, admin, otp=code).json()["code"] == "invalid_otp"
        assert token(api, admin, otp=pyotp.TOTP(secret).now()).status_code == 200


def test_codes_from_the_neighbouring_steps_are_accepted(api: Api) -> None:
    with time_machine.travel(START, tick=False) as clock:
        therapist = api.therapist()
        secret, _ = enrol(api, therapist)
        clock.shift(90)
        totp = pyotp.TOTP(secret)
        step = totp.timecode(START) + 3
        assert token(api, therapist, otp=totp.generate_otp(step - 2)).status_code == 401
        assert token(api, therapist, otp=totp.generate_otp(step - 1)).status_code == 200
        assert token(api, therapist, otp=totp.generate_otp(step + 1)).status_code == 200
        assert token(api, therapist, otp=totp.generate_otp(step)).status_code == 401


def _sessions(api: Api, user_id: uuid.UUID) -> int:
    async def work(session: AsyncSession) -> int:
        query = select(func.count()).where(auth_session_table.c.user_id == user_id)
        return int(await session.scalar(query) or 0)

    return api.db(work)


@pytest.fixture
def second_client(settings: Settings) -> Iterator[TestClient]:
    """Another instance of the app on the same database (its own engine and event loop)."""
    with TestClient(create_app(settings)) as client:
        yield client


def test_two_logins_with_one_code_at_once_open_one_session(
    api: Api, second_client: TestClient, settings: Settings
) -> None:
    with time_machine.travel(START, tick=False) as clock:
        therapist = api.therapist()
        secret, _ = enrol(api, therapist)
        clock.shift(30)
        code = pyotp.TOTP(secret).now()
        other = Api(second_client)
        before = _sessions(api, therapist.id)
        # The first login is held once its conditional UPDATE has spent the code (the factor's
        # row locked, nothing committed); the second, with the same code, waits for that row
        # and then finds the step spent: its UPDATE changes nothing and the code is refused.
        with sent(api.client) as statements:
            first, second = race(
                settings,
                second_client,
                "UPDATE MFA_FACTORS",
                lambda: token(other, therapist, otp=code),
                lambda: token(api, therapist, otp=code),
                after=True,
            )
    assert first.status_code == 200, first.text
    assert (second.status_code, second.json()["code"]) == (401, "invalid_otp")
    # The loser's code did match a step (it tried to spend it); the update found it spent.
    spends = [s for s in statements if s.startswith("UPDATE mfa_factors SET last_used_step")]
    assert len(spends) == 1, statements
    assert _sessions(api, therapist.id) == before + 1  # one session opened, not two


def test_a_recovery_code_works_once(api: Api) -> None:
    therapist = api.therapist()
    _, codes = enrol(api, therapist)
    typed = codes[3].replace("-", "").lower()  # dashes and case do not matter
    first = token(api, therapist, otp=typed)
    assert first.status_code == 200, first.text
    again = token(api, therapist, otp=codes[3])
    assert (again.status_code, again.json()["code"]) == (401, "invalid_otp")
    status = api.client.get("/v1/me/mfa", headers=bearer(first.json()["access_token"])).json()
    assert status["recovery_codes_left"] == 9
    assert token(api, therapist, otp=codes[4]).status_code == 200


def test_wrong_codes_count_as_failed_logins_and_a_missing_code_clears_nothing(api: Api) -> None:
    with time_machine.travel(START, tick=False):
        therapist = api.therapist()
        secret, codes = enrol(api, therapist)
        bad = wrong_code(secret)
        assert [token(api, therapist, otp=bad).status_code for _ in range(4)] == [401] * 4
        assert token(api, therapist).json()["code"] == "mfa_required"
        assert token(api, therapist, otp=bad).json()["code"] == "invalid_otp"
        blocked = token(api, therapist, otp=codes[0])
        assert (blocked.status_code, blocked.json()["code"]) == (429, "login_throttled")


def test_enrolment_restarts_until_confirmed_then_conflicts(api: Api) -> None:
    therapist = api.therapist()
    too_early = api.client.post(
        "/v1/me/mfa/totp/confirm", json={"code": "123456"}, headers=therapist.headers
    )
    assert (too_early.status_code, too_early.json()["code"]) == (409, "mfa_not_started")
    first = api.client.post("/v1/me/mfa/totp", headers=therapist.headers).json()["secret"]
    second = api.client.post("/v1/me/mfa/totp", headers=therapist.headers).json()["secret"]
    assert first != second
    stale = api.client.post(
        "/v1/me/mfa/totp/confirm",
        json={"code": pyotp.TOTP(first).now()},
        headers=therapist.headers,
    )
    assert (stale.status_code, stale.json()["code"]) == (400, "invalid_otp")
    assert token(api, therapist).status_code == 200  # unconfirmed: login needs no code
    confirmed = api.client.post(
        "/v1/me/mfa/totp/confirm",
        json={"code": pyotp.TOTP(second).now()},
        headers=therapist.headers,
    )
    assert confirmed.status_code == 200
    restart = api.client.post("/v1/me/mfa/totp", headers=therapist.headers)
    assert (restart.status_code, restart.json()["code"]) == (409, "mfa_already_enabled")
    reconfirm = api.client.post(
        "/v1/me/mfa/totp/confirm", json={"code": "123456"}, headers=therapist.headers
    )
    assert (reconfirm.status_code, reconfirm.json()["code"]) == (409, "mfa_already_enabled")


def test_disabling_needs_the_password_and_a_code(api: Api) -> None:
    with time_machine.travel(START, tick=False) as clock:
        therapist = api.therapist()
        off = {"password": therapist.password, "code": "123456"}
        idle = api.client.request("DELETE", "/v1/me/mfa/totp", json=off, headers=therapist.headers)
        assert (idle.status_code, idle.json()["code"]) == (409, "mfa_not_enabled")
        secret, codes = enrol(api, therapist)
        clock.shift(30)
        attempts = [
            ({"password": "wrong guess!", "code": pyotp.TOTP(secret).now()}, "wrong_password"),
            ({"password": therapist.password, "code": wrong_code(secret)}, "invalid_otp"),
            ({"password": therapist.password, "code": codes[0] + "X"}, "invalid_otp"),
        ]
        for body, code in attempts:
            refused = api.client.request(
                "DELETE", "/v1/me/mfa/totp", json=body, headers=therapist.headers
            )
            assert (refused.status_code, refused.json()["code"]) == (400, code)
        assert api.client.get("/v1/me/mfa", headers=therapist.headers).json()["enabled"] is True
        done = api.client.request(
            "DELETE",
            "/v1/me/mfa/totp",
            json={"password": therapist.password, "code": codes[0]},
            headers=therapist.headers,
        )
        assert done.status_code == 204, done.text
        status = api.client.get("/v1/me/mfa", headers=therapist.headers).json()
        assert status == {
            "enabled": False,
            "confirmed_at": None,
            "recovery_codes_left": 0,
            "required": False,
        }
        assert token(api, therapist).status_code == 200
        assert api.db(lambda s: _count_codes(s)) == 0


def test_failed_disables_are_throttled(api: Api) -> None:
    therapist = api.therapist()
    secret, _ = enrol(api, therapist)
    body = {"password": therapist.password, "code": wrong_code(secret)}
    statuses = [
        api.client.request(
            "DELETE", "/v1/me/mfa/totp", json=body, headers=therapist.headers
        ).status_code
        for _ in range(6)
    ]
    assert statuses == [400] * 5 + [429]


async def _count_codes(session: AsyncSession) -> int:
    return len((await session.execute(select(mfa_recovery_code_table.c.id))).all())


def test_the_secret_and_recovery_codes_are_not_stored_in_plain_text(api: Api) -> None:
    therapist = api.therapist()
    secret, codes = enrol(api, therapist)

    async def read(session: AsyncSession) -> tuple[str, set[str]]:
        stored = await session.scalar(
            select(mfa_factor_table.c.secret_encrypted).where(
                mfa_factor_table.c.user_id == therapist.id
            )
        )
        hashes = await session.scalars(select(mfa_recovery_code_table.c.code_hash))
        assert stored is not None
        return stored, set(hashes)

    stored, hashes = api.db(read)
    assert secret not in stored
    assert fernet_for(SECRET, purpose="totp-secret").decrypt(stored.encode()).decode() == secret
    # Keyed by the secret key: a backup alone cannot be used to try the 2^50 possible codes.
    assert hashes == {code_digest(SECRET, code.replace("-", "")) for code in codes}
    assert not hashes & {hash_code(code.replace("-", "")) for code in codes}
    assert not any(code.replace("-", "") in h or code in h for code in codes for h in hashes)
