"""news follows: the coins whose important news a person wants pushed, and what was pushed

`news_follows` holds a person's followed coins (/follow news BTC); `news_pushes` one row per
story pushed to a person, so a story never goes to anyone twice and a person's pushes in the
last 24 hours can be counted (at most a few a day).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 21:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "news_follows",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("created_at", db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["assets.id"],
            name=op.f("fk_news_follows_asset_id_assets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_news_follows_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "asset_id", name=op.f("pk_news_follows")),
    )
    with op.batch_alter_table("news_follows", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_news_follows_asset_id"), ["asset_id"], unique=False)
    op.create_table(
        "news_pushes",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("pushed_at", db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["news_articles.id"],
            name=op.f("fk_news_pushes_article_id_news_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_news_pushes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "article_id", name=op.f("pk_news_pushes")),
    )
    with op.batch_alter_table("news_pushes", schema=None) as batch_op:
        batch_op.create_index("ix_news_pushes_user_pushed", ["user_id", "pushed_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("news_pushes", schema=None) as batch_op:
        batch_op.drop_index("ix_news_pushes_user_pushed")
    op.drop_table("news_pushes")
    with op.batch_alter_table("news_follows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_news_follows_asset_id"))
    op.drop_table("news_follows")
