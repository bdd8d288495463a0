"""seed the RTW-SE questionnaire, version 1 (illustrative items written by us)

Revision ID: b7c1d2e3f4a5
Revises: adbfd5c2aaa5
Create Date: 2026-11-23 06:56:00

The validated instrument's item texts are licensed; these items are our own placeholders,
marked illustrative. A clinic loads the licensed texts as a new version with
`mestring load-questionnaire FILE.json`. The data is written out here on purpose: this
migration must not change when application code does.
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = 'b7c1d2e3f4a5'
down_revision: str | None = 'adbfd5c2aaa5'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VERSION_1_ID = uuid.UUID('6a1f3c2e-0b7d-4e59-9c1a-2f4d8e7b5a01')

ITEMS = [
    ('rtw01', 'Jeg tror jeg kommer til å klare å gå tilbake til jobb.',
     'I believe I will manage to go back to work.'),
    ('rtw02', 'Jeg kan takle kravene jobben min stiller.',
     'I can handle the demands my job makes of me.'),
    ('rtw03', 'Jeg kan hindre at bekymringer tar over arbeidsdagen min.',
     'I can keep worries from taking over my working day.'),
    ('rtw04', 'Jeg kan be kolleger eller lederen min om hjelp når jeg trenger det.',
     'I can ask colleagues or my manager for help when I need it.'),
    ('rtw05', 'Jeg klarer å holde oppmerksomheten på arbeidsoppgavene mine.',
     'I can keep my attention on my work tasks.'),
    ('rtw06', 'Jeg kan komme meg gjennom en arbeidsdag selv når jeg er nedfor.',
     'I can get through a working day even when I feel low.'),
    ('rtw07', 'Jeg kan planlegge arbeidet mitt slik at jeg mestrer det.',
     'I can plan my work so that I can manage it.'),
    ('rtw08', 'Jeg kan si fra når arbeidsmengden blir for stor.',
     'I can speak up when the workload becomes too much.'),
    ('rtw09', 'Jeg kan møte tilbakeslag på jobben uten å gi opp.',
     'I can meet setbacks at work without giving up.'),
    ('rtw10', 'Jeg kan fortelle lederen min hva jeg trenger for å kunne jobbe.',
     'I can tell my manager what I need to be able to work.'),
    ('rtw11', 'Jeg kan øke arbeidstiden min gradvis slik planen sier.',
     'I can increase my working hours step by step as planned.'),
]

DEFINITION = {
    'key': 'rtw-se',
    'title': {
        'nb': 'Tro på egen retur til arbeid (illustrerende spørsmål)',
        'en': 'Belief in returning to work (illustrative items)',
    },
    'scale': {
        'min': 1,
        'max': 6,
        'labels': {
            'nb': {'1': 'Helt uenig', '2': 'Uenig', '3': 'Litt uenig',
                   '4': 'Litt enig', '5': 'Enig', '6': 'Helt enig'},
            'en': {'1': 'Totally disagree', '2': 'Disagree', '3': 'Somewhat disagree',
                   '4': 'Somewhat agree', '5': 'Agree', '6': 'Totally agree'},
        },
    },
    'items': [
        {'id': item_id, 'text': {'nb': nb, 'en': en}, 'reverse': False}
        for item_id, nb, en in ITEMS
    ],
    'metadata': {
        'illustrative': True,
        'source': 'Written by the Mestring team as placeholders; not the validated '
                  'RTW self-efficacy instrument.',
        'licence': None,
    },
}


def upgrade() -> None:
    table = sa.table(
        'questionnaire_versions',
        sa.column('id', sa.Uuid()),
        sa.column('key', sa.String()),
        sa.column('version', sa.Integer()),
        sa.column('definition', sa.JSON()),
        sa.column('created_at', sa.DateTime(timezone=True)),
    )
    op.bulk_insert(
        table,
        [
            {
                'id': VERSION_1_ID,
                'key': 'rtw-se',
                'version': 1,
                'definition': DEFINITION,
                'created_at': datetime(2026, 11, 23, 6, 56, tzinfo=UTC),
            }
        ],
    )


def downgrade() -> None:
    for statement in (
        'DELETE FROM checkins WHERE questionnaire_id = :id',
        'DELETE FROM questionnaire_versions WHERE id = :id',
    ):
        op.execute(
            sa.text(statement).bindparams(sa.bindparam('id', VERSION_1_ID, type_=sa.Uuid()))
        )
