"""queue claims: inbox backoff, claims with a lease on both queues, head-row indexes

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.tables

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = db.tables.TZDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_attempt_at", WHEN, nullable=True))
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("lease_until", WHEN, nullable=True))
        batch_op.drop_index("ix_inbox_pending")
        batch_op.create_index(
            "ix_inbox_pending", ["done_at", "channel", "chat_key", "id"], unique=False
        )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("lease_until", WHEN, nullable=True))
        batch_op.drop_index("ix_outbox_pending")
        batch_op.create_index(
            "ix_outbox_pending", ["sent_at", "failed_at", "channel", "chat_id", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_pending")
        batch_op.create_index(
            "ix_outbox_pending", ["sent_at", "failed_at", "next_attempt_at"], unique=False
        )
        batch_op.drop_column("lease_until")
        batch_op.drop_column("claimed_by")
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.drop_index("ix_inbox_pending")
        batch_op.create_index("ix_inbox_pending", ["done_at", "id"], unique=False)
        batch_op.drop_column("lease_until")
        batch_op.drop_column("claimed_by")
        batch_op.drop_column("next_attempt_at")
