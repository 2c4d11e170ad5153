"""A digest's facts from what services read: each chosen section composed, in order."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from core.digest.facts import DigestFacts
from core.digest.inputs import DigestInputs
from core.digest.registry import BY_NAME, ordered


def compose(
    inputs: DigestInputs, sections: Iterable[str], coins: Sequence[str], at: datetime
) -> DigestFacts:
    """The facts of `sections` (in the registry's order; unknown names ignored) for `coins`
    as of `at` (aware). A section with nothing to say is left out."""
    if at.tzinfo is None:
        raise ValueError("at must be timezone-aware")
    wanted = tuple(dict.fromkeys(c.upper() for c in coins))
    found = []
    for name in ordered(sections):
        facts = BY_NAME[name].compose(inputs, wanted, at)
        if facts is not None:
            found.append(facts)
    return DigestFacts(at=at, coins=wanted, sections=tuple(found))
