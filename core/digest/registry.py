"""The digest sections, in the order a digest shows them. Adding a section is one module in
core/digest/sections/ listed here, plus its view function in bot/views/digest_notice.py."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import ModuleType

from core.digest.facts import SectionFacts
from core.digest.inputs import DigestInputs
from core.digest.sections import chart, movers, news, overview, predictions


@dataclass(frozen=True, slots=True)
class Section:
    name: str
    needs: frozenset[str]  # core.digest.inputs names it reads
    facts: type[SectionFacts]
    compose: Callable[[DigestInputs, Sequence[str], datetime], SectionFacts | None]


def _section(module: ModuleType, facts: type[SectionFacts]) -> Section:
    return Section(module.NAME, frozenset(module.NEEDS), facts, module.compose)


SECTIONS: tuple[Section, ...] = (
    _section(overview, overview.OverviewFacts),
    _section(movers, movers.MoversFacts),
    _section(news, news.NewsFacts),
    _section(predictions, predictions.PredictionsFacts),
    _section(chart, chart.ChartFacts),
)
BY_NAME: dict[str, Section] = {s.name: s for s in SECTIONS}
NAMES: tuple[str, ...] = tuple(BY_NAME)
FACTS: dict[str, type[SectionFacts]] = {s.name: s.facts for s in SECTIONS}
DEFAULT: tuple[str, ...] = ("overview", "movers", "news", "predictions")  # chart off


def ordered(names: Iterable[str]) -> tuple[str, ...]:
    """`names` that are sections, once each, in the digest's order (unknown ones dropped)."""
    present = set(names)
    return tuple(name for name in NAMES if name in present)


def needs(names: Iterable[str]) -> frozenset[str]:
    """What the sections `names` read, together."""
    return frozenset().union(*(BY_NAME[n].needs for n in names if n in BY_NAME))
