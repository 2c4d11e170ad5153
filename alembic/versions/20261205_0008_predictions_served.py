"""predictions served by a model or by the base rate, with their range, drivers and outcome

One prediction per asset x horizon per hour (`made_at`): the unique key moves from
(model_id, made_at) to (asset_id, horizon, made_at), so publishing twice writes nothing.
`served` says whether a champion model answered ("model") or the base rate did ("base_rate",
"no edge found"); `q10`/`q90` hold the 10-90 % range of the forward return; `drivers` the three
features that pushed most ([feature, value, push]). Resolution adds `went_up` and
`outcome_return`. `model_id` becomes nullable and SET NULL on delete, so pruning the registry
keeps the live record.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 23:50:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("predictions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("served", sa.String(length=16), nullable=False, server_default="model")
        )
        batch_op.add_column(sa.Column("q10", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("q90", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("drivers", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("outcome_return", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("went_up", sa.Boolean(), nullable=True))
        batch_op.alter_column("model_id", existing_type=sa.Integer(), nullable=True)
        batch_op.drop_constraint("uq_predictions_model_id_made_at", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_predictions_asset_id_horizon_made_at"),
            ["asset_id", "horizon", "made_at"],
        )
        batch_op.drop_constraint("fk_predictions_model_id_model_registry", type_="foreignkey")
        batch_op.create_foreign_key(
            batch_op.f("fk_predictions_model_id_model_registry"),
            "model_registry",
            ["model_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_check_constraint("served", "served IN ('model', 'base_rate')")


def downgrade() -> None:
    op.execute("DELETE FROM predictions WHERE model_id IS NULL")
    with op.batch_alter_table("predictions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_predictions_served"), type_="check")
        batch_op.drop_constraint("fk_predictions_model_id_model_registry", type_="foreignkey")
        batch_op.create_foreign_key(
            batch_op.f("fk_predictions_model_id_model_registry"),
            "model_registry",
            ["model_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.drop_constraint("uq_predictions_asset_id_horizon_made_at", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_predictions_model_id_made_at"), ["model_id", "made_at"]
        )
        batch_op.alter_column("model_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("went_up")
        batch_op.drop_column("outcome_return")
        batch_op.drop_column("drivers")
        batch_op.drop_column("q90")
        batch_op.drop_column("q10")
        batch_op.drop_column("served")
