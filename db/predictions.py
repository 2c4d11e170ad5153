"""The predictions table: what Pythia forecast, kept and judged. Kept apart from db.models,
which imports it (and re-exports `Prediction`): the schema is whole wherever the models are."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.models import Base


class Prediction(Base):
    """A forecast made public; resolved against the price when its horizon passes.

    One row per asset x horizon per `made_at` (the close of the last hourly candle used).
    `served` is "model" (a champion's calibrated P(up)) or "base_rate" ("no edge found": `prob_up`
    is the base rate of the rejected model named by `model_id`). `model_id` becomes NULL only if
    its registry row is deleted: the live record outlives pruned models. `q10`/`q90` are forward
    return fractions; `drivers` a list of [feature, value, push]; `base_rate` what the prediction
    is judged against (its model's training share of ups, known when it was made). Resolution
    sets `outcome_price`, `outcome_return`, `went_up` and `correct` = (prob_up >= 0.5) == went_up.
    """

    __tablename__ = "predictions"

    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[int | None] = mapped_column(
        ForeignKey("model_registry.id", ondelete="SET NULL")
    )
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"))
    horizon: Mapped[str] = mapped_column(String(8))
    made_at: Mapped[datetime]
    target_at: Mapped[datetime] = mapped_column(index=True)
    reference_price: Mapped[Decimal]
    prob_up: Mapped[float] = mapped_column(Float)  # a probability, not money
    predicted_return: Mapped[float | None] = mapped_column(Float)
    served: Mapped[str] = mapped_column(String(16), default="model", server_default="model")
    q10: Mapped[float | None] = mapped_column(Float)
    q90: Mapped[float | None] = mapped_column(Float)
    drivers: Mapped[list[Any]] = mapped_column(JSON, default=list, server_default="[]")
    base_rate: Mapped[float | None] = mapped_column(Float)  # judged against this once resolved
    resolved_at: Mapped[datetime | None]
    outcome_price: Mapped[Decimal | None]
    outcome_return: Mapped[float | None] = mapped_column(Float)
    went_up: Mapped[bool | None] = mapped_column(Boolean)
    correct: Mapped[bool | None] = mapped_column(Boolean)

    __table_args__ = (
        UniqueConstraint("asset_id", "horizon", "made_at"),
        CheckConstraint("served IN ('model', 'base_rate')", name="served"),
    )
