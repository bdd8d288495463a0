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
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal

import asyncpg
import jwt
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.checkins.definition import QuestionnaireDefinition, band_of, score_answers
from app.core.time import local_today, to_local_date
from app.exercises.adherence import DayCount, Dose, Plan, compute, rate, today_progress
from app.work import grades
from app.work.plan import plan_of

KEY = os.environ["MESTRING_SECRET_KEY"]
DSN = os.environ["MESTRING_DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")
POOL: asyncpg.Pool | None = None
QUESTIONNAIRES: dict[uuid.UUID, QuestionnaireDefinition] = {}

AUTH = (
    "SELECT users.role, users.timezone, users.locale FROM users JOIN auth_sessions ON "
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
PLANS = (
    "SELECT u.id AS patient_id, u.timezone, a.id, a.exercise_kind, a.starts_on, a.ends_on, "
    "a.worry_time, a.instructions, d.effective_from, d.times_per_day, d.times_per_week, d.paused "
    "FROM users u LEFT OUTER JOIN exercise_assignments a ON a.patient_id = u.id AND "
    "a.starts_on <= $1 AND (a.ends_on IS NULL OR a.ends_on >= $2) LEFT OUTER JOIN "
    "assignment_doses d ON d.assignment_id = a.id WHERE u.id = ANY($3::uuid[]) "
    "ORDER BY u.id, a.starts_on, a.id, d.effective_from"
)
COUNTS = (
    "SELECT patient_id, assignment_id, exercise_kind, local_date, count(*) AS n, "
    "max(started_at) AS last_started_at FROM exercise_logs WHERE patient_id = ANY($3::uuid[]) "
    "AND local_date >= $1 AND local_date <= $2 "
    "GROUP BY patient_id, assignment_id, exercise_kind, local_date"
)
LAST_CHECKIN = (
    "SELECT users.id, (SELECT max(local_date) FROM checkins WHERE checkins.patient_id = "
    "users.id) FROM users WHERE users.id = ANY($1::uuid[])"
)
RECENT = (
    "SELECT patient_id, local_date, score FROM checkins WHERE patient_id = ANY($3::uuid[]) "
    "AND local_date >= $1 AND local_date <= $2"
)
WORK_PLANS = "SELECT patient_id, body FROM rtw_plans WHERE patient_id = ANY($1::uuid[])"
DIARY_DONE = (
    "SELECT patient_id, local_date FROM work_diary_entries WHERE patient_id = ANY($1::uuid[]) "
    "AND local_date = ANY($2::date[])"
)
WORKED = (
    "SELECT patient_id, local_date, worked_minutes FROM work_diary_entries WHERE "
    "patient_id = ANY($3::uuid[]) AND local_date >= $1 AND local_date <= $2"
)
FOLLOW_UPS = (
    "SELECT patient_id, id, months, full_return_on, due_on, status, still_working, "
    "needs_booster, note, answered_at, booster_request_id FROM follow_ups WHERE patient_id = "
    "ANY($3::uuid[]) AND status = $1 AND due_on <= $2 ORDER BY due_on, months"
)
BOOSTERS = (
    "SELECT patient_id, status, count(*) FROM booster_requests WHERE patient_id = "
    "ANY($1::uuid[]) AND status IN ('open', 'scheduled') GROUP BY patient_id, status"
)
LINKED = (
    "SELECT users.id, users.display_name, users.timezone FROM care_links JOIN users ON "
    "users.id = care_links.patient_id WHERE care_links.therapist_id = $1 AND "
    "care_links.ended_at IS NULL"
)
ACCESS = (
    "INSERT INTO access_log (id, patient_id, reader_id, reader_role, kind, records, request_id,"
    " created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
)


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
    return json.dumps(value, default=str, separators=(",", ":")).encode()


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
    return user_id, row["role"], row["timezone"]


async def put_checkin(
    conn: asyncpg.Connection, who: tuple[Any, ...], day: str, body: bytes
) -> tuple[int, Any]:
    user_id, _, tz = who
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
    user_id, _, tz = who
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


async def _plans(
    conn: asyncpg.Connection, ids: list[uuid.UUID], start: date, end: date
) -> dict[uuid.UUID, list[Plan]]:
    heads: dict[uuid.UUID, Any] = {}
    doses: dict[uuid.UUID, list[Dose]] = defaultdict(list)
    for r in await conn.fetch(PLANS, end, start, ids):
        if r["id"] is None or r["effective_from"] is None:
            continue
        heads.setdefault(r["id"], r)
        doses[r["id"]].append(
            Dose(r["effective_from"], r["times_per_day"], r["times_per_week"], r["paused"])
        )
    plans: dict[uuid.UUID, list[Plan]] = defaultdict(list)
    for pid, h in heads.items():
        wt = h["worry_time"].strftime("%H:%M") if h["worry_time"] else None
        plans[h["patient_id"]].append(
            Plan(
                pid,
                h["patient_id"],
                h["exercise_kind"],
                h["starts_on"],
                h["ends_on"],
                tuple(doses[pid]),
                wt,
                h["instructions"],
            )
        )
    return plans


async def _counts(
    conn: asyncpg.Connection, ids: list[uuid.UUID], start: date, end: date
) -> dict[uuid.UUID, list[DayCount]]:
    counts: dict[uuid.UUID, list[DayCount]] = defaultdict(list)
    for r in await conn.fetch(COUNTS, start, end, ids):
        counts[r["patient_id"]].append(
            DayCount(
                r["assignment_id"],
                r["exercise_kind"],
                r["local_date"],
                r["n"],
                r["last_started_at"],
            )
        )
    return counts


async def today(conn: asyncpg.Connection, who: tuple[Any, ...]) -> tuple[int, Any]:
    user_id, _, tz = who
    day = local_today(tz)
    ids = [user_id]
    plans = await _plans(conn, ids, day, day)
    counts = await _counts(conn, ids, day - timedelta(days=day.weekday()), day)
    items = []
    for plan in plans[user_id]:
        progress = today_progress(plan, counts[user_id], today=day)
        if progress is not None:
            items.append(
                {
                    "id": plan.id,
                    "exercise_kind": plan.exercise_kind,
                    "period": progress.period,
                    "prescribed": progress.target,
                    "done": progress.done,
                    "worry_time": plan.worry_time,
                }
            )
    last = await conn.fetch(LAST_CHECKIN, ids)
    await conn.fetch(RECENT, day - timedelta(days=13), day, ids)
    work = {
        r["patient_id"]: plan_of(json.loads(r["body"])) for r in await conn.fetch(WORK_PLANS, ids)
    }
    done = await conn.fetch(DIARY_DONE, ids, [day])
    follow = await conn.fetch(FOLLOW_UPS, "pending", day, ids)
    boosters = {r["status"]: r["count"] for r in await conn.fetch(BOOSTERS, ids)}
    plan = work.get(user_id)
    return 200, {
        "local_date": day,
        "checkin_done": last[0][1] == day,
        "assignments": items,
        "diary": {"work_day": plan is not None and plan.is_work_day(day), "done": bool(done)},
        "follow_ups_due": [dict(r) for r in follow],
        "booster_requests": {
            "open": boosters.get("open", 0),
            "scheduled": boosters.get("scheduled", 0),
        },
    }


async def worklist(conn: asyncpg.Connection, who: tuple[Any, ...], limit: int) -> tuple[int, Any]:
    therapist_id, role, _ = who
    if role != "therapist":
        raise Problem(403, "forbidden")
    people = await conn.fetch(LINKED, therapist_id)
    days = {r["id"]: local_today(r["timezone"]) for r in people}
    ids = list(days)
    lo, hi = min(days.values()), max(days.values())
    last = dict(await conn.fetch(LAST_CHECKIN, ids))
    recent: dict[uuid.UUID, list[tuple[date, float]]] = defaultdict(list)
    for r in await conn.fetch(RECENT, lo - timedelta(days=13), hi, ids):
        recent[r["patient_id"]].append((r["local_date"], r["score"]))
    first = lo - timedelta(days=28)
    first -= timedelta(days=first.weekday())  # weekly doses are judged over whole weeks
    plans = await _plans(conn, ids, first, hi)
    counts = await _counts(conn, ids, first, hi)
    work = {
        r["patient_id"]: plan_of(json.loads(r["body"])) for r in await conn.fetch(WORK_PLANS, ids)
    }
    mondays = {p: grades.week_start_of(d) - timedelta(weeks=1) for p, d in days.items()}
    worked: dict[uuid.UUID, dict[date, Any]] = defaultdict(dict)
    for r in await conn.fetch(
        WORKED, min(mondays.values()), max(mondays.values()) + timedelta(days=6), ids
    ):
        worked[r["patient_id"]][r["local_date"]] = grades.Day(r["worked_minutes"])
    boosters: dict[uuid.UUID, dict[str, int]] = defaultdict(lambda: {"open": 0, "scheduled": 0})
    for r in await conn.fetch(BOOSTERS, ids):
        boosters[r["patient_id"]][r["status"]] = r["count"]
    follow: dict[uuid.UUID, int] = defaultdict(int)
    for r in await conn.fetch(FOLLOW_UPS, "pending", hi, ids):
        if r["due_on"] <= days[r["patient_id"]]:
            follow[r["patient_id"]] += 1
    rows = []
    for person in people:
        pid, day = person["id"], days[person["id"]]
        this = [s for d, s in recent[pid] if day - timedelta(days=7) < d <= day]
        prev = [
            s for d, s in recent[pid] if day - timedelta(days=14) < d <= day - timedelta(days=7)
        ]
        mean = round(sum(this) / len(this), 4) if this else None
        previous = round(sum(prev) / len(prev), 4) if prev else None
        adherence = []
        for span in (7, 28):
            done = prescribed = 0
            for plan in plans[pid]:
                res = compute(
                    plan,
                    counts[pid],
                    window_start=day - timedelta(days=span),
                    window_end=day,
                    today=day,
                )
                done, prescribed = done + res.completed, prescribed + res.prescribed
            adherence.append(rate(done, prescribed))
        week = grades.week_grade(work.get(pid), worked[pid], week_start=mondays[pid], today=day)
        flags = []
        if last.get(pid) is None or last[pid] <= day - timedelta(days=3):
            flags.append("no_checkin_3d")
        if mean is not None and mean < 3.7:
            flags.append("low_rtw_se")
        if adherence[0] is not None and adherence[0] < 0.5:
            flags.append("low_adherence")
        if boosters[pid]["open"]:
            flags.append("booster_open")
        if follow[pid]:
            flags.append("follow_up_due")
        rows.append(
            {
                "patient_id": pid,
                "display_name": person["display_name"],
                "local_date": day,
                "last_checkin_on": last.get(pid),
                "rtw_se_mean_7d": mean,
                "rtw_se_band": band_of(mean) if mean is not None else None,
                "rtw_se_change_7d": None
                if mean is None or previous is None
                else round(mean - previous, 4),
                "adherence_7d": adherence[0],
                "adherence_28d": adherence[1],
                "work_week": {
                    "week": grades.iso_week_label(week.first),
                    "actual_grade": week.actual_grade,
                    "planned_grade": week.planned_grade,
                },
                "booster_requests": boosters[pid],
                "follow_ups_due": follow[pid],
                "flags": flags,
            }
        )
    rows.sort(
        key=lambda r: (5 - len(r["flags"]), r["display_name"].casefold(), str(r["patient_id"]))
    )
    page = rows[:limit]
    now = datetime.now(UTC)
    await conn.executemany(
        ACCESS,
        [
            (uuid.uuid4(), r["patient_id"], therapist_id, "therapist", "worklist", 1, "floor", now)
            for r in page
        ],
    )
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
                POOL = await asyncpg.create_pool(DSN, min_size=10, max_size=10)
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
