"""The floor's hand-written PostgreSQL: the worklist and "today" aggregated where the data is.

No app code: these statements restate the app's rules (adherence, the booster rule's low test,
the flags, last week's work grade) as set-based SQL with FILTER and lateral joins (the plan
review is read from the plan's stored switch days); the worklist's adherence by dose ranges
(as app/exercises/adherence_sql.py), the calendars that remain (last week's work grade,
"today") with generate_series. `bench.run` checks that they return the same numbers as the
app.
"""

from __future__ import annotations

# Per linked patient: local today ($2 is the request's instant), the booster-rule parameters in
# force ($3..$5 are the defaults), and the day numbers the windows need.
_PATIENTS = """
p AS (
  SELECT u.id, u.display_name, u.timezone, cl.created_at AS linked_at,
         (($2::timestamptz) AT TIME ZONE u.timezone)::date AS today,
         (cl.created_at AT TIME ZONE u.timezone)::date AS linked_on,
         coalesce(o.window_days, $3) AS window_days,
         coalesce(o.min_checkins, $4) AS min_checkins,
         round(coalesce(o.low_threshold, $5)::numeric, 6) AS low_threshold,
         r.review_switches
  FROM care_links cl JOIN users u ON u.id = cl.patient_id
  LEFT JOIN booster_rule_overrides o ON o.patient_id = u.id
  LEFT JOIN rtw_plans r ON r.patient_id = u.id
  WHERE cl.therapist_id = $1 AND cl.ended_at IS NULL
)"""


def _capped(since: str, until: str) -> str:
    """A daily segment's done over the day numbers since..until (`done`) and on today alone
    (`today`): min(logs(d), n) summed, its logs read once through the (patient_id,
    local_date) index (one short range per segment)."""
    return f"""(SELECT coalesce(sum(least(x.c, g.n)), 0) AS done,
        coalesce(sum(least(x.c, g.n)) FILTER (WHERE x.d = g.t), 0) AS today FROM (
        SELECT l.local_date - DATE '1970-01-01' AS d, count(*) AS c FROM exercise_logs l
        WHERE g.n IS NOT NULL AND l.patient_id = g.patient_id
        AND l.local_date >= DATE '1970-01-01' + {since}
        AND l.local_date <= DATE '1970-01-01' + {until}
        AND (l.assignment_id = g.aid OR (l.assignment_id IS NULL
             AND l.exercise_kind = g.kind)) GROUP BY l.local_date) x)"""


