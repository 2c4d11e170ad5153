"""Sentiment scoring throughput: headlines/s of VADER (with our crypto lexicon), of the encoder
(the int8 ONNX model scoring beside VADER) and of the TF-IDF light model, in one process and in
two (the machine's 2 cores), and what loading each costs a fresh process.

    .venv/bin/python bench/bench_sentiment.py [--headlines N] [--batch N]

Headlines are the real ones in data/sentiment (the crypto dev set's titles and PhraseBank's
sentences), cycled up to N. The load figures are a fresh process's first `load_scorers()` (the
imports, VADER's lexicon, the model read and checked against its probes): seconds, and the
resident memory it added (RSS after − RSS before; best of 3). The encoder runs each text alone on
one thread (so a headline's score does not depend on its neighbours); a batch is a list of texts
per call. Aim: the workers' batch of 256 headlines scored well under the minute between runs.
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workers.sentiment import Scorers, load_scorers  # noqa: E402
from workers.sentiment.files import read_labelled  # noqa: E402
from workers.sentiment.scorers import ENCODER_DIR, MODEL_FILE  # noqa: E402
from workers.sentiment.train import CRYPTO_DEV, PHRASEBANK  # noqa: E402

LOAD = """
import json, sys, time
from pathlib import Path
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
before, t = rss(), time.perf_counter()
from workers.sentiment import load_scorers
load_scorers(Path(sys.argv[1]))
print(json.dumps([time.perf_counter() - t, rss() - before]))
"""
MODELS = {"encoder": ENCODER_DIR, "light": MODEL_FILE}


def headlines(count: int) -> list[str]:
    texts = read_labelled(CRYPTO_DEV).texts
    texts += read_labelled(PHRASEBANK["PhraseBank 50Agree"], "phrasebank").texts
    return list(itertools.islice(itertools.cycle(texts), count))


def _scorers(which: str) -> Scorers:
    return load_scorers(MODELS["light" if which == "light" else "encoder"])


def _time(which: str, texts: list[str]) -> float:
    scorers = _scorers(which)
    start = time.perf_counter()
    if which == "vader":
        scorers.vader.compound(texts)
    elif which in ("encoder", "light"):
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
    for which in ("encoder", "light"):
        _scorers(which).score(["warm up"] * 10)


def two_processes(pool: ProcessPoolExecutor, which: str, texts: list[str], batch: int) -> float:
    list(pool.map(_time, [which, which], [texts[:10]] * 2))  # both workers up and loaded
    chunks = [texts[i : i + batch] for i in range(0, len(texts), batch)]
    start = time.perf_counter()
    list(pool.map(_time, [which] * len(chunks), chunks))
    return len(texts) / (time.perf_counter() - start)


def load_cost(path: Path) -> tuple[float, float]:
    runs = [
        json.loads(subprocess.run([sys.executable, "-c", LOAD, str(path)], cwd=ROOT,
                                  capture_output=True, text=True, check=True).stdout)
        for _ in range(3)
    ]  # fmt: skip
    return min(r[0] for r in runs), min(r[1] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--headlines", type=int, default=3_000)
    parser.add_argument("--batch", type=int, default=256, help="texts per call (the workers')")
    args = parser.parse_args()
    size = (ENCODER_DIR / "model.onnx").stat().st_size
    print(f"encoder: {ENCODER_DIR.name}/model.onnx {size / 2**20:.1f} MiB (int8)")
    for name, path in MODELS.items():
        seconds, rss = load_cost(path)
        print(f"load_scorers() with the {name} in a fresh process: {seconds:.2f} s, "
              f"+{rss / 2**20:.0f} MiB RSS (best of 3)")  # fmt: skip
    texts = headlines(args.headlines)
    print(f"{len(texts):,} headlines, {args.batch:,} per call; headlines/s:")
    with ProcessPoolExecutor(2, initializer=_warm) as pool:
        for which, name in (("vader", "VADER + lexicon"), ("encoder", "encoder (int8)"),
                            ("light", "TF-IDF light"), ("both", "score() (both)")):  # fmt: skip
            alone = one_process(which, texts, args.batch)
            pair = two_processes(pool, which, texts, args.batch)
            print(f"  {name:<16} 1 process {alone:>9,.0f}   2 processes {pair:>9,.0f}")
    batch = texts[:256]
    spent = _time("both", batch)
    print(f"the workers' batch of 256 headlines through score(), one process: {spent:.2f} s")


if __name__ == "__main__":
    main()
