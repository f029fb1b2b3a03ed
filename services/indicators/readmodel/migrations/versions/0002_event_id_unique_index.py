"""event_log's event_id unique by a named index instead of a table constraint

A named index can be dropped and made again, which a constraint written into SQLite's CREATE TABLE cannot:
a projector filling an empty read model from a long stream drops event_log's indexes and builds them once
at the end (see services/indicators/projector.py).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# PostgreSQL's name for 0001's unnamed constraint; SQLite keeps none, and is given the table as 0001 made
# it (copy_from), the constraint named so that batch mode can leave it out of the copy.
UNIQUE_CONSTRAINT = "event_log_event_id_key"
UNIQUE_INDEX = "ux_event_log_event_id"


def _event_log_0001(unique_name: str) -> sa.Table:
    return sa.Table(
        "event_log",
        sa.MetaData(),
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("event_type", sa.String(length=32), nullable=False),
        sa.Column("region_code", sa.String(length=8), nullable=False),
        sa.Column("ministry", sa.String(length=16), nullable=False),
        sa.Column("reported_by", sa.String(length=16), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submission_id", sa.String(length=64), nullable=False),
        sa.Column("plan_id", sa.String(length=64), nullable=True),
        sa.Column("trace_id", sa.String(length=32), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("event_id", name=unique_name),
        sa.Index("ix_event_log_region_seq", "region_code", "seq"),
        sa.Index("ix_event_log_type_occurred", "event_type", "occurred_on"),
    )


def upgrade() -> None:
    with op.batch_alter_table("event_log", copy_from=_event_log_0001(UNIQUE_CONSTRAINT)) as batch_op:
        batch_op.drop_constraint(UNIQUE_CONSTRAINT, type_="unique")
        batch_op.create_index(UNIQUE_INDEX, ["event_id"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("event_log") as batch_op:
        batch_op.drop_index(UNIQUE_INDEX)
        batch_op.create_unique_constraint(UNIQUE_CONSTRAINT, ["event_id"])
