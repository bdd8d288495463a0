"""seed PHQ-9 and GAD-7, version 1 (structure and scoring; item labels written by us)

Revision ID: 3c5e7a9b1d20
Revises: f10c1311fbea
Create Date: 2026-12-01 14:15:00

Both instruments are free to use, but their official wording and validated translations come
from the official source, so version 1 carries our own short labels, marked illustrative. A
clinic loads the official wording as version 2 with `mestring load-questionnaire FILE.json`
(README). The data is written out here on purpose: this migration must not change when
application code does (app/instruments/definitions/ holds the same text as files to start from;
a test checks the two agree).
"""

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = '3c5e7a9b1d20'
down_revision: str | None = 'f10c1311fbea'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PHQ9_V1_ID = uuid.UUID('9e0b6c1a-3f2d-4c8e-8a51-7d2f0e4b9c11')
GAD7_V1_ID = uuid.UUID('2b7d4e90-6a1c-4f3b-9e82-5c0a1d3f7e22')

PHQ9 = json.loads(r"""
{
    "key": "phq9",
    "title": {
        "nb": "PHQ-9 (illustrerende tekster)",
        "en": "PHQ-9 (illustrative labels)"
    },
    "instructions": {
        "nb": "Hvor ofte de siste 14 dagene? (illustrerende tekster; se metadata)",
        "en": "How often in the last 14 days? (illustrative labels; see metadata)"
    },
    "scale": {
        "min": 0,
        "max": 3,
        "labels": {
            "nb": {
                "0": "Ingen dager",
                "1": "Noen dager",
                "2": "De fleste dager",
                "3": "Nesten hver dag"
            },
            "en": {
                "0": "Not on any day",
                "1": "On some days",
                "2": "On most days",
                "3": "Almost every day"
            }
        }
    },
    "domains": [],
    "items": [
        {
            "id": "phq9_1",
            "text": {
                "nb": "Mistet interesse eller glede",
                "en": "Lost interest or enjoyment"
            },
            "reverse": false,
            "domain": null
        },
        {
            "id": "phq9_2",
            "text": {
                "nb": "Nedstemthet",
                "en": "Low mood"
            },
            "reverse": false,
            "domain": null
        },
        {
            "id": "phq9_3",
            "text": {
                "nb": "Søvnvansker",
                "en": "Sleep trouble"
            },
            "reverse": false,
            "domain": null
        },
        {
            "id": "phq9_4",
            "text": {
                "nb": "Lite energi",
                "en": "Lack of energy"
            },
            "reverse": false,
            "domain": null
        },
        {
            "id": "phq9_5",
            "text": {
                "nb": "Endret matlyst",
                "en": "Changed appetite"
            },
            "reverse": false,
            "domain": null
        },
        {
            "id": "phq9_6",
            "text": {
                "nb": "Negativt syn på deg selv",
                "en": "A harsh view of yourself"
            },
            "reverse": false,
            "domain": null
        },
        {
            "id": "phq9_7",
            "text": {
                "nb": "Vansker med å konsentrere deg",
                "en": "Difficulty focusing"
            },
            "reverse": false,
            "domain": null
        },
        {
            "id": "phq9_8",
            "text": {
                "nb": "Treg eller urolig i kroppen",
                "en": "Slowed down, or unusually restless"
            },
            "reverse": false,
            "domain": null
        },
        {
            "id": "phq9_9",
            "text": {
                "nb": "Tanker om død eller om å skade deg selv",
                "en": "Thoughts of death or of harming yourself"
            },
            "reverse": false,
            "domain": null
        }
    ],
    "scoring": {
        "method": "sum",
        "per_domain": null
    },
    "bands": [
        {
            "id": "minimal",
            "min": 0.0,
            "label": {
                "nb": "Minimalt",
                "en": "Minimal"
            }
        },
        {
            "id": "mild",
            "min": 5.0,
            "label": {
                "nb": "Mildt",
                "en": "Mild"
            }
        },
        {
            "id": "moderate",
            "min": 10.0,
            "label": {
                "nb": "Moderat",
                "en": "Moderate"
            }
        },
        {
            "id": "moderately_severe",
            "min": 15.0,
            "label": {
                "nb": "Moderat til alvorlig",
                "en": "Moderately severe"
            }
        },
        {
            "id": "severe",
            "min": 20.0,
            "label": {
                "nb": "Alvorlig",
                "en": "Severe"
            }
        }
    ],
    "alerts": [
        {
            "id": "self_harm",
            "items": [
                "phq9_9"
            ],
            "at_least": 1
        }
    ],
    "highlight_at_least": null,
    "metadata": {
        "illustrative": true,
        "source": "Structure and scoring of the Patient Health Questionnaire (PHQ-9); the short item labels are written by the Mestring team as placeholders, not the official wording.",
        "licence": "Free to use. Load the official wording and the validated Norwegian translation as a new version with `mestring load-questionnaire`."
    }
}
""")

