"""Claims and their states (claim), and the verified counts; the read model projected again from sequence 1

The verified counts are kept in region_span and region_day like every count, and region_day's standing names
the verified trainings and plans: both are filled as events are applied, so a read model from before is
emptied here and the projector builds it again (a bulk load), as `ogi rebuild` would.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

DERIVED = (
    "event_log",
    "region_status",
    "region_training",
    "region_plan",
    "region_day",
    "region_span",
    "region_timeline_stale",
    "indicator_count",
    "quarantined_event",
    "tlog_node",
    "projection_checkpoint",
)


def upgrade() -> None:
    for table in DERIVED:
        op.execute(f"DELETE FROM {table}")
    op.create_table(
        "claim",
        sa.Column("claim_event_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("region_code", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("ministry", sa.String(length=16), nullable=False),
        sa.Column("plan_id", sa.String(length=64), nullable=True),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("state_since", sa.Date(), nullable=False),
        sa.Column("verified_seq", sa.BigInteger(), nullable=True),
        sa.Column("verified_event_id", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("claim_event_id"),
    )
    op.create_index("ux_claim_seq", "claim", ["seq"], unique=True)
    op.create_index("ix_claim_state_seq", "claim", ["state", "seq"])


def downgrade() -> None:
    op.drop_index("ix_claim_state_seq", table_name="claim")
    op.drop_index("ux_claim_seq", table_name="claim")
    op.drop_table("claim")
