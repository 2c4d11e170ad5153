"""Sentiment as data: the metrics, the label maps and VADER's labelling of its compound."""

from __future__ import annotations

import pytest

from core.sentiment import (
    LabelMapError,
    Scores,
    evaluate,
    map_labels,
    parse_label_map,
    vader_label,
)

N, U, P = "negative", "neutral", "positive"


def test_evaluation_counts_the_confusion_and_averages_the_classes_f1() -> None:
    truth = [N, N, N, U, U, P, P, P, P, U]
    predicted = [N, N, U, U, P, P, P, P, N, U]
    result = evaluate(truth, predicted)
    assert result.confusion == ((2, 1, 0), (0, 2, 1), (1, 0, 3))
    # negative: precision 2/3, recall 2/3; neutral: 2/3, 2/3; positive: 3/4, 3/4
    assert result.f1 == pytest.approx({N: 2 / 3, U: 2 / 3, P: 3 / 4})
    assert result.macro_f1 == pytest.approx((2 / 3 + 2 / 3 + 3 / 4) / 3)
    assert result.accuracy == pytest.approx(7 / 10)
    assert result.support == {N: 3, U: 3, P: 4}
    assert result.texts == 10


def test_a_class_nobody_wrote_or_predicted_does_not_drag_the_mean_down() -> None:
    result = evaluate([N, P, P], [N, P, N])
    assert result.f1[U] == 0.0
    assert result.macro_f1 == pytest.approx((2 / 3 + 2 / 3) / 2)


def test_a_class_predicted_but_never_true_counts_as_a_miss() -> None:
    result = evaluate([N, N], [N, U])
    assert result.macro_f1 == pytest.approx((2 / 3 + 0) / 2)


def test_evaluation_refuses_what_it_cannot_measure() -> None:
    with pytest.raises(ValueError):
        evaluate([], [])
    with pytest.raises(ValueError):
        evaluate([N], [N, P])
    with pytest.raises(ValueError):
        evaluate(["bullish"], [P])


def test_a_label_map_reads_pairs_in_any_case_of_ours() -> None:
    assert parse_label_map("Bearish=negative, Bullish=Positive,Neutral = neutral") == {
        "Bearish": N,
        "Bullish": P,
        "Neutral": U,
    }
    assert parse_label_map("0=negative,1=positive,2=neutral") == {"0": N, "1": P, "2": U}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "map.empty"),
        (" , ", "map.empty"),
        ("Bearish", "map.not_a_pair"),
        ("=negative", "map.not_a_pair"),
        ("Bearish=", "map.not_a_pair"),
        ("Bearish=bad", "map.unknown_label"),
        ("0=negative,0=positive", "map.twice"),
    ],
)
def test_a_bad_label_map_says_why(text: str, code: str) -> None:
    with pytest.raises(LabelMapError) as caught:
        parse_label_map(text)
    assert caught.value.code == code


def test_labels_map_as_written_then_regardless_of_case() -> None:
    mapping = parse_label_map("Bearish=negative,Bullish=positive,Neutral=neutral")
    assert map_labels(["Bearish", "bullish", " NEUTRAL "], mapping) == [N, P, U]
    assert map_labels(["Negative", "neutral", "POSITIVE"]) == [N, U, P]


def test_labels_that_do_not_map_are_named_and_counted() -> None:
    with pytest.raises(LabelMapError) as caught:
        map_labels(["0", "1", "2", "3", "1"], parse_label_map("0=negative,1=positive"))
    assert caught.value.code == "labels.unmapped"
    assert caught.value.params == {"labels": ("2", "3"), "count": 2}
    with pytest.raises(LabelMapError) as caught:
        map_labels(["positive", "a", "b", "c", "d", "e", "f"])
    assert caught.value.params == {"labels": ("a", "b", "c", "d", "e"), "count": 6}


def test_vader_labels_its_compound_at_its_own_threshold() -> None:
    assert [vader_label(c) for c in (-0.5, -0.05, -0.049, 0.0, 0.049, 0.05, 1.0)] == [
        N, N, U, U, U, P, P,
    ]  # fmt: skip


def test_scores_are_plain_values() -> None:
    scores = Scores(vader=0.4, model=-0.2, label=N)
    assert (scores.vader, scores.model, scores.label) == (0.4, -0.2, N)
    with pytest.raises(AttributeError):
        scores.label = P  # type: ignore[misc]