def _adherence(name: str, source: str, back: int) -> str:
    """Adherence (app/exercises/adherence.py rules 1-7) of the patients in `source` over the
    `back` days before today and today, by dose ranges as app/exercises/adherence_sql.py does
    (its docstring states the arithmetic): no calendar is walked, and the logs are read per
    dose segment, only on its days. Days are day numbers (days since 1970-01-01; the Monday of
    n is n - (n + 3) % 7); t = today, M0 = the Monday of t - `back`, a segment = one unpaused
    dose row's days clipped to the assignment's dates and to M0..the Sunday of this week.
    Assignments starting after today or ending before M0 are left out: they would make no
    segment or one that counts nothing."""
    never = 1_000_000  # a day number after every stored date: "no end"
    done = _capped(f"greatest(g.lo, g.t - {back})", "least(g.hi, g.t)")
    return f"""
{name}_win AS (
  SELECT p.id, p.today, p.today - DATE '1970-01-01' AS t,
         p.today - {back} - extract(isodow FROM p.today - {back})::int + 1 AS first
  FROM {source} p
),
{name}_plans AS (
  SELECT a.id AS aid, a.patient_id, a.exercise_kind, p.t, a.starts_on - DATE '1970-01-01' AS s,
         coalesce(a.ends_on - DATE '1970-01-01', {never}) AS e
  FROM {name}_win p JOIN exercise_assignments a ON a.patient_id = p.id
   AND a.starts_on <= p.today AND (a.ends_on IS NULL OR a.ends_on >= p.first)
),
{name}_seg AS (
  SELECT aid, patient_id, kind, t, lo, hi, lo - (lo + 3) % 7 AS ml, hi - (hi + 3) % 7 AS mh, n, w
  FROM (
    SELECT p.aid, p.patient_id, p.exercise_kind AS kind, p.t, d.times_per_day AS n,
           d.times_per_week AS w,
           greatest(d.since, p.s, p.t - {back} - (p.t - {back} + 3) % 7) AS lo,
           least(d.until, p.e, p.t - (p.t + 3) % 7 + 6) AS hi
    FROM {name}_plans p JOIN (
      SELECT assignment_id, effective_from - DATE '1970-01-01' AS since,
             coalesce(lead(effective_from) OVER (PARTITION BY assignment_id
                                                 ORDER BY effective_from)
                      - DATE '1970-01-01' - 1, {never}) AS until,
             times_per_day, times_per_week, paused
      FROM assignment_doses WHERE assignment_id IN (SELECT aid FROM {name}_plans)
    ) d ON d.assignment_id = p.aid AND NOT d.paused
  ) x WHERE lo <= hi
),
{name}_pw AS (
  SELECT patient_id, aid, t, m, sum(wd) AS wd FROM (
    SELECT patient_id, aid, t, ml AS m, w * (least(hi, ml + 6) - lo + 1) AS wd
    FROM {name}_seg WHERE w IS NOT NULL
    UNION ALL
    SELECT patient_id, aid, t, mh, w * (hi - mh + 1) FROM {name}_seg
    WHERE w IS NOT NULL AND mh > ml
  ) x GROUP BY patient_id, aid, t, m
),
{name}_lw AS (
  -- the weekly segments' logs per week, read per weekly segment on its days up to today
  SELECT g.patient_id, g.aid, g.t, l.d - (l.d + 3) % 7 AS m, count(*) AS done, max(g.w) AS w
  FROM {name}_seg g CROSS JOIN LATERAL (
    SELECT l.local_date - DATE '1970-01-01' AS d FROM exercise_logs l
    WHERE l.patient_id = g.patient_id AND l.local_date >= DATE '1970-01-01' + g.lo
      AND l.local_date <= DATE '1970-01-01' + least(g.hi, g.t)
      AND (l.assignment_id = g.aid OR (l.assignment_id IS NULL
           AND l.exercise_kind = g.kind))) l
  WHERE g.w IS NOT NULL GROUP BY g.patient_id, g.aid, g.t, m
),
{name} AS (
  SELECT patient_id, sum(p)::int AS p, sum(c)::int AS c FROM (
    SELECT g.patient_id,
           coalesce(g.n * greatest(least(g.hi, g.t - 1) - greatest(g.lo, g.t - {back}) + 1, 0), 0)
           + coalesce(g.w * greatest((g.mh - g.ml) / 7 - 1, 0), 0)
           + dn.today AS p,
           dn.done AS c
    FROM {name}_seg g CROSS JOIN LATERAL {done} dn
    UNION ALL
    SELECT patient_id, (2 * wd + 7) / 14, 0 FROM {name}_pw WHERE m + 6 < t
    UNION ALL
    SELECT lw.patient_id, CASE WHEN lw.m + 6 >= lw.t THEN x.got ELSE 0 END, x.got
    FROM {name}_lw lw LEFT JOIN {name}_pw pw ON pw.aid = lw.aid AND pw.m = lw.m
    CROSS JOIN LATERAL (SELECT least(lw.done, (2 * coalesce(pw.wd, 7 * lw.w) + 7) / 14) AS got) x
  ) parts GROUP BY patient_id
)"""


