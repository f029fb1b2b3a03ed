"""event_log's data of TrainingCompleted and PlanSubmitted as schema version 2 reads it

The projector stores each event's data as it reads it, at its type's current version: a version-1 event
read now gains `"evidence": []` (shared/contracts/versions.py). Rows projected before version 2 existed
hold the version-1 data; they are given the same, so that the read model stays equal to a rebuild.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

GAINED_EVIDENCE = "('TrainingCompleted', 'PlanSubmitted')"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # data is `json`, which keeps its text; jsonb only for the merge (it orders the keys its own way).
        op.execute(
            "UPDATE event_log SET data = (data::jsonb || '{\"evidence\": []}'::jsonb)::json"
            f" WHERE event_type IN {GAINED_EVIDENCE} AND data->'evidence' IS NULL"
        )
    else:
        op.execute(
            "UPDATE event_log SET data = json_insert(data, '$.evidence', json('[]'))"
            f" WHERE event_type IN {GAINED_EVIDENCE} AND json_type(data, '$.evidence') IS NULL"
        )


def downgrade() -> None:
    pass  # version-1 code reads event_log's data with the evidence as well: it only reads the fields it knows
