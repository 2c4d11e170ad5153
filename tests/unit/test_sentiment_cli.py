"""`pythia eval-sentiment` and `pythia train-sentiment` from the command line: figures for both
models on any labelled file, and one line with exit code 2 for what cannot be used."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

from pythia.cli import main
from workers.sentiment.scorers import MODEL_FILE
from workers.sentiment.train import PHRASEBANK

MAP = "Bearish=negative,Bullish=positive,Neutral=neutral"
HEADLINES = [
    ("Bitcoin soars to a record high as inflows surge", "Bullish"),
    ("Bitcoin plunges 20% as crypto market crashes", "Bearish"),
    ("Ether slumps after exchange hack", "Bearish"),
    ("Price analysis 3/4: BTC, ETH, BNB", "Neutral"),
]


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["eval-sentiment", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def _csv(tmp_path: Path, rows: list[tuple[str, str]], header: str = "title,sentiment") -> Path:
    path = tmp_path / "headlines.csv"
    lines = [header, *(f'"{text}",{label}' for text, label in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _macro(out: str) -> list[float]:
    return [float(x) for x in re.findall(r"macro-F1 (\d\.\d{3})", out)]


def test_a_csv_with_its_own_labels_is_measured_for_both_models(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = _csv(tmp_path, HEADLINES)
    code, out, err = _run(capsys, str(path), "--map", MAP)
    assert (code, err) == (0, "")
    assert "4 texts" in out
    assert "light model: macro-F1" in out and "VADER + crypto lexicon: macro-F1" in out
    assert len(_macro(out)) == 2
    assert out.count("F1: negative") == 2
    matrix = re.findall(r"^\s+(negative|neutral|positive)((?:\s+\d+){3})$", out, re.M)
    assert len(matrix) == 6  # three rows per model
    assert all(sum(int(n) for n in row.split()) == {"negative": 2}.get(label, 1)
               for label, row in matrix)  # fmt: skip


def test_json_with_numeric_labels_and_named_columns(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    numbers = {"Bearish": 0, "Bullish": 1, "Neutral": 2}
    rows = [{"headline_text": text, "y": numbers[label]} for text, label in HEADLINES]
    path = tmp_path / "set.json"
    path.write_text(json.dumps({"data": rows}), encoding="utf-8")
    code, out, _ = _run(
        capsys, str(path), "--text", "headline_text", "--label", "y",
        "--map", "0=negative,1=positive,2=neutral",
    )  # fmt: skip
    assert code == 0 and len(_macro(out)) == 2


def test_phrasebank_in_latin_1_is_read_as_it_is_written(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "sentences.txt"
    path.write_bytes(
        "Net sales rose 12 % to EUR 9.5 mn .@positive\r\n"
        "Operating loss widened at the Espoo unit .@negative\n"
        "Caf\xe9 chain Mets\xe4 is based in Helsinki .@neutral\n".encode("latin-1")
    )
    code, out, err = _run(capsys, str(path), "--format", "phrasebank")
    assert (code, err) == (0, "")
    assert "3 texts" in out


def test_the_shipped_phrasebank_file_gives_the_figures_the_tests_check(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = _run(capsys, str(PHRASEBANK["PhraseBank AllAgree"]))
    light, vader = _macro(out)
    assert code == 0 and light >= 0.60 and vader < light


@pytest.mark.parametrize(
    ("make", "argv", "says"),
    [
        (None, [], "missing.csv: no such file"),
        ("empty", [], "is empty"),
        ("header", [], "no labelled rows"),
        ("csv", ["--text", "body"], "no column 'body'"),
        ("csv", ["--label", "y"], "no column 'y'"),
        ("csv", [], "labels 'Bearish', 'Bullish' are not ours; map them with --map"),
        ("csv", ["--map", "Bearish=negative,Bullish=positive"], "labels 'Neutral' are not ours"),
        ("csv", ["--map", "Bearish=down"], "'down' is not negative, neutral or positive"),
        ("csv", ["--map", "Bearish"], "expected theirs=ours"),
        ("nocolumns", [], "which column? name it with --text"),
        ("badjson", ["--format", "json"], "is not JSON"),
        ("phrasebank", ["--format", "phrasebank"], "line 2: expected sentence@label"),
        ("csv", ["--map", MAP, "--model", "nowhere.json.gz"], "no sentiment model at"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, make: str | None, argv: list, says: str
) -> None:
    path = tmp_path / "missing.csv"
    if make == "csv":
        path = _csv(tmp_path, HEADLINES)
    elif make == "empty":
        path.write_text("", encoding="utf-8")
    elif make == "header":
        path.write_text("text,label\n", encoding="utf-8")
    elif make == "nocolumns":
        path = _csv(tmp_path, HEADLINES, header="a,b")
    elif make == "badjson":
        path.write_text('{"data": [', encoding="utf-8")
    elif make == "phrasebank":
        path.write_text("Fine .@neutral\nno label here\n", encoding="utf-8")
    argv = [str(tmp_path / a) if a.endswith(".json.gz") else a for a in argv]
    code, out, err = _run(capsys, str(path), *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("pythia eval-sentiment: ")
    assert says in err


def test_training_refuses_a_directory_as_its_output(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code = main(["train-sentiment", "--out", str(tmp_path)])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err == f"pythia train-sentiment: --out {tmp_path} is a directory; give a file name\n"


def test_the_encoder_is_trained_into_a_folder_never_over_a_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "model.onnx"
    path.write_bytes(b"")
    code = main(["train-sentiment", "--encoder", "--out", str(path)])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err == f"pythia train-sentiment: --out {path} is a file; the encoder is a folder\n"


@pytest.mark.skipif(
    importlib.util.find_spec("torch") is not None, reason="the training extra is installed here"
)
def test_training_the_encoder_without_the_training_extra_says_how_to_get_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code = main(["train-sentiment", "--encoder", "--out", str(tmp_path / "encoder")])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and not (tmp_path / "encoder").exists()
    assert err.count("\n") == 1 and "pip install -e '.[train]'" in err


def test_the_light_model_is_still_measured_when_named(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = _run(
        capsys, str(_csv(tmp_path, HEADLINES)), "--map", MAP, "--model", str(MODEL_FILE)
    )
    assert (code, err) == (0, "")
    assert "models light-" in out and len(_macro(out)) == 2