WORKLIST = f"""
WITH {_PATIENTS}, {_adherence("a7", "p", 7)},
ck AS (
  -- one read of the recent check-ins (also any dated after today: the latest is among them);
  -- the latest of a patient with none recent is read on its own
  SELECT p.id,
    coalesce(x.recent_on, (SELECT max(local_date) FROM checkins c WHERE c.patient_id = p.id))
      AS last_on,
    x.*
  FROM p CROSS JOIN LATERAL (
    SELECT max(local_date) AS recent_on,
           sum(score) FILTER (WHERE local_date > p.today - 7 AND local_date <= p.today) AS s7,
           count(*) FILTER (WHERE local_date > p.today - 7 AND local_date <= p.today) AS n7,
           sum(score) FILTER (WHERE local_date <= p.today - 7 AND local_date > p.today - 14) AS s14,
           count(*) FILTER (WHERE local_date <= p.today - 7 AND local_date > p.today - 14) AS n14,
           round(avg(round(score::numeric, 6)) FILTER (WHERE local_date > p.today - p.window_days
                 AND local_date <= p.today), 6) AS rule_mean,
           count(*) FILTER (WHERE local_date > p.today - p.window_days
                            AND local_date <= p.today) AS rule_n
    FROM checkins c WHERE c.patient_id = p.id
     AND c.local_date > p.today - greatest(14, p.window_days)) x
),
fu AS (
  -- pending follow-ups due by each patient's today, counted once for the caseload
  SELECT f.patient_id, count(*) AS follow FROM p JOIN follow_ups f ON f.patient_id = p.id
   AND f.status = 'pending' AND f.due_on <= p.today GROUP BY f.patient_id
),
rows AS (
  SELECT p.id, p.display_name, p.today, ck.last_on, ck.s7, ck.n7, ck.s14, ck.n14,
    ck.rule_mean, ck.rule_n, coalesce(a7.p, 0) AS p7, coalesce(a7.c, 0) AS c7,
    (SELECT count(*) FROM booster_requests b WHERE b.patient_id = p.id
      AND b.status = 'open') AS open,
    (SELECT count(*) FROM booster_requests b WHERE b.patient_id = p.id
      AND b.status = 'scheduled') AS scheduled,
    coalesce(fu.follow, 0) AS follow,
    p.today - coalesce(ck.last_on, p.linked_on) AS silent,
    ck.rule_mean IS NOT NULL AND ck.rule_n >= p.min_checkins
      AND ck.rule_mean < p.low_threshold AS low_rtw_se,
    -- the plan's stored review switch days: due when an odd number are on or before today
    coalesce(width_bucket(p.today - DATE '1970-01-01', p.review_switches) % 2 = 1, false)
      AS review_due,
    EXISTS (SELECT 1 FROM measure_schedules ms WHERE ms.patient_id = p.id
      AND p.today >= ms.starts_on AND p.today > ms.starts_on
        + (p.today - ms.starts_on) / ms.every_days * ms.every_days + least(3, ms.every_days) - 1
      AND coalesce((SELECT max(r.local_date) FROM measure_responses r
        WHERE r.patient_id = p.id AND r.measure = ms.measure), DATE '1970-01-01')
        < ms.starts_on + (p.today - ms.starts_on) / ms.every_days * ms.every_days)
      AS measure_overdue,
    bc.workplace_rating, bc.local_date AS barriers_checked_on,
    (SELECT min(m.starts_at) FROM dialogue_meetings m WHERE m.patient_id = p.id
      AND m.status = 'planned' AND m.local_date BETWEEN p.today AND p.today + 3)
      AS next_meeting_at,
    hm.next_status_check_on AS status_check_on,
    coalesce(js.id IS NOT NULL AND CASE WHEN jm.held_on IS NULL
        THEN p.today - (js.responded_at AT TIME ZONE p.timezone)::date > 31
        ELSE jm.next_on IS NULL OR jm.next_on > jm.held_on + 31 OR jm.next_on < p.today END,
      false) AS joint_due,
    al.*
  FROM p JOIN ck ON ck.id = p.id LEFT JOIN a7 ON a7.patient_id = p.id
  LEFT JOIN fu ON fu.patient_id = p.id
  LEFT JOIN job_support_links js ON js.patient_id = p.id AND js.status = 'accepted'
  -- each table's latest row per patient, found once for the caseload (not a sort per patient)
  LEFT JOIN (SELECT DISTINCT ON (b.patient_id) b.patient_id, b.workplace_rating, b.local_date
    FROM barrier_checks b WHERE b.patient_id IN (SELECT id FROM p)
    ORDER BY b.patient_id, b.local_date DESC) bc ON bc.patient_id = p.id
  LEFT JOIN (SELECT DISTINCT ON (m.patient_id) m.patient_id, m.next_status_check_on
    FROM dialogue_meetings m WHERE m.status = 'held' AND m.patient_id IN (SELECT id FROM p)
    ORDER BY m.patient_id, m.starts_at DESC) hm ON hm.patient_id = p.id
  LEFT JOIN (SELECT DISTINCT ON (j.patient_id) j.patient_id, j.held_on, j.next_on
    FROM joint_meetings j WHERE j.patient_id IN (SELECT id FROM p)
    ORDER BY j.patient_id, j.held_on DESC, j.created_at DESC) jm ON jm.patient_id = p.id
  CROSS JOIN LATERAL (
    SELECT count(*) AS unack, count(*) FILTER (WHERE ra.created_at < $7) AS overdue,
      coalesce(min(ra.created_at), 'epoch'::timestamptz) AS oldest_at
    FROM risk_alerts ra WHERE ra.patient_id = p.id AND ra.acknowledged_at IS NULL) al
),
flagged AS (
  SELECT rows.*, unack > 0 AS f_risk, coalesce(workplace_rating >= 3, false)
    AS f_workplace_conflict, silent >= 7 AS f_no_checkin_7d,
    silent >= 3 AND silent < 7 AS f_no_checkin_3d, low_rtw_se AS f_low_rtw_se,
    measure_overdue AS f_measure_overdue, p7 > 0 AND 2000 * c7 < 999 * p7 AS f_low_adherence,
    open > 0 AS f_booster_open, follow > 0 AS f_follow_up_due, joint_due AS f_joint_meeting_due,
    next_meeting_at IS NOT NULL AS f_dialogue_meeting_soon, review_due AS f_review_due,
    coalesce(status_check_on <= today, false) AS f_status_check_due
  FROM rows
),
page AS (SELECT * FROM flagged ORDER BY {{order}} LIMIT $6),
{_adherence("a28", "page", 28)}
SELECT f.*, coalesce(a28.p, 0) AS p28, coalesce(a28.c, 0) AS c28, wk.*,
  (SELECT count(*) FROM work_goals g WHERE g.patient_id = f.id AND g.status = 'reached'
    AND g.reached_on BETWEEN f.today - 27 AND f.today) AS goals_reached,
  (SELECT max(g.reached_on) FROM work_goals g WHERE g.patient_id = f.id
    AND g.status = 'reached' AND g.reached_on BETWEEN f.today - 27 AND f.today)
    AS last_goal_reached_on,
  (SELECT json_object_agg(m.measure, json_build_object('score', m.last,
     'change_from_first', round((m.last - m.first)::numeric, 6)))
   FROM (SELECT DISTINCT r.measure,
       first_value(r.score) OVER (PARTITION BY r.measure ORDER BY r.answered_at DESC, r.id DESC)
         AS last,
       first_value(r.score) OVER (PARTITION BY r.measure ORDER BY r.answered_at, r.id) AS first
     FROM measure_responses r WHERE r.patient_id = f.id) m) AS measures
FROM page f LEFT JOIN a28 ON a28.patient_id = f.id CROSS JOIN LATERAL (
  SELECT to_char(m, 'IYYY-"W"IW') AS week, m AS week_start,
    CASE WHEN wd > 0 THEN floor(worked * 500 / (agreed * 60 * wd) + 0.5)::int END AS actual,
    CASE WHEN wd > 0 THEN (2 * weighted + wd) / (2 * wd) END AS planned,
    recorded = weekdays AS complete
  FROM (
    SELECT k.m, max(k.agreed) AS agreed,
      count(*) FILTER (WHERE k.dow <= 5 AND k.pct > 0) AS weekdays,
      count(*) FILTER (WHERE k.dow <= 5 AND k.pct > 0 AND NOT k.off) AS wd,
      count(*) FILTER (WHERE k.dow <= 5 AND k.pct > 0
                       AND (k.has_entry OR NOT k.work_day)) AS recorded,
      coalesce(sum(k.minutes) FILTER (WHERE k.pct > 0), 0) AS worked,
      coalesce(sum(100 - k.pct) FILTER (WHERE k.dow <= 5 AND k.pct > 0 AND NOT k.off), 0)
        AS weighted
    FROM (
      SELECT date_trunc('week', f.today)::date - 7 AS m, g.d,
        extract(isodow FROM g.d)::int AS dow, (r.body->>'agreed_weekly_hours')::numeric AS agreed,
        to_char(g.d, 'fmdy') IN (SELECT json_array_elements_text(r.body->'work_days'))
          AS work_day,
        coalesce(st.pct, 0) AS pct,
        e.patient_id IS NOT NULL AS has_entry, coalesce(e.day_type IN ('vacation', 'leave'),
        false) AS off, coalesce(e.worked_minutes, 0) AS minutes
      FROM rtw_plans r
      CROSS JOIN generate_series(date_trunc('week', f.today) - interval '7 days',
                                 date_trunc('week', f.today) - interval '1 day',
                                 interval '1 day') g(d)
      -- the stage in force on the day, read once per day (not once per use of pct)
      LEFT JOIN LATERAL (SELECT (s->>'sick_leave_percent')::int AS pct
        FROM json_array_elements(r.body->'stages') s WHERE (s->>'starts_on')::date <= g.d
        ORDER BY (s->>'starts_on')::date DESC LIMIT 1) st ON true
      LEFT JOIN work_diary_entries e ON e.patient_id = r.patient_id AND e.local_date = g.d
      WHERE r.patient_id = f.id) k
    GROUP BY k.m) t
  UNION ALL
  SELECT to_char(date_trunc('week', f.today) - interval '7 days', 'IYYY-"W"IW'),
    (date_trunc('week', f.today) - interval '7 days')::date, NULL, NULL, true
  WHERE NOT EXISTS (SELECT 1 FROM rtw_plans r WHERE r.patient_id = f.id)
) wk
ORDER BY {{order}}
"""

