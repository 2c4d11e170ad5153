"""staged trades: large imports written in batches, recorded at once

A file's trades are written to `staged_trades` in short transactions while the person reads
the preview, and their Confirm moves them into `trades` with one INSERT … SELECT — so an
import of thousands of trades never holds the database (SQLite's one writer) for long, and no
ledger ever sees part of one.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 13:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staged_trades",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("side", sa.String(length=4), nullable=False),
        sa.Column("quantity", db.types.ExactDecimal(), nullable=False),
        sa.Column("price", db.types.ExactDecimal(), nullable=False),
        sa.Column("fee", db.types.ExactDecimal(), nullable=False),
        sa.Column("quote_currency", sa.String(length=10), nullable=False),
        sa.Column("executed_at", db.types.UTCDateTime(), nullable=False),
        sa.Column("staged_at", db.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staged_trades")),
    )
    with op.batch_alter_table("staged_trades", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staged_trades_batch"), ["batch"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_staged_trades_staged_at"), ["staged_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("staged_trades", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staged_trades_staged_at"))
        batch_op.drop_index(batch_op.f("ix_staged_trades_batch"))
    op.drop_table("staged_trades")
