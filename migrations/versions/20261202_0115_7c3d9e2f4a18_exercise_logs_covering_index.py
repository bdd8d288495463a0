"""exercise logs: the patient/date index covers assignment and kind

Revision ID: 7c3d9e2f4a18
Revises: 5b1e0c9a7d21
Create Date: 2026-12-02 01:15:00

Adherence in SQL (issue 12) reads every log of a caseload's window to count it per
assignment and day: with assignment_id and exercise_kind in the (patient_id, local_date)
index, PostgreSQL answers that with one index-only scan per patient instead of a sequential
scan of the whole table. SQLite has no INCLUDE; its index stays as it is.
"""

from collections.abc import Sequence

from alembic import op

revision: str = '7c3d9e2f4a18'
down_revision: str | None = '5b1e0c9a7d21'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = 'ix_exercise_logs_patient_local_date'


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.drop_index(NAME, table_name='exercise_logs')
    op.create_index(
        NAME,
        'exercise_logs',
        ['patient_id', 'local_date'],
        postgresql_include=['assignment_id', 'exercise_kind'],
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.drop_index(NAME, table_name='exercise_logs')
    op.create_index(NAME, 'exercise_logs', ['patient_id', 'local_date'])
