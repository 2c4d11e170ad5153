"""The encoder model: all-MiniLM-L6-v2 fine-tuned on the Twitter Financial News set
(workers.sentiment.encoder_train), served without torch: an int8 ONNX graph run by onnxruntime,
the text cut into word pieces by `tokenizers`. One folder holds it: `model.onnx`,
`tokenizer.json` and `meta.json` (format, labels, the token limit, the two files' SHA-256 and a
few probe headlines with the probabilities the stored graph gave them: a folder whose probes
come out different here is refused rather than trusted).

Each text is run alone (a batch of one): the int8 graph quantises its activations with a scale
taken over the whole input, so a text scored beside others would get a score that depends on
its neighbours. Alone, a headline's score is the same whatever it is scored with."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from core.sentiment import LABELS
from workers.sentiment.errors import ModelError

FORMAT = "pythia-sentiment-encoder/1"
MODEL, TOKENIZER, META = "model.onnx", "tokenizer.json", "meta.json"
PROBE_TOLERANCE = 1e-5
URL = re.compile(r"https?://\S+|www\.\S+")


class EncoderError(ModelError):
    """The encoder folder cannot be used here; the message says why and what to do."""


def clean(text: str) -> str:
    """What the encoder reads of a text: links dropped, white space made single."""
    return " ".join(URL.sub(" ", text).split())


@dataclass(slots=True)
class EncoderModel:
    session: Any  # onnxruntime.InferenceSession
    tokenizer: Any  # tokenizers.Tokenizer, truncating at max_tokens
    max_tokens: int
    digest: str

    @property
    def name(self) -> str:
        return f"encoder-{self.digest[:8]}"

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """P(negative), P(neutral), P(positive) of each text, one row each."""
        out = np.zeros((len(texts), len(LABELS)))
        done: dict[str, np.ndarray] = {}
        for i, text in enumerate(texts):
            key = clean(text)
            if key not in done:
                done[key] = self._one(key)
            out[i] = done[key]
        return out

    def _one(self, text: str) -> np.ndarray:
        ids = np.asarray([self.tokenizer.encode(text).ids], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
        logits = np.asarray(self.session.run(None, feed)[0][0], dtype=np.float64)
        odds = np.exp(logits - logits.max())
        return np.asarray(odds / odds.sum())


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def open_encoder(folder: Path, max_tokens: int, digest: str = "") -> EncoderModel:
    """The encoder in `folder` as it is, unchecked (training writes its probes with this)."""
    import onnxruntime
    from tokenizers import Tokenizer

    options = onnxruntime.SessionOptions()
    # one thread: the same sums in the same order on every run, and the workers' other
    # process keeps the machine's other core
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    session = onnxruntime.InferenceSession(
        str(folder / MODEL), options, providers=["CPUExecutionProvider"]
    )
    tokenizer = Tokenizer.from_file(str(folder / TOKENIZER))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_tokens)
    return EncoderModel(session, tokenizer, max_tokens, digest)


def write_meta(folder: Path, max_tokens: int, probes: Sequence[str], extra: dict[str, Any]) -> None:
    """meta.json for the graph and tokenizer in `folder`, with the probes' stored answers."""
    model = open_encoder(folder, max_tokens)
    document = {
        "format": FORMAT,
        "labels": list(LABELS),
        "max_tokens": max_tokens,
        "sha256": {name: _sha256(folder / name) for name in (MODEL, TOKENIZER)},
        "probes": [
            {"text": text, "p": [float(p) for p in row]}
            for text, row in zip(probes, model.probabilities(list(probes)), strict=True)
        ],
        **extra,
    }
    text = json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False)
    (folder / META).write_text(text + "\n", encoding="utf-8")


def load_encoder(folder: Path) -> EncoderModel:
    """The encoder in `folder`, checked against this installation; EncoderError if unusable."""
    retrain = "retrain it with `pythia train-sentiment --encoder`"
    try:
        document = json.loads((folder / META).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EncoderError(f"no sentiment encoder at {folder}: {retrain}") from None
    except (OSError, ValueError) as exc:
        raise EncoderError(f"{folder / META} is not an encoder's meta.json ({exc})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise EncoderError(f"{folder} is not a {FORMAT} model")
    if tuple(document.get("labels", ())) != LABELS:
        raise EncoderError(f"{folder} has labels {document.get('labels')}, not {list(LABELS)}")
    for name in (MODEL, TOKENIZER):
        if not (folder / name).is_file():
            raise EncoderError(f"{folder} has no {name}: {retrain}")
        if _sha256(folder / name) != document.get("sha256", {}).get(name):
            raise EncoderError(f"{folder / name} is not the file its meta.json describes")
    digest = hashlib.sha256(
        "".join(document["sha256"][name] for name in (MODEL, TOKENIZER)).encode()
    ).hexdigest()
    try:
        model = open_encoder(folder, int(document["max_tokens"]), digest)
    except Exception as exc:  # onnxruntime's and tokenizers' own errors: the file is unusable
        raise EncoderError(f"{folder} cannot be loaded here ({exc}): {retrain}") from None
    probes = document.get("probes", [])
    got = model.probabilities([probe["text"] for probe in probes])
    for probe, row in zip(probes, got, strict=True):
        if not np.allclose(row, probe["p"], atol=PROBE_TOLERANCE, rtol=0):
            raise EncoderError(
                f"{folder} scores its probe {probe['text']!r} differently here: {retrain}"
            )
    return model
