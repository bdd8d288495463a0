"""The floor: a bare ASGI app doing the app's per-request work with nothing in between.

Same JWT check (PyJWT, same claims), same body validation (pydantic), the same SQL
statements as the app sends (asyncpg, one pooled connection per request inside a
transaction), and the same domain arithmetic (the app's pure functions: scoring, adherence,
week grades). What it leaves out is exactly what is measured: FastAPI, dependency injection,
SQLAlchemy and the middleware stack. Run: `uvicorn bench.floor:app` with MESTRING_DATABASE_URL
and MESTRING_SECRET_KEY set like the app's.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal

import asyncpg
import jwt
import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.checkins.definition import QuestionnaireDefinition, band_of, score_answers
from app.core.time import local_today, to_local_date
from bench import floor_sql

KEY = os.environ["MESTRING_SECRET_KEY"]
DSN = os.environ["MESTRING_DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")
POOL: asyncpg.Pool | None = None
QUESTIONNAIRES: dict[uuid.UUID, QuestionnaireDefinition] = {}

AUTH = (
    "SELECT users.role, users.timezone, users.display_name FROM users JOIN auth_sessions ON "
    "auth_sessions.user_id = users.id WHERE users.id = $1 AND users.disabled_at IS NULL "
    "AND auth_sessions.id = $2 AND auth_sessions.revoked_at IS NULL"
)
Q_ID = "SELECT id FROM questionnaire_versions WHERE key = $1 ORDER BY version DESC LIMIT $2"
Q_DEF = "SELECT version, definition FROM questionnaire_versions WHERE id = $1"
UPSERT = (
    "INSERT INTO checkins (id, patient_id, local_date, questionnaire_id, answers, score, mood, "
    "worry_minutes, note, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
    "$10, $10) ON CONFLICT (patient_id, local_date) DO UPDATE SET questionnaire_id = $4, "
    "answers = $5, score = $6, mood = $7, worry_minutes = $8, note = $9, updated_at = $10 "
    "RETURNING id, local_date, questionnaire_id, answers, score, mood, worry_minutes, note, "
    "created_at, updated_at, (xmax = 0) AS inserted"
)
RULE = (
    "SELECT o.window_days, o.min_checkins, o.low_threshold, o.drop_threshold, o.cooldown_days,"
    " o.enabled, (SELECT avg(a.score) FROM (SELECT score FROM checkins WHERE patient_id = $1 "
    "ORDER BY local_date LIMIT 7) a) AS baseline, (SELECT count(*) FROM (SELECT score FROM "
    "checkins WHERE patient_id = $1 ORDER BY local_date LIMIT 7) a) AS baseline_n, (SELECT id "
    "FROM booster_requests WHERE patient_id = $1 AND status = 'open') AS open_id, (SELECT "
    "max(resolved_at) FROM booster_requests WHERE patient_id = $1) AS last_resolved_at FROM "
    "users LEFT OUTER JOIN booster_rule_overrides o ON o.patient_id = users.id WHERE users.id = $1"
)
WINDOW = (
    "SELECT local_date, score FROM checkins WHERE patient_id = $1 AND local_date >= $2 "
    "AND local_date <= $3"
)
LOG = (
    "INSERT INTO exercise_logs (id, patient_id, assignment_id, exercise_kind, started_at, "
    "local_date, duration_seconds, details, body_hash, created_at) VALUES ($1, $2, $3, $4, $5, "
    "$6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING RETURNING id, exercise_kind, "
    "assignment_id, started_at, local_date, duration_seconds, details, created_at"
)
FLAGS = (
    "risk",
    "workplace_conflict",
    "no_checkin_7d",
    "no_checkin_3d",
    "low_rtw_se",
    "measure_overdue",
    "low_adherence",
    "booster_open",
    "follow_up_due",
    "joint_meeting_due",
    "dialogue_meeting_soon",
    "review_due",
    "status_check_due",
)
RISK_ACK = timedelta(hours=24)  # MESTRING_RISK_ACK_HOURS' default
RULE_DEFAULTS = (7, 3, 3.7)  # window_days, min_checkins, low_threshold (the settings' defaults)
WORKLIST_BY_FLAGS = floor_sql.WORKLIST.format(order=floor_sql.ORDER_FLAGS)


class CheckinIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answers: dict[Annotated[str, Field(max_length=32)], Annotated[int, Field(ge=1, le=6)]]
    mood: Annotated[int, Field(ge=0, le=10)] | None = None
    worry_minutes: Annotated[int, Field(ge=0, le=1440)] | None = None
    note: Annotated[str, Field(max_length=500)] | None = None


class AttLogIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: uuid.UUID
    exercise_kind: Literal["attention_training"]
    assignment_id: uuid.UUID | None = None
    started_at: datetime
    duration_seconds: Annotated[int, Field(ge=0, le=86400)]
    phases_completed: list[Literal["selective", "switching", "divided"]]
    self_focus_before: Annotated[int, Field(ge=-3, le=3)] | None = None
    self_focus_after: Annotated[int, Field(ge=-3, le=3)] | None = None


class Problem(Exception):
    def __init__(self, status: int, code: str) -> None:
        self.status, self.code = status, code


def _json(value: Any) -> bytes:
    return orjson.dumps(value, default=str)


async def _principal(conn: asyncpg.Connection, headers: dict[bytes, bytes]) -> tuple[Any, ...]:
    raw = headers.get(b"authorization", b"")
    if not raw.startswith(b"Bearer "):
        raise Problem(401, "not_authenticated")
    try:
        claims = jwt.decode(
            raw[7:].decode(),
            KEY,
            algorithms=["HS256"],
            audience="mestring-api",
            issuer="mestring",
            options={"require": ["exp", "iat", "sub", "sid", "jti"]},
        )
        user_id, session_id = uuid.UUID(claims["sub"]), uuid.UUID(claims["sid"])
    except (jwt.PyJWTError, ValueError) as exc:
        raise Problem(401, "not_authenticated") from exc
    row = await conn.fetchrow(AUTH, user_id, session_id)
    if row is None:
        raise Problem(401, "not_authenticated")
    return user_id, row["role"], row["timezone"], row["display_name"]


async def put_checkin(
    conn: asyncpg.Connection, who: tuple[Any, ...], day: str, body: bytes
) -> tuple[int, Any]:
    user_id, _, tz, _ = who
    data = CheckinIn.model_validate_json(body)
    local = date.fromisoformat(day)
    today = local_today(tz)
    if local > today or local < today - timedelta(days=2):
        raise Problem(422, "checkin_date_out_of_range")
    qid = await conn.fetchval(Q_ID, "rtw-se", 1)
    if qid not in QUESTIONNAIRES:
        row = await conn.fetchrow(Q_DEF, qid)
        QUESTIONNAIRES[qid] = QuestionnaireDefinition.model_validate_json(row["definition"])
    definition = QUESTIONNAIRES[qid]
    if set(data.answers) != {item.id for item in definition.items}:
        raise Problem(422, "answers_incomplete")
    score = score_answers(definition, data.answers)
    now = datetime.now(UTC)
    row = await conn.fetchrow(
        UPSERT,
        uuid.uuid4(),
        user_id,
        local,
        qid,
        json.dumps(data.answers),
        score,
        data.mood,
        data.worry_minutes,
        data.note,
        now,
    )
    ctx = await conn.fetchrow(RULE, user_id)
    window = await conn.fetch(WINDOW, user_id, today - timedelta(days=6), today)
    scores = [r["score"] for r in window]
    mean = sum(scores) / len(scores) if scores else None
    baseline = ctx["baseline"] if ctx["baseline_n"] >= 7 else None
    fires = (
        mean is not None
        and len(scores) >= 3
        and (mean < 3.7 or (baseline is not None and baseline - mean >= 0.8))
    )
    result = {
        k: row[k]
        for k in (
            "local_date",
            "questionnaire_id",
            "score",
            "mood",
            "worry_minutes",
            "note",
            "created_at",
            "updated_at",
        )
    }
    result.update(
        answers=json.loads(row["answers"]),
        band=band_of(score),
        booster_request=None,
        rule_would_fire=bool(fires and ctx["open_id"] is None),
    )
    return (201 if row["inserted"] else 200), result


async def post_log(conn: asyncpg.Connection, who: tuple[Any, ...], body: bytes) -> tuple[int, Any]:
    user_id, _, tz, _ = who
    data = AttLogIn.model_validate_json(body)
    details = data.model_dump(
        mode="json", include={"phases_completed", "self_focus_before", "self_focus_after"}
    )
    canonical = json.dumps(data.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    started = data.started_at.astimezone(UTC)
    row = await conn.fetchrow(
        LOG,
        data.id,
        user_id,
        data.assignment_id,
        data.exercise_kind,
        started,
        to_local_date(started, tz),
        data.duration_seconds,
        json.dumps(details),
        hashlib.sha256(canonical.encode()).hexdigest(),
        datetime.now(UTC),
    )
    if row is None:
        raise Problem(409, "exercise_log_exists")
    result = dict(row)
    result["details"] = json.loads(row["details"])
    return 201, result


def _rate(completed: int, prescribed: int) -> float | None:
    return round(completed / prescribed, 3) if prescribed else None


def _mean(total: float | None, n: int) -> float | None:
    return round(total / n, 4) if n and total is not None else None


async def today(conn: asyncpg.Connection, who: tuple[Any, ...]) -> tuple[int, Any]:
    user_id = who[0]
    r = await conn.fetchrow(floor_sql.TODAY, user_id)
    boosters = {"open": r["open"], "scheduled": r["scheduled"]}
    items = orjson.loads(r["items"]) if r["items"] else []
    return 200, {
        "local_date": r["today"],
        "checkin_done": bool(r["checkin_done"]),
        "assignments": items,
        "diary": {"work_day": bool(r["work_day"]), "done": r["diary_done"]},
        "follow_ups_due": orjson.loads(r["follow_ups"]) if r["follow_ups"] else [],
        "booster_requests": boosters,
    }


def _row(r: asyncpg.Record) -> dict[str, Any]:
    measures = orjson.loads(r["measures"]) if r["measures"] else {}
    mean, previous = _mean(r["s7"], r["n7"]), _mean(r["s14"], r["n14"])
    return {
        "patient_id": r["id"],
        "display_name": r["display_name"],
        "local_date": r["today"],
        "last_checkin_on": r["last_on"],
        "rtw_se_mean_7d": mean,
        "rtw_se_checkins_7d": r["n7"],
        "rtw_se_band": None if mean is None else band_of(mean),
        "rtw_se_change_7d": None if mean is None or previous is None else round(mean - previous, 4),
        "rtw_se_rule_mean": None if r["rule_mean"] is None else float(r["rule_mean"]),
        "adherence_7d": _rate(r["c7"], r["p7"]),
        "adherence_28d": _rate(r["c28"], r["p28"]),
        "work_week": {
            "week": r["week"],
            "week_start": r["week_start"],
            "actual_grade": r["actual"],
            "planned_grade": r["planned"],
            "above_plan": r["actual"] is not None
            and r["planned"] is not None
            and r["actual"] > r["planned"],
            "complete": r["complete"],
        },
        "booster_requests": {"open": r["open"], "scheduled": r["scheduled"]},
        "follow_ups_due": r["follow"],
        "phq9": measures.get("phq9"),
        "gad7": measures.get("gad7"),
        "risk_alerts": {"unacknowledged": r["unack"], "overdue": r["overdue"]},
        "work_focus": {
            "workplace_rating": r["workplace_rating"],
            "barriers_checked_on": r["barriers_checked_on"],
            "next_meeting_at": r["next_meeting_at"],
            "status_check_on": r["status_check_on"],
            "goals_reached_28d": r["goals_reached"],
            "last_goal_reached_on": r["last_goal_reached_on"],
        },
        "flags": [name for name in FLAGS if r[f"f_{name}"]],
    }


async def worklist(conn: asyncpg.Connection, who: tuple[Any, ...], limit: int) -> tuple[int, Any]:
    therapist_id, role, _, name = who
    if role != "therapist":
        raise Problem(403, "forbidden")
    rows = await conn.fetch(
        WORKLIST_BY_FLAGS,
        therapist_id,
        now := datetime.now(UTC),
        *RULE_DEFAULTS,
        limit + 1,
        now - RISK_ACK,
    )
    page = [_row(r) for r in rows[:limit]]
    await conn.execute(floor_sql.ACCESS, [r["patient_id"] for r in page], therapist_id, name)
    return 200, {"data": page, "count": len(page), "next_cursor": None}


async def _body(receive: Any) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    global POOL
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                POOL = await asyncpg.create_pool(
                    DSN, min_size=10, max_size=10, server_settings={"jit": "off"}
                )
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if POOL is not None:
                    await POOL.close()
                await send({"type": "lifespan.shutdown.complete"})
                return
    method, path = scope["method"], scope["path"]
    headers = dict(scope["headers"])
    body = await _body(receive) if method in ("PUT", "POST") else b""
    assert POOL is not None
    try:
        async with POOL.acquire() as conn, conn.transaction():
            who = await _principal(conn, headers)
            if method == "PUT" and path.startswith("/v1/me/checkins/"):
                status, result = await put_checkin(conn, who, path.rsplit("/", 1)[1], body)
            elif method == "POST" and path == "/v1/me/exercise-logs":
                status, result = await post_log(conn, who, body)
            elif method == "GET" and path == "/v1/me/today":
                status, result = await today(conn, who)
            elif method == "GET" and path == "/v1/patients":
                status, result = await worklist(conn, who, 50)
            else:
                raise Problem(404, "not_found")
    except ValidationError as exc:
        status, result = 422, {"detail": exc.errors(include_url=False), "code": "validation_error"}
    except Problem as exc:
        status, result = exc.status, {"detail": exc.code, "code": exc.code}
    payload = _json(result)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
