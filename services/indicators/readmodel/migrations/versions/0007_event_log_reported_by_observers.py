"""event_log.reported_by holds an observer's id too (contract 1.1: up to 32 characters)

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("event_log") as log:
        log.alter_column("reported_by", type_=sa.String(length=32), existing_type=sa.String(length=16), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("event_log") as log:
        log.alter_column("reported_by", type_=sa.String(length=16), existing_type=sa.String(length=32), existing_nullable=False)
