"""staff: ticket versions for stale buttons, privacy, merges, ratings, event kinds, followers

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.tables

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = db.tables.TZDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("privacy", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("rating", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("rating_comment", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            "fk_ticket_merged_into_id_ticket", "ticket", ["merged_into_id"], ["id"]
        )
    with op.batch_alter_table("ticket_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column("actor_name", sa.String(length=64), nullable=True))
    op.create_table(
        "ticket_follower",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=128), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(["resident_id"], ["resident.id"]),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ticket_id", "resident_id"),
    )
    with op.batch_alter_table("ticket_follower", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ticket_follower_ticket_id"), ["ticket_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("ticket_follower", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ticket_follower_ticket_id"))
    op.drop_table("ticket_follower")
    with op.batch_alter_table("ticket_event", schema=None) as batch_op:
        batch_op.drop_column("actor_name")
        batch_op.drop_column("kind")
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_constraint("fk_ticket_merged_into_id_ticket", type_="foreignkey")
        batch_op.drop_column("rating_comment")
        batch_op.drop_column("rating")
        batch_op.drop_column("merged_into_id")
        batch_op.drop_column("privacy")
        batch_op.drop_column("version")
