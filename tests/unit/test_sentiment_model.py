"""The shipped models: the encoder (the one scoring beside VADER) loads, reaches its aims on data
it never saw (computed here through the serving path, int8 ONNX, not copied from its card), gives
a headline the same score whatever it is scored with, and a folder that does not fit is refused;
the TF-IDF light model still loads, is reproducible, and a file that does not fit is refused."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from core.sentiment import LABELS, evaluate, map_labels, vader_label
from workers.sentiment import ModelError, Scorers, load_scorers
from workers.sentiment import train as training
from workers.sentiment.encoder import META, MODEL, load_encoder
from workers.sentiment.files import read_labelled
from workers.sentiment.model import load_model
from workers.sentiment.scorers import ENCODER_DIR, MODEL_FILE

TWITTER_AIM = 0.80
PHRASEBANK_AIM = 0.60
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def scorers() -> Scorers:
    return load_scorers()


@pytest.fixture(scope="module")
def light() -> Scorers:
    return Scorers(load_model(MODEL_FILE))


@pytest.fixture(scope="module")
def holdout() -> training.Split:
    return training.holdout_split(training.twitter())[1]


@pytest.fixture(scope="module")
def phrasebank() -> dict[str, training.Split]:
    sets = {}
    for name, path in training.PHRASEBANK.items():
        got = read_labelled(path, "phrasebank")
        sets[name] = training.Split(got.texts, map_labels(got.labels))
    return sets


@pytest.fixture(scope="module")
def labelled_by_encoder(
    scorers: Scorers, holdout: training.Split, phrasebank: dict[str, training.Split]
) -> dict[str, tuple[str, float]]:
    """The encoder's label and VADER's compound of every evaluated text, each scored once
    (AllAgree's sentences are among 50Agree's)."""
    texts = list(
        dict.fromkeys([*holdout.texts, *(t for s in phrasebank.values() for t in s.texts)])
    )
    return {text: (s.label, s.vader) for text, s in zip(texts, scorers.score(texts), strict=True)}


def _macro_f1(
    scored: dict[str, tuple[str, float]], split: training.Split, vader: bool = False
) -> float:
    predicted = [vader_label(scored[t][1]) if vader else scored[t][0] for t in split.texts]
    return evaluate(split.labels, predicted).macro_f1


def test_the_shipped_model_is_the_encoder_small_and_loaded_once_per_process(
    scorers: Scorers,
) -> None:
    assert (ENCODER_DIR / MODEL).stat().st_size < 25 * 2**20
    assert load_scorers() is scorers
    assert scorers.version.startswith("encoder-") and "+vader-" in scorers.version


def test_scores_are_in_range_and_the_label_is_the_likeliest(scorers: Scorers) -> None:
    texts = ["Bitcoin soars to a record high", "Bitcoin plunges 20% as crypto market crashes"]
    texts += ["", "Ξ 🚀 ??"]
    scores = scorers.score(texts)
    assert len(scores) == 4 and scorers.score([]) == []
    probabilities = scorers.model.probabilities(texts)
    for s, p in zip(scores, probabilities, strict=True):
        assert -1 <= s.vader <= 1 and -1 <= s.model <= 1
        assert p.sum() == pytest.approx(1.0)
        assert s.model == pytest.approx(p[2] - p[0])
        assert s.label == LABELS[int(p.argmax())]
    assert (scores[0].label, scores[1].label) == ("positive", "negative")
    assert scores[0].model > 0.5 and scores[1].model < -0.5


def test_a_headline_scores_the_same_alone_beside_others_and_again(scorers: Scorers) -> None:
    texts = [
        "Bitcoin soars to a record high",
        "Ethereum developers schedule the next network upgrade call",
        "Solana outage halts block production for hours https://t.co/x",
    ]
    together = scorers.model.probabilities(texts)
    for i, text in enumerate(texts):
        assert (scorers.model.probabilities([text])[0] == together[i]).all()
    assert (scorers.model.probabilities(texts[::-1])[::-1] == together).all()
    # the link is dropped before the text is read
    assert (
        scorers.model.probabilities([texts[2].removesuffix(" https://t.co/x")]) == together[2]
    ).all()


def test_held_out_tweets_never_trained_on_nor_chosen_on(holdout: training.Split) -> None:
    from workers.sentiment.encoder_train import validation_split

    inside = training.holdout_split(training.twitter())[0]
    fit, validation = validation_split(inside)
    assert len(holdout.texts) == 1909 and len(validation.texts) + len(fit.texts) == 7634
    seen = set(inside.texts)
    assert not any(text in seen for text in holdout.texts if text)


@pytest.mark.parametrize("name", sorted(training.PHRASEBANK))
def test_the_encoder_reaches_its_aim_on_phrasebank_it_never_saw(
    labelled_by_encoder: dict[str, tuple[str, float]],
    phrasebank: dict[str, training.Split],
    name: str,
) -> None:
    split = phrasebank[name]
    model = _macro_f1(labelled_by_encoder, split)
    assert model >= PHRASEBANK_AIM
    assert model > _macro_f1(labelled_by_encoder, split, vader=True) + 0.05


def test_the_encoder_reaches_the_aim_on_held_out_tweets(
    labelled_by_encoder: dict[str, tuple[str, float]], holdout: training.Split
) -> None:
    model = _macro_f1(labelled_by_encoder, holdout)
    assert model >= TWITTER_AIM
    assert model > _macro_f1(labelled_by_encoder, holdout, vader=True) + 0.25


def test_the_light_model_is_well_ahead_of_vader_on_held_out_tweets(
    light: Scorers, holdout: training.Split
) -> None:
    scores = light.score(holdout.texts)
    model = evaluate(holdout.labels, [s.label for s in scores]).macro_f1
    vader = evaluate(holdout.labels, [vader_label(s.vader) for s in scores]).macro_f1
    assert model >= 0.74  # what the TF-IDF model reaches; the aim is above it
    assert vader < 0.55 and model > vader + 0.2


def _copied(tmp_path: Path) -> Path:
    folder = tmp_path / "encoder"
    shutil.copytree(ENCODER_DIR, folder)
    return folder


def _meta(folder: Path, change: dict[str, object]) -> None:
    document = json.loads((folder / META).read_text(encoding="utf-8"))
    document.update(change)
    (folder / META).write_text(json.dumps(document), encoding="utf-8")


def test_an_encoder_folder_that_does_not_fit_is_refused_with_a_reason(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="no sentiment encoder"):
        load_encoder(tmp_path)
    folder = _copied(tmp_path)
    assert load_encoder(folder).name == load_scorers().model.name
    _meta(folder, {"format": "something/2"})
    with pytest.raises(ModelError, match="is not a pythia-sentiment-encoder/1 model"):
        load_encoder(folder)
    folder = _copied(tmp_path / "b")
    (folder / MODEL).write_bytes((folder / MODEL).read_bytes()[:-10])
    with pytest.raises(ModelError, match=r"not the file its meta\.json describes"):
        load_encoder(folder)
    folder = _copied(tmp_path / "c")
    document = json.loads((folder / META).read_text(encoding="utf-8"))
    probes = document["probes"]
    probes[0]["p"] = [1.0, 0.0, 0.0]
    _meta(folder, {"probes": probes})
    with pytest.raises(ModelError, match="scores its probe"):
        load_encoder(folder)


def test_the_bot_process_loads_neither_model_runtime() -> None:
    code = "import sys, bot.app; print(sorted(m for m in ('onnxruntime', 'tokenizers', "
    code += "'sklearn', 'torch', 'workers') if m in sys.modules))"
    got = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert got.stdout.strip() == "[]"


def _small(seed: int) -> training.Split:
    data = training.twitter()
    rows = list(zip(data.texts, data.labels, strict=True))[::16]  # ~600 tweets, every class
    return training.Split([t for t, _ in rows], [label for _, label in rows])


def test_training_twice_with_one_seed_gives_the_same_model() -> None:
    first = training.train(seed=7, grid=(0.5, 2.0), data=_small(7))
    second = training.train(seed=7, grid=(0.5, 2.0), data=_small(7))
    assert first.cv == second.cv and first.chosen == second.chosen
    assert first.model.to_bytes() == second.model.to_bytes()
    texts = first.holdout.texts
    assert (first.model.probabilities(texts) == second.model.probabilities(texts)).all()


def _rewritten(tmp_path: Path, change: dict[str, object]) -> Path:
    document = json.loads(gzip.decompress(MODEL_FILE.read_bytes()))
    document.update(change)
    path = tmp_path / "model.json.gz"
    path.write_bytes(gzip.compress(json.dumps(document).encode()))
    return path


def test_a_model_file_that_does_not_fit_is_refused_with_a_reason(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="no sentiment model"):
        load_model(tmp_path / "missing.json.gz")
    (tmp_path / "junk").write_bytes(b"not gzip")
    with pytest.raises(ModelError, match="not a sentiment model file"):
        load_model(tmp_path / "junk")
    with pytest.raises(ModelError, match=r"trained with scikit-learn 0\.24"):
        load_model(_rewritten(tmp_path, {"sklearn": "0.24.2"}))
    with pytest.raises(ModelError, match="other market-word lists"):
        load_model(_rewritten(tmp_path, {"lexicon": "0000"}))
    document = json.loads(gzip.decompress(MODEL_FILE.read_bytes()))
    probes = document["probes"]
    probes[0]["p"] = [1.0, 0.0, 0.0]
    with pytest.raises(ModelError, match="scores its probe"):
        load_model(_rewritten(tmp_path, {"probes": probes}))


def test_the_stored_model_loads_exactly_as_it_scored_its_probes() -> None:
    document = json.loads(gzip.decompress(MODEL_FILE.read_bytes()))
    model = load_model(MODEL_FILE)
    for probe in document["probes"]:
        assert model.probabilities([probe["text"]])[0].tolist() == pytest.approx(
            probe["p"], abs=1e-12
        )