GAD7 = json.loads(r"""
{
    "key": "gad7",
    "title": {
        "nb": "GAD-7 (illustrerende tekster)",
        "en": "GAD-7 (illustrative labels)"
    },
    "instructions": {
        "nb": "Hvor ofte de siste 14 dagene? (illustrerende tekster; se metadata)",
        "en": "How often in the last 14 days? (illustrative labels; see metadata)"
    },
    "scale": {
        "min": 0,
        "max": 3,
        "labels": {
            "nb": {
                "0": "Ingen dager",
                "1": "Noen dager",
                "2": "De fleste dager",
                "3": "Nesten hver dag"
            },
            "en": {
                "0": "Not on any day",
                "1": "On some days",
                "2": "On most days",
                "3": "Almost every day"
            }
        }
    },
    "domains": [],
    "items": [
        {
            "id": "gad7_1",
            "text": {
                "nb": "Nervøsitet eller anspenthet",
                "en": "Nervousness or tension"
            },
            "reverse": false,
            "domain": null
        },
        {
            "id": "gad7_2",
            "text": {
                "nb": "Bekymring som er vanskelig å stoppe",
                "en": "Worry that is hard to stop"
            },
            "reverse": false,
            "domain": null
        },
        {
            "id": "gad7_3",
            "text": {
                "nb": "Bekymring for mange ting",
                "en": "Worrying about many things"
            },
            "reverse": false,
            "domain": null
        },
        {
            "id": "gad7_4",
            "text": {
                "nb": "Vanskelig å slappe av",
                "en": "Hard to relax"
            },
            "reverse": false,
            "domain": null
        },
        {
            "id": "gad7_5",
            "text": {
                "nb": "Rastløshet",
                "en": "Restlessness"
            },
            "reverse": false,
            "domain": null
        },
        {
            "id": "gad7_6",
            "text": {
                "nb": "Irritabilitet",
                "en": "Irritability"
            },
            "reverse": false,
            "domain": null
        },
        {
            "id": "gad7_7",
            "text": {
                "nb": "Frykt for at noe ille skal skje",
                "en": "A sense that something bad will happen"
            },
            "reverse": false,
            "domain": null
        }
    ],
    "scoring": {
        "method": "sum",
        "per_domain": null
    },
    "bands": [
        {
            "id": "minimal",
            "min": 0.0,
            "label": {
                "nb": "Minimalt",
                "en": "Minimal"
            }
        },
        {
            "id": "mild",
            "min": 5.0,
            "label": {
                "nb": "Mildt",
                "en": "Mild"
            }
        },
        {
            "id": "moderate",
            "min": 10.0,
            "label": {
                "nb": "Moderat",
                "en": "Moderate"
            }
        },
        {
            "id": "severe",
            "min": 15.0,
            "label": {
                "nb": "Alvorlig",
                "en": "Severe"
            }
        }
    ],
    "alerts": [],
    "highlight_at_least": null,
    "metadata": {
        "illustrative": true,
        "source": "Structure and scoring of the Generalized Anxiety Disorder scale (GAD-7); the short item labels are written by the Mestring team as placeholders, not the official wording.",
        "licence": "Free to use. Load the official wording and the validated Norwegian translation as a new version with `mestring load-questionnaire`."
    }
}
""")


def upgrade() -> None:
    table = sa.table(
        'questionnaire_versions',
        sa.column('id', sa.Uuid()),
        sa.column('key', sa.String()),
        sa.column('version', sa.Integer()),
        sa.column('definition', sa.JSON()),
        sa.column('created_at', sa.DateTime(timezone=True)),
    )
    at = datetime(2026, 12, 1, 14, 15, tzinfo=UTC)
    op.bulk_insert(
        table,
        [
            {'id': PHQ9_V1_ID, 'key': 'phq9', 'version': 1, 'definition': PHQ9, 'created_at': at},
            {'id': GAD7_V1_ID, 'key': 'gad7', 'version': 1, 'definition': GAD7, 'created_at': at},
        ],
    )


def downgrade() -> None:
    # Every version of the two, also those a clinic loaded (the measures' own tables, which
    # refer to them, were dropped by the next migration's downgrade).
    op.execute(sa.text("DELETE FROM questionnaire_versions WHERE key IN ('phq9', 'gad7')"))
