"""Our additions to VADER's lexicon for crypto and market headlines.

VADER looks up single lower-cased tokens (it does not stem), so every inflection that matters is
listed. Its scale is a mean human rating from -4 to +4: for reference it already has
good 1.9, gain 2.4, gains 1.4, profit 1.9, strong 2.3, bad -2.5, crash -1.7, losses -1.7,
scam -2.7, fraud -2.8, bankrupt -2.6. A word's weight here says how strongly a headline using it
moves an investor, not how emotional the word is; each group says why it has its weight.
"""

from __future__ import annotations


def _forms(weight: float, *words: str) -> dict[str, float]:
    return dict.fromkeys(words, weight)


CRYPTO_LEXICON: dict[str, float] = {
    # A market's stance said outright: as strong as "optimistic"/"pessimistic" (±1.3-1.5) and a
    # little more, since in a headline it is the whole point.
    **_forms(2.0, "bullish"),
    **_forms(-2.0, "bearish"),
    # The sides, not a stance: "bulls eye $50K" leans up, "bears take control" down, mildly.
    **_forms(0.8, "bull", "bulls"),
    **_forms(-0.8, "bear", "bears"),
    # Strong price rises: VADER has none of these verbs; "soar" is stronger than "rally".
    **_forms(1.8, "rally", "rallies", "rallied", "rallying", "surge", "surges", "surged"),
    **_forms(1.8, "surging", "skyrocket", "skyrockets", "skyrocketed", "skyrocketing"),
    **_forms(2.2, "soar", "soars", "soared", "soaring", "moon", "mooning", "moons"),
    # Plain rises and recoveries: a direction, weaker than a rally.
    **_forms(1.0, "rise", "rises", "rose", "risen", "rising", "climb", "climbs", "climbed"),
    **_forms(1.2, "jump", "jumps", "jumped", "spike", "spikes", "spiked", "gained"),
    **_forms(1.3, "rebound", "rebounds", "rebounded", "recover", "recovers", "recovered"),
    **_forms(1.3, "recovery", "breakout", "outperform", "outperforms", "outperformed"),
    # A new all-time high is the best price news there is.
    **_forms(2.3, "ath"),
    # Plain falls: a direction, as "drop" (-1.1) already is.
    **_forms(-1.0, "fall", "falls", "fell", "fallen", "falling", "drops", "dropped"),
    **_forms(-1.0, "slip", "slips", "slipped", "dip", "dips", "dipped", "declines"),
    **_forms(-1.0, "declined", "declining", "retreat", "retreats", "retreated"),
    # Strong falls: as "crash" and beyond; a plunge is a crash in a headline's words.
    **_forms(-1.8, "slump", "slumps", "slumped", "tumble", "tumbles", "tumbled", "tumbling"),
    **_forms(-1.8, "sink", "sinks", "sank", "dive", "dives", "dived", "selloff", "sell-off"),
    **_forms(-1.5, "underperform", "underperforms", "underperformed", "downgrade"),
    **_forms(-2.2, "plunge", "plunges", "plunged", "plunging", "plummet", "plummets"),
    **_forms(-2.2, "plummeted", "crashes", "crashed", "crashing", "capitulation"),
    **_forms(-2.5, "crash", "rekt"),  # a crash in crypto wipes people out: more than -1.7
    # Forced selling: liquidations are losses taken by someone, usually on a fall.
    **_forms(-1.5, "liquidated", "liquidation", "liquidations"),
    # Money into or out of funds and exchanges: a flow, milder than a price move.
    **_forms(1.2, "inflow", "inflows"),
    **_forms(-1.2, "outflow", "outflows"),
    # Theft: money gone for good; as "stolen" (-2.2). In crypto "exploit" is a theft, not
    # VADER's mild "make use of" (-0.4).
    **_forms(-2.2, "hack", "hacks", "hacked", "hacker", "hackers", "exploit", "exploits"),
    **_forms(-2.2, "exploited", "exploiter", "drained", "phishing", "malware", "theft"),
    # Fraud: as "scam" and "fraud" (-2.7, -2.8).
    **_forms(-2.8, "rugpull", "ponzi", "scammer", "scammers", "scams"),
    **_forms(-1.5, "rug"),  # nearly always "rug pull" in crypto, but a rug is also a rug
    # Insolvency: as "bankrupt" (-2.6); a stablecoin losing its peg is as grave.
    **_forms(-2.6, "bankruptcy", "insolvent", "insolvency", "depeg", "depegs", "depegged"),
    # Access taken away: delisting and bans cut a coin's market (as "ban", -2.6).
    **_forms(-1.8, "delist", "delists", "delisted", "delisting", "crackdown"),
    **_forms(-2.2, "bans", "outlawed"),
    **_forms(-1.2, "halt", "halts", "halted", "suspends", "suspended"),
    # Legal trouble: a cost and a cloud, not yet a loss (VADER: lawsuit -0.9).
    **_forms(-1.5, "sue", "sues", "sued", "probe", "probes", "subpoena", "indicted"),
    # Approval, listing on a new exchange, adoption: doors opening (as "approves" 1.7).
    **_forms(1.7, "approve", "approving", "greenlights", "greenlit", "legalizes"),
    **_forms(1.7, "legalize", "legalized"),
    **_forms(1.2, "adoption", "adopts", "partnership", "upgrade", "upgraded", "lists"),
}
