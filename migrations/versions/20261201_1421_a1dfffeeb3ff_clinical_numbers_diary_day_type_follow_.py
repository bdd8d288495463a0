"""clinical numbers: diary day type, follow-up answers, plan return, rumination postponement

Issue 10. Hand-written beyond autogenerate: the check constraints (day types, how a follow-up
was answered, the new exercise kind in both kind checks) and the data:
- follow-ups answered before this revision were answered by the patient in the app;
- `rtw_completions.plan_return_on` is filled from each plan's `full_return_on` (a row is
  added for patients who have a plan with a full return but no therapist record), so the
  follow-ups keep counting from the same date.

Revision ID: a1dfffeeb3ff
Revises: 9079e101f812
Create Date: 2026-12-01 14:21:13.639940
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = 'a1dfffeeb3ff'
down_revision: str | None = '9079e101f812'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


OLD_KINDS = ("worry_postponement", "attention_training", "detached_mindfulness",
             "attentional_refocusing")
NEW_KINDS = ("worry_postponement", "rumination_postponement", "attention_training",
             "detached_mindfulness", "attentional_refocusing")


def _kind_check(kinds: tuple[str, ...]) -> str:
    return "exercise_kind IN (" + ", ".join(f"'{k}'" for k in kinds) + ")"


def _replace_kind_checks(kinds: tuple[str, ...]) -> None:
    for table in ("exercise_assignments", "exercise_logs"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"ck_{table}_exercise_kind"), type_="check")
            batch_op.create_check_constraint("exercise_kind", _kind_check(kinds))


def upgrade() -> None:
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answered_by', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('answered_by_role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
        batch_op.add_column(sa.Column('contacted_by', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_follow_ups_answered_by_users'), 'users', ['answered_by'], ['id'], ondelete='SET NULL')
        batch_op.create_check_constraint(
            "contacted_by",
            "contacted_by IS NULL OR contacted_by IN ('app', 'phone', 'meeting', 'message')",
        )
    op.execute(
        "UPDATE follow_ups SET answered_by = patient_id, answered_by_role = 'patient', "
        "contacted_by = 'app' WHERE status = 'answered'"
    )

    with op.batch_alter_table('rtw_completions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('plan_return_on', sa.Date(), nullable=True))
    op.execute(
        "UPDATE rtw_completions SET plan_return_on = (SELECT p.full_return_on FROM rtw_plans p "
        "WHERE p.patient_id = rtw_completions.patient_id)"
    )
    op.execute(
        "INSERT INTO rtw_completions (patient_id, rtw_completed_on, plan_return_on, source, "
        "updated_by, updated_at) SELECT p.patient_id, NULL, p.full_return_on, 'rtw_plan', NULL, "
        "p.updated_at FROM rtw_plans p WHERE p.full_return_on IS NOT NULL AND NOT EXISTS "
        "(SELECT 1 FROM rtw_completions c WHERE c.patient_id = p.patient_id)"
    )

    with op.batch_alter_table('work_diary_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('day_type', sqlmodel.sql.sqltypes.AutoString(length=16), server_default='work', nullable=False))
        batch_op.create_check_constraint(
            "day_type", "day_type IN ('work', 'vacation', 'leave')"
        )
        batch_op.create_check_constraint(
            "no_hours_on_day_off", "day_type = 'work' OR worked_minutes = 0"
        )

    _replace_kind_checks(NEW_KINDS)


def downgrade() -> None:
    op.execute(
        "DELETE FROM exercise_logs WHERE exercise_kind = 'rumination_postponement'"
    )
    op.execute(
        "DELETE FROM exercise_assignments WHERE exercise_kind = 'rumination_postponement'"
    )
    _replace_kind_checks(OLD_KINDS)

    with op.batch_alter_table('work_diary_entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_work_diary_entries_no_hours_on_day_off"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_work_diary_entries_day_type"), type_="check")
        batch_op.drop_column('day_type')

    op.execute("DELETE FROM rtw_completions WHERE rtw_completed_on IS NULL AND source = 'rtw_plan'")
    with op.batch_alter_table('rtw_completions', schema=None) as batch_op:
        batch_op.drop_column('plan_return_on')

    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_follow_ups_contacted_by"), type_="check")
        batch_op.drop_constraint(batch_op.f('fk_follow_ups_answered_by_users'), type_='foreignkey')
        batch_op.drop_column('contacted_by')
        batch_op.drop_column('answered_by_role')
        batch_op.drop_column('answered_by')
