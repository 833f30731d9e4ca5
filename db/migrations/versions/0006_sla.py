"""sla: the agency's clock on the ticket, alerts claimed once, each agency's share of the time

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.tables

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = db.tables.TZDateTime(timezone=True)
RUNNING = sa.text("sla_next_at IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sla_clock", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("sla_agency_code", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("sla_running_since", WHEN, nullable=True))
        batch_op.add_column(
            sa.Column("sla_worked_seconds", sa.Float(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("first_response_at", WHEN, nullable=True))
        batch_op.add_column(sa.Column("first_response_due_at", WHEN, nullable=True))
        batch_op.add_column(sa.Column("resolution_due_at", WHEN, nullable=True))
        batch_op.add_column(sa.Column("sla_next_at", WHEN, nullable=True))
        batch_op.create_index(
            "ix_ticket_sla_next",
            ["sla_next_at", "id"],
            unique=False,
            sqlite_where=RUNNING,
            postgresql_where=RUNNING,
        )

    op.create_table(
        "sla_alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("agency_code", sa.String(length=32), nullable=True),
        sa.Column("target", sa.String(length=24), nullable=True),
        sa.Column("clock", sa.Integer(), nullable=True),
        sa.Column("level", sa.String(length=32), nullable=False),
        sa.Column("due_at", WHEN, nullable=True),
        sa.Column("claimed_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("sla_alert", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sla_alert_claimed_at"), ["claimed_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_sla_alert_ticket_id"), ["ticket_id"], unique=False)

    op.create_table(
        "sla_share",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("clock", sa.Integer(), nullable=False),
        sa.Column("agency_code", sa.String(length=32), nullable=False),
        sa.Column("started_at", WHEN, nullable=False),
        sa.Column("first_response_target_seconds", sa.Float(), nullable=False),
        sa.Column("resolution_target_seconds", sa.Float(), nullable=False),
        sa.Column("first_response_seconds", sa.Float(), nullable=True),
        sa.Column("resolution_seconds", sa.Float(), nullable=True),
        sa.Column("resolved_at", WHEN, nullable=True),
        sa.Column("ended_at", WHEN, nullable=True),
        sa.Column("end_reason", sa.String(length=24), nullable=True),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ticket_id", "clock"),
    )
    with op.batch_alter_table("sla_share", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sla_share_started_at"), ["started_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_sla_share_resolved_at"), ["resolved_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sla_share", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sla_share_resolved_at"))
        batch_op.drop_index(batch_op.f("ix_sla_share_started_at"))
    op.drop_table("sla_share")
    with op.batch_alter_table("sla_alert", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sla_alert_ticket_id"))
        batch_op.drop_index(batch_op.f("ix_sla_alert_claimed_at"))
    op.drop_table("sla_alert")
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_index("ix_ticket_sla_next")
        for column in (
            "sla_next_at",
            "resolution_due_at",
            "first_response_due_at",
            "first_response_at",
            "sla_worked_seconds",
            "sla_running_since",
            "sla_agency_code",
            "sla_clock",
        ):
            batch_op.drop_column(column)
