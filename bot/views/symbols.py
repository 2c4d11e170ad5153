"""One line about whatever someone typed that is not a coin Pythia can show."""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import Texts
from bot.views.common import clip, e
from bot.views.refusals import says
from core.symbols import SymbolProblem

REPLAY = "replay"  # the sandbox's market, as services name it among the exchanges


def exchange_names(t: Texts, exchanges: Sequence[str]) -> str:
    """binance, coinbase or kraken; the sandbox's replay by its description."""
    names = [t._("the sandbox replay") if x == REPLAY else e(x) for x in exchanges]
    return t.or_list(names) if names else t._("any exchange I follow")


def problems_line(
    t: Texts,
    problems: Sequence[SymbolProblem],
    examples: Sequence[str],
    exchanges: Sequence[str] = (),
) -> str:
    """Unknown or malformed symbols (with guesses), and coins no followed exchange trades."""
    sentences = []
    unlisted = [p for p in problems if p.reason == "unlisted"]
    if unlisted:
        coins = t.and_list(e(clip(p.text).upper()) for p in unlisted)
        sentences.append(
            t.ngettext(
                "{coins} isn't traded on {exchanges}.",
                "{coins} aren't traded on {exchanges}.",
                len(unlisted),
                coins=coins,
                exchanges=exchange_names(t, exchanges),
            )
        )
    unknown = [p for p in problems if p.reason != "unlisted"]
    if unknown:
        sentences.append(_unknown(t, unknown, examples))
    return " ".join(sentences)


@says("coins.unknown")
def _coins_unknown(
    t: Texts,
    problems: Sequence[SymbolProblem],
    examples: Sequence[str],
    exchanges: Sequence[str],
) -> str:
    """Refusal coins.unknown: a command that takes only coins was given something else."""
    return problems_line(t, problems, examples, exchanges)


def _unknown(t: Texts, unknown: Sequence[SymbolProblem], examples: Sequence[str]) -> str:
    shown = unknown[:3]
    parts = []
    for problem in shown:
        text = f"<code>{e(clip(problem.text))}</code>"
        if problem.suggestions:
            guesses = t.or_list(e(s) for s in problem.suggestions)
            text += " " + t._("(did you mean {guesses}?)", guesses=guesses)
        parts.append(text)
    listed = ", ".join(parts)
    if len(unknown) > 3:
        listed = t._("{listed} and {count} more", listed=listed, count=t.number(len(unknown) - 3))
    if all(p.reason == "unknown" for p in unknown):
        line = t.ngettext(
            "Unknown symbol: {listed}.", "Unknown symbols: {listed}.", len(unknown), listed=listed
        )
    else:
        line = t.ngettext(
            "Not a coin I know: {listed}.",
            "Not coins I know: {listed}.",
            len(unknown),
            listed=listed,
        )
    if not any(p.suggestions for p in shown):
        line += " " + t._("Try {examples}.", examples=", ".join(e(s) for s in examples[:4]))
    return line
