"""`pythia train-sentiment` and `pythia eval-sentiment`: the light model trained reproducibly,
and both models measured on any labelled file."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

COMMANDS = ("train-sentiment", "eval-sentiment")


class SentimentInputError(Exception):
    """What was given cannot be used; one line says why (exit code 2)."""


def register(sub: Any) -> None:
    """Add the two commands to `pythia`'s subcommands."""
    train = sub.add_parser(
        "train-sentiment",
        help="train the light sentiment model (the same seed gives the same file)",
        description="Trains on the Twitter Financial News set with a fixed 20% held out, chooses "
        "C by cross-validation inside the rest, writes the model and its card beside it.",
    )
    train.add_argument("--seed", type=int, default=0, help="cross-validation folds (default 0)")
    train.add_argument(
        "--out",
        type=Path,
        help="the model file (default: data/sentiment/model-v1.json.gz), or with --encoder the "
        "folder (default: data/sentiment/encoder-v1)",
    )
    train.add_argument(
        "--encoder",
        action="store_true",
        help="fine-tune the MiniLM encoder instead and export it to int8 ONNX (needs the "
        "training extra: pip install -e '.[train]'; about half an hour on one core)",
    )
    evaluate = sub.add_parser(
        "eval-sentiment",
        help="macro-F1, per-class F1 and confusion matrix of both models on a labelled file",
    )
    evaluate.add_argument("file", type=Path, metavar="FILE")
    evaluate.add_argument("--text", help="the text column (default: text, title, headline…)")
    evaluate.add_argument("--label", help="the label column (default: label, sentiment, class)")
    evaluate.add_argument(
        "--map",
        help="the file's labels as ours, e.g. 'Bearish=negative,Bullish=positive,Neutral=neutral' "
        "or '0=negative,1=positive,2=neutral' (default: the labels are ours already)",
    )
    evaluate.add_argument(
        "--format", choices=["csv", "json", "phrasebank"], help="default: by suffix"
    )
    evaluate.add_argument(
        "--model",
        type=Path,
        help="another model than the shipped encoder: a light model's file "
        "(data/sentiment/model-v1.json.gz) or an encoder's folder",
    )


def run(args: argparse.Namespace) -> int:
    """Carry out a sentiment command; bad input is one line on stderr and exit code 2."""
    import sys

    try:
        if args.command == "train-sentiment" and args.encoder:
            _train_encoder(args.seed, args.out)
        elif args.command == "train-sentiment":
            _train(args.seed, args.out)
        else:
            _evaluate(args)
    except SentimentInputError as exc:
        print(f"pythia {args.command}: {exc}", file=sys.stderr)
        return 2
    return 0


def _train(seed: int, out: Path | None) -> None:
    from workers.sentiment import train
    from workers.sentiment.scorers import MODEL_FILE

    out = out or MODEL_FILE
    if out.exists() and out.is_dir():
        raise SentimentInputError(f"--out {out} is a directory; give a file name")
    print(f"training on {train.TWITTER.name} (seed {seed}); cross-validating C in {train.GRID}…")
    report = train.train(seed)
    card = train.save(report, out)
    print(", ".join(f"C={c:g}: {f1:.3f}" for c, f1 in report.cv.items()), f"→ C={report.chosen:g}")
    for name, (light, vader) in report.results.items():
        print(f"{name}: macro-F1 light {light.macro_f1:.3f}, VADER {vader.macro_f1:.3f}")
    print(f"wrote {out} ({out.stat().st_size:,} bytes) and {card}")


def _train_encoder(seed: int, out: Path | None) -> None:
    from workers.sentiment.scorers import ENCODER_DIR

    out = out or ENCODER_DIR
    if out.exists() and not out.is_dir():
        raise SentimentInputError(f"--out {out} is a file; the encoder is a folder")
    from workers.sentiment import encoder_train as et
    from workers.sentiment.card import render_encoder_card

    try:
        et.libraries()
        et.base_model_dir()
        print(f"fine-tuning {et.BASE} (seed {seed}), {et.EPOCHS} epochs on one thread…")
        report = et.train_encoder(seed, out)
    except et.TrainingUnavailable as exc:
        raise SentimentInputError(str(exc)) from None
    scorers = et.measure_encoder(report, out)
    card = out.with_name(f"{out.name}.card.md")
    card.write_text(render_encoder_card(report, scorers.version, out), encoding="utf-8")
    print(f"epoch {report.chosen} chosen; as served:")
    for name, (model, vader) in report.results.items():
        print(f"{name}: macro-F1 encoder {model.macro_f1:.3f}, VADER {vader.macro_f1:.3f}")
    size = (out / "model.onnx").stat().st_size
    print(f"wrote {out} (model.onnx {size:,} bytes) and {card}")


def _evaluate(args: argparse.Namespace) -> None:
    from core.sentiment import LabelMapError, evaluate, map_labels, parse_label_map, vader_label
    from workers.sentiment import ModelError, load_scorers
    from workers.sentiment.files import DataFileError, read_labelled

    try:
        mapping = None if args.map is None else parse_label_map(args.map)
        got = read_labelled(args.file, args.format, args.text, args.label)
        truth = map_labels(got.labels, mapping)
        scorers = load_scorers(args.model)
    except LabelMapError as exc:
        raise SentimentInputError(_map_error(exc)) from None
    except (DataFileError, ModelError) as exc:
        raise SentimentInputError(str(exc)) from None
    scores = scorers.score(got.texts)
    print(f"{args.file}: {len(truth):,} texts; models {scorers.version}")
    for name, predicted in (
        ("light model", [s.label for s in scores]),
        ("VADER + crypto lexicon", [vader_label(s.vader) for s in scores]),
    ):
        _print_evaluation(name, evaluate(truth, predicted))


def _map_error(exc: Any) -> str:
    params = exc.params
    if exc.code == "labels.unmapped":
        more = (
            f" (and {params['count'] - len(params['labels'])} more)" if params["count"] > 5 else ""
        )
        shown = ", ".join(repr(label) for label in params["labels"])
        return f"labels {shown}{more} are not ours; map them with --map 'theirs=negative,…'"
    if exc.code == "map.unknown_label":
        return f"--map {params['item']!r}: {params['label']!r} is not negative, neutral or positive"
    if exc.code == "map.not_a_pair":
        return f"--map {params['item']!r}: expected theirs=ours, e.g. Bearish=negative"
    if exc.code == "map.twice":
        return f"--map maps {params['label']!r} twice"
    return "--map is empty; e.g. 'Bearish=negative,Bullish=positive,Neutral=neutral'"


def _print_evaluation(name: str, result: Any) -> None:
    from core.sentiment import LABELS

    f1 = ", ".join(f"{label} {result.f1[label]:.3f}" for label in LABELS)
    print(f"\n{name}: macro-F1 {result.macro_f1:.3f} (accuracy {result.accuracy:.3f})")
    print(f"  F1: {f1}")
    print("  confusion (rows true, columns predicted):")
    print("  " + " " * 10 + "".join(f"{label:>10}" for label in LABELS))
    for label, row in zip(LABELS, result.confusion, strict=True):
        print(f"  {label:>10}" + "".join(f"{n:>10,}" for n in row))
