"""outbox: an index on (status, claimed_until), for the claim's "which chats are being sent to"

Every claim asks which chats have a row claimed right now; without this index that read went
through every pending row (21 ms of a 61 ms claim with 10,000 digests queued, on SQLite).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 04:15:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_outbox_status_claimed_until", "outbox", ["status", "claimed_until"])


def downgrade() -> None:
    op.drop_index("ix_outbox_status_claimed_until", table_name="outbox")
