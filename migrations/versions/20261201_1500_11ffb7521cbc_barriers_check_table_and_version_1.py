"""barriers check: table and version 1 (domains and items written by us, illustrative)

Revision ID: 11ffb7521cbc
Revises: f0f62ba515eb
Create Date: 2026-12-01 15:00:00

The barriers check of work-focused therapy (issue 13) is kept as instrument data like PHQ-9.
Version 1 carries our own illustrative wording in nb and en; a clinic may load its own as
version 2 with `mestring load-questionnaire FILE.json`. The data is written out here on purpose:
this migration must not change when application code does (app/instruments/definitions/
barriers.json holds the same text; a test checks the two agree).
"""

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = '11ffb7521cbc'
down_revision: str | None = 'f0f62ba515eb'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BARRIERS_V1_ID = uuid.UUID('5d1f3a7e-2c4b-4e69-9b08-13a7c6e4f0b3')

BARRIERS = json.loads(r"""
{
    "key": "barriers",
    "title": {
        "nb": "Hva står i veien for å komme tilbake i jobb? (illustrerende tekster)",
        "en": "What stands in the way of returning to work? (illustrative wording)"
    },
    "instructions": {
        "nb": "Hvor mye står hvert av disse i veien for at du kommer tilbake i jobb nå?",
        "en": "How much does each of these stand in the way of your return to work right now?"
    },
    "scale": {
        "min": 0,
        "max": 4,
        "labels": {
            "nb": {
                "0": "Ikke i veien",
                "1": "Litt i veien",
                "2": "Noe i veien",
                "3": "Ganske mye i veien",
                "4": "Svært mye i veien"
            },
            "en": {
                "0": "Not in the way",
                "1": "A little in the way",
                "2": "Somewhat in the way",
                "3": "Quite a lot in the way",
                "4": "Very much in the way"
            }
        }
    },
    "domains": [
        {
            "id": "coping",
            "title": {
                "nb": "Troen på egen mestring i jobb",
                "en": "Belief in coping at work"
            }
        },
        {
            "id": "illness",
            "title": {
                "nb": "Forståelse av egen sykdom",
                "en": "Understanding of the illness"
            }
        },
        {
            "id": "symptoms",
            "title": {
                "nb": "Plager",
                "en": "Symptoms"
            }
        },
        {
            "id": "workplace",
            "title": {
                "nb": "Arbeidsplassen",
                "en": "The workplace"
            }
        },
        {
            "id": "beliefs",
            "title": {
                "nb": "Tanker som holder meg borte",
                "en": "Beliefs that keep me away"
            }
        }
    ],
    "items": [
        {
            "id": "coping_tasks",
            "text": {
                "nb": "Jeg tviler på at jeg klarer arbeidsoppgavene mine",
                "en": "I doubt that I can manage my work tasks"
            },
            "reverse": false,
            "domain": "coping"
        },
        {
            "id": "coping_day",
            "text": {
                "nb": "Jeg tviler på at jeg kommer meg gjennom en arbeidsdag",
                "en": "I doubt that I can get through a working day"
            },
            "reverse": false,
            "domain": "coping"
        },
        {
            "id": "illness_unclear",
            "text": {
                "nb": "Det er vanskelig å forstå hva plagene mine kommer av",
                "en": "It is hard to make sense of what my problems come from"
            },
            "reverse": false,
            "domain": "illness"
        },
        {
            "id": "illness_work_harm",
            "text": {
                "nb": "Jeg er redd for at jobben vil gjøre meg sykere",
                "en": "I am afraid that work will make me more ill"
            },
            "reverse": false,
            "domain": "illness"
        },
        {
            "id": "symptoms_mental",
            "text": {
                "nb": "Bekymring, nedstemthet eller angst",
                "en": "Worry, low mood or anxiety"
            },
            "reverse": false,
            "domain": "symptoms"
        },
        {
            "id": "symptoms_physical",
            "text": {
                "nb": "Tretthet, smerter eller dårlig søvn",
                "en": "Tiredness, pain or poor sleep"
            },
            "reverse": false,
            "domain": "symptoms"
        },
        {
            "id": "manager_dialogue",
            "text": {
                "nb": "Det er vanskelig å snakke med lederen min",
                "en": "It is hard to talk with my manager"
            },
            "reverse": false,
            "domain": "workplace"
        },
        {
            "id": "support",
            "text": {
                "nb": "Jeg får for lite støtte på jobben",
                "en": "I get too little support at work"
            },
            "reverse": false,
            "domain": "workplace"
        },
        {
            "id": "conflict",
            "text": {
                "nb": "Konflikt på arbeidsplassen",
                "en": "Conflict at my workplace"
            },
            "reverse": false,
            "domain": "workplace"
        },
        {
            "id": "harassment",
            "text": {
                "nb": "Trakassering eller mobbing på jobben",
                "en": "Harassment or bullying at work"
            },
            "reverse": false,
            "domain": "workplace"
        },
        {
            "id": "rest_first",
            "text": {
                "nb": "Jeg må hvile til kreftene er tilbake før jeg kan jobbe",
                "en": "I must rest until my energy is back before I can work"
            },
            "reverse": false,
            "domain": "beliefs"
        },
        {
            "id": "lose_face",
            "text": {
                "nb": "Jeg er redd for å ikke yte, tape ansikt eller få kritikk",
                "en": "I fear I will not perform, will lose face or be criticised"
            },
            "reverse": false,
            "domain": "beliefs"
        },
        {
            "id": "function_back",
            "text": {
                "nb": "Jeg tror ikke jeg får tilbake det jeg klarte før",
                "en": "I do not believe I will get back what I could do before"
            },
            "reverse": false,
            "domain": "beliefs"
        },
        {
            "id": "shame",
            "text": {
                "nb": "Jeg skammer meg over å være sykmeldt",
                "en": "I feel ashamed of being on sick leave"
            },
            "reverse": false,
            "domain": "beliefs"
        },
        {
            "id": "always_capable",
            "text": {
                "nb": "Jeg må alltid være den som klarer alt",
                "en": "I must always be the one who copes with everything"
            },
            "reverse": false,
            "domain": "beliefs"
        }
    ],
    "scoring": {
        "method": "mean",
        "per_domain": "mean"
    },
    "bands": [],
    "alerts": [
        {
            "id": "workplace_conflict",
            "items": [
                "conflict",
                "harassment"
            ],
            "at_least": 3
        }
    ],
    "highlight_at_least": 3,
    "metadata": {
        "illustrative": true,
        "source": "Domains after the descriptions of work-focused therapy (coping belief, illness understanding, symptoms, the workplace, beliefs that keep people away from work); every item text is written by the Mestring team as an illustration, not a validated instrument.",
        "licence": "Our own wording, free to change: load a clinic's wording as a new version with `mestring load-questionnaire` (keep the item ids conflict and harassment, the 0-4 scale and the scoring)."
    }
}
""")


def upgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table('barrier_checks',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('patient_id', sa.Uuid(), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('questionnaire_id', sa.Uuid(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('notes', sa.JSON(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('domain_scores', sa.JSON(), nullable=False),
    sa.Column('highlighted', sa.JSON(), nullable=False),
    sa.Column('workplace_rating', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['users.id'], name=op.f('fk_barrier_checks_patient_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['questionnaire_id'], ['questionnaire_versions.id'], name=op.f('fk_barrier_checks_questionnaire_id_questionnaire_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_barrier_checks')),
    sa.UniqueConstraint('patient_id', 'local_date', name=op.f('uq_barrier_checks_patient_id_local_date'))
    )
    # ### end Alembic commands ###
    versions = sa.table(
        'questionnaire_versions',
        sa.column('id', sa.Uuid()),
        sa.column('key', sa.String()),
        sa.column('version', sa.Integer()),
        sa.column('definition', sa.JSON()),
        sa.column('created_at', sa.DateTime(timezone=True)),
    )
    at = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
    op.bulk_insert(
        versions,
        [
            {
                'id': BARRIERS_V1_ID,
                'key': 'barriers',
                'version': 1,
                'definition': BARRIERS,
                'created_at': at,
            }
        ],
    )


def downgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    op.drop_table('barrier_checks')
    # Every version of it, also those a clinic loaded (their checks went with the table).
    op.execute(sa.text("DELETE FROM questionnaire_versions WHERE key = 'barriers'"))
    # ### end Alembic commands ###
