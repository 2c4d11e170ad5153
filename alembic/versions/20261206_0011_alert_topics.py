"""alerts post into the forum topic they were set in; a group's alerts read by chat

`alerts.thread_id`: the forum topic of a group where an admin set the alert (None: the chat
itself); a fired alert goes back into that topic. `ix_alerts_chat_id`: a group's alerts are
listed and counted by chat (a person's by user id, already indexed).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 03:40:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("thread_id", sa.BigInteger(), nullable=True))
        batch_op.create_index("ix_alerts_chat_id", ["chat_id"])


def downgrade() -> None:
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index("ix_alerts_chat_id")
        batch_op.drop_column("thread_id")
