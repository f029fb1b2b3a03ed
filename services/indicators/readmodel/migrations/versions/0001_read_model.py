"""read model

Revision ID: 0001
Revises:
Create Date: 2026-11-27 22:34:08.103329
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "event_log",
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
        sa.UniqueConstraint("event_id"),
    )
    with op.batch_alter_table("event_log", schema=None) as batch_op:
        batch_op.create_index("ix_event_log_region_seq", ["region_code", "seq"], unique=False)
        batch_op.create_index("ix_event_log_type_occurred", ["event_type", "occurred_on"], unique=False)

    op.create_table(
        "indicator_count",
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("indicator", sa.String(length=16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("as_of_seq", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scope", "indicator"),
    )
    op.create_table(
        "projection_checkpoint",
        sa.Column("projection", sa.String(length=64), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("projection"),
    )
    op.create_table(
        "region_plan",
        sa.Column("region_code", sa.String(length=8), nullable=False),
        sa.Column("plan_id", sa.String(length=64), nullable=False),
        sa.Column("ministry", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("sectors", sa.JSON(), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("region_code", "plan_id"),
    )
    op.create_table(
        "region_status",
        sa.Column("region_code", sa.String(length=8), nullable=False),
        sa.Column("enrolled", sa.Boolean(), nullable=False),
        sa.Column("ministry", sa.String(length=16), nullable=False),
        sa.Column("enrolled_on", sa.Date(), nullable=False),
        sa.Column("commitment_letter_on", sa.Date(), nullable=True),
        sa.Column("ppid_established", sa.Boolean(), nullable=True),
        sa.PrimaryKeyConstraint("region_code"),
    )
    op.create_table(
        "region_training",
        sa.Column("region_code", sa.String(length=8), nullable=False),
        sa.Column("ministry", sa.String(length=16), nullable=False),
        sa.Column("first_trained_on", sa.Date(), nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("region_code", "ministry"),
    )


def downgrade() -> None:
    op.drop_table("region_training")
    op.drop_table("region_status")
    op.drop_table("region_plan")
    op.drop_table("projection_checkpoint")
    op.drop_table("indicator_count")
    with op.batch_alter_table("event_log", schema=None) as batch_op:
        batch_op.drop_index("ix_event_log_type_occurred")
        batch_op.drop_index("ix_event_log_region_seq")

    op.drop_table("event_log")
