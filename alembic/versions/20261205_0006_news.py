"""news: stories, their publishers' items, feed state and the sentiment index

A story is one row of `news_articles` however many publishers carry it; each publisher's item
is a `news_coverage` row (its canonical URL unique), so a story knows how many publishers
carried it. Stories carry both sentiment models' scores and the scorer's version. Each feed's
validators (ETag, Last-Modified) and back-off live in `news_feeds`; the sentiment index of each
asset (NULL: the whole market) per time bucket in `sentiment_index`.

Nothing ever wrote the old news tables, so they are dropped and made anew.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 16:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("news_asset_tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_news_asset_tags_asset_id"))
    op.drop_table("news_asset_tags")
    with op.batch_alter_table("news_articles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_news_articles_published_at"))
    op.drop_table("news_articles")

    op.create_table(
        "news_articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("url", sa.String(length=1024), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("title_key", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("published_at", db.types.UTCDateTime(), nullable=False),
        sa.Column("fetched_at", db.types.UTCDateTime(), nullable=False),
        sa.Column("publishers", sa.Integer(), nullable=False),
        sa.Column("vader_score", sa.Float(), nullable=True),
        sa.Column("model_score", sa.Float(), nullable=True),
        sa.Column("sentiment_label", sa.String(length=16), nullable=True),
        sa.Column("scorer_version", sa.String(length=64), nullable=True),
        sa.Column("scored_at", db.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_news_articles")),
        sa.UniqueConstraint("url", name=op.f("uq_news_articles_url")),
    )
    with op.batch_alter_table("news_articles", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_news_articles_published_at"), ["published_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_news_articles_scored_at"), ["scored_at"], unique=False)

    op.create_table(
        "news_coverage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("publisher", sa.String(length=64), nullable=False),
        sa.Column("url", sa.String(length=1024), nullable=False),
        sa.Column("guid", sa.String(length=1024), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("published_at", db.types.UTCDateTime(), nullable=False),
        sa.Column("fetched_at", db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["news_articles.id"],
            name=op.f("fk_news_coverage_article_id_news_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_news_coverage")),
        sa.UniqueConstraint("url", name=op.f("uq_news_coverage_url")),
    )
    with op.batch_alter_table("news_coverage", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_news_coverage_article_id"), ["article_id"], unique=False)
        batch_op.create_index("ix_news_coverage_publisher_guid", ["publisher", "guid"], unique=False)

    op.create_table(
        "news_asset_tags",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["news_articles.id"],
            name=op.f("fk_news_asset_tags_article_id_news_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["assets.id"],
            name=op.f("fk_news_asset_tags_asset_id_assets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", "asset_id", name=op.f("pk_news_asset_tags")),
    )
    with op.batch_alter_table("news_asset_tags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_news_asset_tags_asset_id"), ["asset_id"], unique=False)

    op.create_table(
        "news_feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=1024), nullable=False),
        sa.Column("publisher", sa.String(length=64), nullable=False),
        sa.Column("etag", sa.String(length=256), nullable=True),
        sa.Column("last_modified", sa.String(length=64), nullable=True),
        sa.Column("last_checked_at", db.types.UTCDateTime(), nullable=True),
        sa.Column("last_ok_at", db.types.UTCDateTime(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("retry_at", db.types.UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=64), nullable=True),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_news_feeds")),
        sa.UniqueConstraint("url", name=op.f("uq_news_feeds_url")),
    )

    op.create_table(
        "sentiment_index",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=True),
        sa.Column("ts", db.types.UTCDateTime(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("stories", sa.Integer(), nullable=False),
        sa.Column("computed_at", db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["assets.id"],
            name=op.f("fk_sentiment_index_asset_id_assets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sentiment_index")),
    )
    op.create_index(
        "uq_sentiment_index_scope_ts",
        "sentiment_index",
        [sa.text("coalesce(asset_id, 0)"), "ts"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("uq_sentiment_index_scope_ts", table_name="sentiment_index")
    op.drop_table("sentiment_index")
    op.drop_table("news_feeds")
    with op.batch_alter_table("news_asset_tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_news_asset_tags_asset_id"))
    op.drop_table("news_asset_tags")
    with op.batch_alter_table("news_coverage", schema=None) as batch_op:
        batch_op.drop_index("ix_news_coverage_publisher_guid")
        batch_op.drop_index(batch_op.f("ix_news_coverage_article_id"))
    op.drop_table("news_coverage")
    with op.batch_alter_table("news_articles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_news_articles_scored_at"))
        batch_op.drop_index(batch_op.f("ix_news_articles_published_at"))
    op.drop_table("news_articles")

    op.create_table(
        "news_articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("url", sa.String(length=1024), nullable=False),
        sa.Column("guid", sa.String(length=1024), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("published_at", db.types.UTCDateTime(), nullable=False),
        sa.Column("fetched_at", db.types.UTCDateTime(), nullable=False),
        sa.Column("sentiment", sa.Float(), nullable=True),
        sa.Column("sentiment_model", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_news_articles")),
        sa.UniqueConstraint("content_hash", name=op.f("uq_news_articles_content_hash")),
        sa.UniqueConstraint("url", name=op.f("uq_news_articles_url")),
    )
    with op.batch_alter_table("news_articles", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_news_articles_published_at"), ["published_at"], unique=False
        )
    op.create_table(
        "news_asset_tags",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["news_articles.id"],
            name=op.f("fk_news_asset_tags_article_id_news_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["assets.id"],
            name=op.f("fk_news_asset_tags_asset_id_assets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", "asset_id", name=op.f("pk_news_asset_tags")),
    )
    with op.batch_alter_table("news_asset_tags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_news_asset_tags_asset_id"), ["asset_id"], unique=False)
