"""hardening: keyed idempotency, sealed answers, back-off, session details, access-log names

Revision ID: f10c1311fbea
Revises: a1dfffeeb3ff
Create Date: 2026-12-01 14:24:27.277512

Data steps, which autogenerate cannot know:
- idempotency_keys written before: their fingerprints (and the owners of anonymous keys) are
  unsalted SHA-256 digests of bodies that may hold a password, and their answers may hold an
  invitation code. Anonymous rows go; the others keep owner and key (a retry is still
  recognised and creates nothing) but lose fingerprint and answer, so a retry of them answers
  409 `idempotency_answer_expired`.
- access_log.reader_name is filled from the reader's current name (the best there is for rows
  written before names were kept). The append-only triggers are lifted for that one UPDATE.
- Columns are added with plain ALTER TABLE (no batch copy on SQLite, which would drop the
  access log's triggers); NOT NULL ones carry a server default on SQLite, which cannot drop it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = 'f10c1311fbea'
down_revision: str | None = 'a1dfffeeb3ff'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_NO_UPDATE = (
    "CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log "
    "BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END"
)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table('throttle_backoffs',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('blocked_until', sa.BigInteger(), nullable=False),
    sa.Column('expires_at', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_throttle_backoffs'))
    )
    op.create_index(op.f('ix_throttle_backoffs_expires_at'), 'throttle_backoffs', ['expires_at'], unique=False)

    op.add_column('access_log', sa.Column('reader_name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False, server_default=''))
    op.add_column('access_log', sa.Column('client_request_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    if dialect == "postgresql":
        op.execute("ALTER TABLE access_log DISABLE TRIGGER access_log_append_only")
    else:
        op.execute("DROP TRIGGER access_log_no_update")
    op.execute(
        "UPDATE access_log SET reader_name = "
        "(SELECT display_name FROM users WHERE users.id = access_log.reader_id)"
    )
    if dialect == "postgresql":
        op.execute("ALTER TABLE access_log ENABLE TRIGGER access_log_append_only")
        op.alter_column('access_log', 'reader_name', server_default=None)
    else:
        op.execute(SQLITE_NO_UPDATE)

    op.add_column('auth_sessions', sa.Column('device_label', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True))
    op.add_column('auth_sessions', sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True))

    op.add_column('idempotency_keys', sa.Column('sealed', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column('idempotency_keys', sa.Column('answer_expires_at', sa.DateTime(timezone=True), nullable=True))
    op.create_index(op.f('ix_idempotency_keys_answer_expires_at'), 'idempotency_keys', ['answer_expires_at'], unique=False)
    if dialect == "postgresql":
        op.alter_column('idempotency_keys', 'sealed', server_default=None)
    keys = sa.table(
        'idempotency_keys',
        sa.column('owner', sa.String()),
        sa.column('fingerprint', sa.String()),
        sa.column('status_code', sa.Integer()),
        sa.column('response_body', sa.Text()),
        sa.column('answer_expires_at', sa.DateTime(timezone=True)),
        sa.column('created_at', sa.DateTime(timezone=True)),
    )
    op.execute(keys.delete().where(keys.c.owner.like('anon:%')))
    op.execute(
        keys.update().values(
            fingerprint='',
            response_body=None,
            answer_expires_at=sa.case(
                (keys.c.status_code.is_not(None), keys.c.created_at), else_=None
            ),
        )
    )


def downgrade() -> None:
    op.drop_index(op.f('ix_idempotency_keys_answer_expires_at'), table_name='idempotency_keys')
    # Plain DROP COLUMN (PostgreSQL, SQLite 3.35+): no batch copy, so triggers stay.
    op.execute("ALTER TABLE idempotency_keys DROP COLUMN answer_expires_at")
    op.execute("ALTER TABLE idempotency_keys DROP COLUMN sealed")
    op.execute("ALTER TABLE auth_sessions DROP COLUMN last_used_at")
    op.execute("ALTER TABLE auth_sessions DROP COLUMN device_label")
    op.execute("ALTER TABLE access_log DROP COLUMN client_request_id")
    op.execute("ALTER TABLE access_log DROP COLUMN reader_name")
    op.drop_index(op.f('ix_throttle_backoffs_expires_at'), table_name='throttle_backoffs')
    op.drop_table('throttle_backoffs')
