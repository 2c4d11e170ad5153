"""Sentiment scoring throughput: headlines/s of VADER (with our crypto lexicon) and of the light
model, in one process and in two (the machine's 2 cores), and the time to load both.

    .venv/bin/python bench/bench_sentiment.py [--headlines N] [--batch N]

Headlines are the real ones in data/sentiment (the crypto dev set's titles and PhraseBank's
sentences), cycled up to N. The load time is a fresh process's first `load_scorers()`: the
imports, VADER's lexicon and the model file read and checked against its probes. Aim: 1,000
headlines scored by both models well under a second.
"""

from __future__ import annotations

import argparse
import itertools
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workers.sentiment import load_scorers  # noqa: E402
from workers.sentiment.files import read_labelled  # noqa: E402
from workers.sentiment.train import CRYPTO_DEV, PHRASEBANK  # noqa: E402

LOAD = "import time; t = time.perf_counter(); from workers.sentiment import load_scorers; "
LOAD += "load_scorers(); print(time.perf_counter() - t)"


def headlines(count: int) -> list[str]:
    texts = read_labelled(CRYPTO_DEV).texts
    texts += read_labelled(PHRASEBANK["PhraseBank 50Agree"], "phrasebank").texts
    return list(itertools.islice(itertools.cycle(texts), count))


def _time(which: str, texts: list[str]) -> float:
    scorers = load_scorers()
    start = time.perf_counter()
    if which == "vader":
        scorers.vader.compound(texts)
    elif which == "light":
        scorers.model.probabilities(texts)
    else:
        scorers.score(texts)
    return time.perf_counter() - start


def one_process(which: str, texts: list[str], batch: int) -> float:
    _time(which, texts[:batch])  # warm
    spent = sum(_time(which, texts[i : i + batch]) for i in range(0, len(texts), batch))
    return len(texts) / spent


def _warm() -> None:
    """Each worker loads the models before anything is timed."""
    scorers = load_scorers()
    scorers.score(["warm up"] * 10)


def two_processes(pool: ProcessPoolExecutor, which: str, texts: list[str], batch: int) -> float:
    list(pool.map(_time, [which, which], [texts[:10]] * 2))  # both workers up and loaded
    chunks = [texts[i : i + batch] for i in range(0, len(texts), batch)]
    start = time.perf_counter()
    list(pool.map(_time, [which] * len(chunks), chunks))
    return len(texts) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--headlines", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=1_000, help="texts per score() call")
    args = parser.parse_args()
    loads = [
        float(subprocess.run([sys.executable, "-c", LOAD], cwd=ROOT, capture_output=True,
                             text=True, check=True).stdout)
        for _ in range(3)
    ]  # fmt: skip
    print(f"load_scorers() in a fresh process: {min(loads):.2f} s (best of 3)")
    texts = headlines(args.headlines)
    print(f"{len(texts):,} headlines, {args.batch:,} per call; headlines/s:")
    with ProcessPoolExecutor(2, initializer=_warm) as pool:
        for which, name in (("vader", "VADER + lexicon"), ("light", "light model"),
                            ("both", "score() (both)")):  # fmt: skip
            alone = one_process(which, texts, args.batch)
            pair = two_processes(pool, which, texts, args.batch)
            print(f"  {name:<16} 1 process {alone:>9,.0f}   2 processes {pair:>9,.0f}")
    per_thousand = 1000 / one_process("both", texts[:5000], 1000)
    print(f"1,000 headlines through score(), one process: {per_thousand * 1000:.0f} ms")


if __name__ == "__main__":
    main()
