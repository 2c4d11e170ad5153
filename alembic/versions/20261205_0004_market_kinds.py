"""spot and perpetual markets apart

`markets.kind`: "spot" or "perp" (a perpetual swap). A perpetual is its own market: its candles
are never mixed with the spot market's, and its price never enters a spot reference price. The
markets stored so far are all spot (the importer and the exchanges' feeds only knew spot).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 12:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("markets", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=8), nullable=False, server_default="spot")
        )


def downgrade() -> None:
    with op.batch_alter_table("markets", schema=None) as batch_op:
        batch_op.drop_column("kind")
