"""predictions: the base rate each is judged against, so the live record is summed in SQL

The live record scores each resolved prediction against the base rate of the model that served
it; it was looked up in the registry's metrics JSON for every row, in Python, so a year of
hourly predictions (184,000 rows) took seconds to score. Stored with the prediction now (it is
known when the prediction is made); existing rows get their model's, and those whose model is
gone the rule the record used: a base-rate answer's own P(up), else 0.5.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 06:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

registry = sa.table("model_registry", sa.column("id", sa.Integer), sa.column("metrics", sa.JSON))
predictions = sa.table(
    "predictions",
    sa.column("model_id", sa.Integer),
    sa.column("base_rate", sa.Float),
    sa.column("prob_up", sa.Float),
    sa.column("served", sa.String),
)


def _base_rate(metrics: object) -> float | None:
    """The training window's share of ups in a registry row's metrics (as services read it)."""
    if not isinstance(metrics, dict):
        return None
    base = metrics.get("base_rate")
    if base is None:
        base = ((metrics.get("walk_forward") or {}).get("base_rate") or {}).get("base_rate")
    return None if base is None else float(base)


def upgrade() -> None:
    with op.batch_alter_table("predictions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("base_rate", sa.Float(), nullable=True))
    bind = op.get_bind()
    for model_id, metrics in bind.execute(sa.select(registry.c.id, registry.c.metrics)):
        rate = _base_rate(metrics)
        if rate is not None:
            bind.execute(
                predictions.update()
                .where(predictions.c.model_id == model_id)
                .values(base_rate=rate)
            )
    unset = predictions.c.base_rate.is_(None)
    bind.execute(
        predictions.update()
        .where(unset, predictions.c.served == "base_rate")
        .values(base_rate=predictions.c.prob_up)
    )
    bind.execute(predictions.update().where(unset).values(base_rate=0.5))


def downgrade() -> None:
    with op.batch_alter_table("predictions", schema=None) as batch_op:
        batch_op.drop_column("base_rate")
