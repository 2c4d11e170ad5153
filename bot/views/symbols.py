"""One line about whatever someone typed that is not a coin Pythia can show."""

from __future__ import annotations

from collections.abc import Sequence

from bot.views.common import clip, e
from core.symbols import SymbolProblem


def _names(items: Sequence[str]) -> str:
    items = [e(i) for i in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def problems_line(
    problems: Sequence[SymbolProblem], examples: Sequence[str], exchanges: Sequence[str] = ()
) -> str:
    """Unknown or malformed symbols (with guesses), and coins no followed exchange trades."""
    sentences = []
    unlisted = [p for p in problems if p.reason == "unlisted"]
    if unlisted:
        coins = _names([clip(p.text).upper() for p in unlisted])
        verb = "isn't" if len(unlisted) == 1 else "aren't"
        sentences.append(f"{coins} {verb} traded on {_names(exchanges) or 'any exchange I follow'}")
    unknown = [p for p in problems if p.reason != "unlisted"]
    if unknown:
        shown = unknown[:3]
        parts = []
        for problem in shown:
            text = f"<code>{e(clip(problem.text))}</code>"
            if problem.suggestions:
                text += " (did you mean " + " or ".join(e(s) for s in problem.suggestions) + "?)"
            parts.append(text)
        more = f" and {len(unknown) - 3} more" if len(unknown) > 3 else ""
        unknown_only = all(p.reason == "unknown" for p in unknown)
        if len(unknown) == 1:
            lead = "Unknown symbol" if unknown_only else "Not a coin I know"
        else:
            lead = "Unknown symbols" if unknown_only else "Not coins I know"
        hint = ""
        if not any(p.suggestions for p in shown):
            hint = " — try " + ", ".join(e(s) for s in examples[:4])
        sentences.append(f"{lead}: {', '.join(parts)}{more}{hint}")
    return ". ".join(sentences) + "." if sentences else ""