ORDER_FLAGS = (
    "f_risk DESC, overdue > 0 DESC, oldest_at, f_workplace_conflict DESC, "
    "f_no_checkin_7d DESC, f_no_checkin_3d DESC, f_low_rtw_se DESC, f_measure_overdue DESC, "
    "f_low_adherence DESC, f_booster_open DESC, f_follow_up_due DESC, "
    "f_joint_meeting_due DESC, f_dialogue_meeting_soon DESC, f_review_due DESC, "
    'f_status_check_due DESC, lower(display_name) COLLATE "C", id'
)

ACCESS = (
    "INSERT INTO access_log (id, patient_id, reader_id, reader_role, reader_name, kind, records,"
    " request_id, created_at) SELECT gen_random_uuid(), x, $2, 'therapist', $3, 'worklist', 1,"
    " 'floor', now() FROM unnest($1::uuid[]) x"
)

# "today": each assignment active today with its target and what is done (rules 4-5 and
# `Progress`), in one statement with the other home-screen facts.
TODAY = """
WITH t AS (SELECT u.id, (now() AT TIME ZONE u.timezone)::date AS today FROM users u
           WHERE u.id = $1),
act AS (
  SELECT a.id, a.exercise_kind, a.worry_time, t.today, ds.times_per_day, ds.times_per_week
  FROM t JOIN exercise_assignments a ON a.patient_id = t.id AND a.starts_on <= t.today
   AND (a.ends_on IS NULL OR a.ends_on >= t.today)
  JOIN LATERAL (SELECT times_per_day, times_per_week, paused FROM assignment_doses
    WHERE assignment_id = a.id AND effective_from <= t.today
    ORDER BY effective_from DESC LIMIT 1) ds ON NOT ds.paused
),
wk AS (
  SELECT act.id, g.d::date AS d, ds.times_per_week AS w,
    (SELECT count(*) FROM exercise_logs l WHERE l.patient_id = $1 AND l.local_date = g.d
      AND (l.assignment_id = act.id OR (l.assignment_id IS NULL
      AND l.exercise_kind = act.exercise_kind))) AS c
  FROM act JOIN exercise_assignments a ON a.id = act.id
  CROSS JOIN LATERAL generate_series(date_trunc('week', act.today),
    date_trunc('week', act.today) + interval '6 days', interval '1 day') g(d)
  JOIN LATERAL (SELECT times_per_day, times_per_week, paused FROM assignment_doses
    WHERE assignment_id = act.id AND effective_from <= g.d
    ORDER BY effective_from DESC LIMIT 1) ds ON NOT ds.paused
  WHERE g.d >= a.starts_on AND (a.ends_on IS NULL OR g.d <= a.ends_on)
)
SELECT t.today,
  (SELECT max(local_date) FROM checkins c WHERE c.patient_id = $1) = t.today AS checkin_done,
  (SELECT json_agg(json_build_object(
     'id', act.id, 'exercise_kind', act.exercise_kind,
     'period', CASE WHEN act.times_per_day IS NOT NULL THEN 'day' ELSE 'week' END,
     'prescribed', coalesce(act.times_per_day,
        (SELECT (2 * coalesce(sum(w), 0) + 7) / 14 FROM wk WHERE wk.id = act.id)),
     'done', CASE WHEN act.times_per_day IS NOT NULL THEN (SELECT c FROM wk
        WHERE wk.id = act.id AND wk.d = act.today) ELSE (SELECT coalesce(sum(c), 0) FROM wk
        WHERE wk.id = act.id AND wk.d <= act.today AND w IS NOT NULL) END,
     'worry_time', to_char(act.worry_time, 'HH24:MI')) ORDER BY act.id) FROM act) AS items,
  (SELECT extract(isodow FROM t.today)::int IN (SELECT 1 + array_position(
     ARRAY['mon','tue','wed','thu','fri','sat','sun'], x)
     FROM json_array_elements_text(r.body->'work_days') x)
     AND EXISTS (SELECT 1 FROM json_array_elements(r.body->'stages') s
                 WHERE (s->>'starts_on')::date <= t.today)
   FROM rtw_plans r WHERE r.patient_id = $1) AS work_day,
  EXISTS (SELECT 1 FROM work_diary_entries e WHERE e.patient_id = $1
          AND e.local_date = t.today) AS diary_done,
  (SELECT json_agg(json_build_object('id', f.id, 'months', f.months, 'due_on', f.due_on)
     ORDER BY f.due_on, f.months) FROM follow_ups f WHERE f.patient_id = $1
     AND f.status = 'pending' AND f.due_on <= t.today) AS follow_ups,
  (SELECT count(*) FROM booster_requests b WHERE b.patient_id = $1
     AND b.status = 'open') AS open,
  (SELECT count(*) FROM booster_requests b WHERE b.patient_id = $1
     AND b.status = 'scheduled') AS scheduled
FROM t
"""
