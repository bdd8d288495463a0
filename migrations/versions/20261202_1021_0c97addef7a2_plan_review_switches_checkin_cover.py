"""rtw plans: stored review switches; checkins: the patient/date key covers the score

Revision ID: 0c97addef7a2
Revises: 7c3d9e2f4a18
Create Date: 2026-12-02 10:21:20.853250

The worklist (issue 12) tested every patient's plan review by walking the plan's stages in
JSON. `rtw_plans.review_switches` holds the days on which the review becomes due or stops
being due (day numbers, ascending): due on a day exactly when an odd number of them are on or
before it. The app writes it with every plan (app.work.reviews.review_switches); here it is
backfilled by a copy of that small computation (`switches` below; a test holds the two
equal), so this migration does not depend on app code that may change later. On SQLite the
column keeps a default of '[]' (SQLite cannot drop a column's default without rebuilding the
table, which would drop its sync triggers); on PostgreSQL it has none.

The check-ins' (patient_id, local_date) key includes the score on PostgreSQL, so the
worklist's last check-in and booster-rule window are index-only reads. SQLite has no INCLUDE.
"""

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0c97addef7a2'
down_revision: str | None = '7c3d9e2f4a18'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SWITCHES = sa.JSON().with_variant(postgresql.ARRAY(sa.Integer()), 'postgresql')
UNIQUE = 'uq_checkins_patient_id_local_date'
EPOCH = date(1970, 1, 1)
REVIEW_AFTER = timedelta(days=14)


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def switches(body: dict[str, Any]) -> list[int]:
    """The review switch days of a stored plan body (app.work.plan.plan_of's review dates,
    app.work.reviews.review_due's rule), as of 2 December 2026.

    A stage's review date is its own, else the plan-level `next_review_on` when that day falls
    in the stage (and it names none), else its start + 14 days. On a day, the review is due
    when the last stage (by position) whose review date has come was not reviewed."""
    stages = body.get('stages') or []
    starts = [date.fromisoformat(stage['starts_on']) for stage in stages]
    reviews = [_day(stage.get('review_on')) for stage in stages]
    plan_review = _day(body.get('next_review_on'))
    if plan_review is not None:
        in_force = None
        for index, starts_on in enumerate(starts):
            if starts_on > plan_review:
                break
            in_force = index
        if in_force is not None and reviews[in_force] is None:
            reviews[in_force] = plan_review
    dates = [review or starts_on + REVIEW_AFTER for review, starts_on in zip(reviews, starts)]
    held = [stage.get('reviewed_on') is not None for stage in stages]

    def due(day: date) -> bool:
        come = [index for index, review in enumerate(dates) if review <= day]
        return bool(come) and not held[come[-1]]

    found: list[int] = []
    state = False
    for day in sorted(set(dates)):
        if due(day) != state:
            state = not state
            found.append((day - EPOCH).days)
    return found


def upgrade() -> None:
    bind = op.get_bind()
    pg = bind.dialect.name == 'postgresql'
    op.add_column(
        'rtw_plans',
        sa.Column(
            'review_switches',
            SWITCHES,
            nullable=pg,
            server_default=None if pg else sa.text("'[]'"),
        ),
    )
    plans = sa.table(
        'rtw_plans',
        sa.column('patient_id', sa.Uuid()),
        sa.column('body', sa.JSON()),
        sa.column('review_switches', SWITCHES),
    )
    rows = bind.execute(sa.select(plans.c.patient_id, plans.c.body)).all()
    if rows:
        bind.execute(
            plans.update()
            .where(plans.c.patient_id == sa.bindparam('pid'))
            .values(review_switches=sa.bindparam('found')),
            [{'pid': row.patient_id, 'found': switches(row.body)} for row in rows],
        )
    if pg:
        op.alter_column('rtw_plans', 'review_switches', nullable=False)
        op.drop_constraint(UNIQUE, 'checkins', type_='unique')
        # (op.create_unique_constraint cannot name an INCLUDE column: its stub table has
        # only the key's columns)
        op.execute(
            f'ALTER TABLE checkins ADD CONSTRAINT {UNIQUE} '
            'UNIQUE (patient_id, local_date) INCLUDE (score)'
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_constraint(UNIQUE, 'checkins', type_='unique')
        op.create_unique_constraint(UNIQUE, 'checkins', ['patient_id', 'local_date'])
    op.drop_column('rtw_plans', 'review_switches')
