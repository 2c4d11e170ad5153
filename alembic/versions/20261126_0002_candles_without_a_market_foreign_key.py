"""candles without a market foreign key

Postgres checked the foreign key once per candle, which cost more than storing the candle;
`save_candles` now checks the market once per save (see db.models.Candle).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 15:03:38.367049+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("candles", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_candles_market_id_markets"), type_="foreignkey")


def downgrade() -> None:
    # candles of a market deleted meanwhile would refuse the key: they go, as CASCADE would have
    op.execute(sa.text("DELETE FROM candles WHERE market_id NOT IN (SELECT id FROM markets)"))
    with op.batch_alter_table("candles", schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_candles_market_id_markets"),
            "markets",
            ["market_id"],
            ["id"],
            ondelete="CASCADE",
        )
