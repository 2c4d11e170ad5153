"""people's languages and pending actions in the database

`users.language`: the language Pythia speaks to a person, taken from Telegram's language_code at
first contact (existing people: theirs now, if Pythia speaks it) and changed with /language.
`pending_actions`: confirmations answered once through a conditional update, where a cache
key with a lifetime used to keep them.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05 08:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language", sa.String(length=8), nullable=False, server_default="en")
        )
    op.execute(
        sa.text(
            "UPDATE users SET language = lower(substr(language_code, 1, 2)) "
            "WHERE lower(substr(language_code, 1, 2)) IN ('es', 'ru')"
        )
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("language", server_default=None)
    op.create_table(
        "pending_actions",
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", db.types.UTCDateTime(), nullable=False),
        sa.Column("expires_at", db.types.UTCDateTime(), nullable=False),
        sa.Column("answered_at", db.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_pending_actions")),
    )
    with op.batch_alter_table("pending_actions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pending_actions_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_pending_actions_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pending_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pending_actions_user_id"))
        batch_op.drop_index(batch_op.f("ix_pending_actions_expires_at"))
    op.drop_table("pending_actions")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("language")
