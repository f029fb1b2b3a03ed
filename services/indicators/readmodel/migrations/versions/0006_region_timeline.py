"""Each region's timeline (region_day, region_span) and its plans' submissions; the read model projected again
from sequence 1 to fill them

Past days, the monthly history and lineage are read from the timeline instead of replaying event_log, and
region_plan names the event of each plan's submission. Both are filled as events are applied, so a read
model from before is emptied here and the projector builds it again (a bulk load), as `ogi rebuild` would.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

DERIVED = (
    "event_log",
    "region_status",
    "region_training",
    "region_plan",
    "indicator_count",
    "quarantined_event",
    "tlog_node",
    "projection_checkpoint",
)


def upgrade() -> None:
    for table in DERIVED:
        op.execute(f"DELETE FROM {table}")
    with op.batch_alter_table("region_plan") as plan:
        plan.add_column(sa.Column("seq", sa.BigInteger(), nullable=False))
        plan.add_column(sa.Column("event_id", sa.String(length=36), nullable=False))
    op.create_table(
        "region_day",
        sa.Column("region_code", sa.String(length=8), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("standing", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("region_code", "day"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "region_span",
        sa.Column("region_code", sa.String(length=8), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("indicator", sa.String(length=16), nullable=False),
        sa.Column("from_day", sa.Date(), nullable=False),
        sa.Column("to_day", sa.Date(), nullable=True),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("region_code", "scope", "indicator", "from_day"),
    )
    op.create_index("ix_region_span_count", "region_span", ["scope", "indicator", "from_day"])
    op.create_table("region_timeline_stale", sa.Column("region_code", sa.String(length=8), nullable=False), sa.PrimaryKeyConstraint("region_code"))


def downgrade() -> None:
    op.drop_table("region_timeline_stale")
    op.drop_index("ix_region_span_count", table_name="region_span")
    op.drop_table("region_span")
    op.drop_table("region_day")
    with op.batch_alter_table("region_plan") as plan:
        plan.drop_column("event_id")
        plan.drop_column("seq")
