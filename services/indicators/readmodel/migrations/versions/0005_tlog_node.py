"""tlog_node: the transparency log's tree; the read model projected again from sequence 1 to fill it

The tree has a leaf for every event the read model has applied, so a read model from before the tree
existed is emptied here: the projector then builds every table, the tree with them, from sequence 1 (a
bulk load), as `ogi rebuild` would.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

DERIVED = ("event_log", "region_status", "region_training", "region_plan", "indicator_count", "quarantined_event", "projection_checkpoint")


def upgrade() -> None:
    op.create_table(
        "tlog_node",
        sa.Column("level", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("level", "idx"),
        sqlite_with_rowid=False,
    )
    for table in DERIVED:
        op.execute(f"DELETE FROM {table}")


def downgrade() -> None:
    op.drop_table("tlog_node")
