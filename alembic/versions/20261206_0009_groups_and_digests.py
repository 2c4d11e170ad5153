"""groups, channels and digest schedules

`chats` learns a language (groups and channels: what Pythia posts in), who set Pythia up there
(told when the bot is removed), why and since when it is paused, and, for a group upgraded to a
supergroup, the supergroup's id. `digest_subscriptions` learns the forum topic it posts into and
its next run time (UTC; the singleton digest job claims rows whose time has come).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 03:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("chats", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("set_up_by", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("paused_reason", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("paused_at", db.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("migrated_to", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("digest_subscriptions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("thread_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("next_run_at", db.types.UTCDateTime(), nullable=True))
        batch_op.create_index("ix_digest_subscriptions_due", ["active", "next_run_at"])


def downgrade() -> None:
    with op.batch_alter_table("digest_subscriptions", schema=None) as batch_op:
        batch_op.drop_index("ix_digest_subscriptions_due")
        batch_op.drop_column("next_run_at")
        batch_op.drop_column("thread_id")
    with op.batch_alter_table("chats", schema=None) as batch_op:
        batch_op.drop_column("migrated_to")
        batch_op.drop_column("paused_at")
        batch_op.drop_column("paused_reason")
        batch_op.drop_column("set_up_by")
        batch_op.drop_column("language")
