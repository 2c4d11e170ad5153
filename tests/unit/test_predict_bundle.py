"""Model bundles: gzip JSON round trip, no pickle, refused when not ours; the calibration map."""

from __future__ import annotations

import gzip
import json
import pickle
from datetime import UTC, datetime

import numpy as np
import pytest

from core.predict.bundle import Bundle, BundleError, calibrate, decode, encode


def bundle() -> Bundle:
    return Bundle(
        features=["ret_1h", "rsi_14"],
        classifier="tree\nversion=v4\n",
        quantiles={"q10": "q10 text", "q90": "q90 text"},
        calibration={"x": [0.4, 0.5, 0.6], "y": [0.3, 0.5, 0.8]},
        base_rate=0.512,
        oof=[
            (datetime(2024, 1, 1, 5, tzinfo=UTC), 0.53),
            (datetime(2024, 1, 1, 6, tzinfo=UTC), 0.47),
        ],
        params={"horizon": "4h", "trees": 150},
    )


def test_round_trip_and_the_bytes_are_gzip_json() -> None:
    data = encode(bundle())
    assert decode(data) == bundle()
    assert json.loads(gzip.decompress(data))["features"] == ["ret_1h", "rsi_14"]
    assert encode(bundle()) == data  # the same bundle, the same bytes


def test_what_is_not_a_bundle_is_refused() -> None:
    for data in (b"", b"not gzip", gzip.compress(b"[1, 2]"), pickle.dumps(bundle())):
        with pytest.raises(BundleError):
            decode(data)
    other = json.loads(gzip.decompress(encode(bundle())))
    other["format"] = 99
    with pytest.raises(BundleError):
        decode(gzip.compress(json.dumps(other).encode()))
    del other["classifier"]
    other["format"] = 1
    with pytest.raises(BundleError):
        decode(gzip.compress(json.dumps(other).encode()))


def test_calibration_interpolates_and_clips_at_its_ends() -> None:
    cal = bundle().calibration
    assert calibrate(0.45, cal) == pytest.approx(0.4)
    assert calibrate(0.1, cal) == pytest.approx(0.3) and calibrate(0.9, cal) == pytest.approx(0.8)
    assert calibrate(0.55, {}) == 0.55  # no map: the identity
    out = calibrate(np.array([0.4, 0.6]), cal)
    assert isinstance(out, np.ndarray) and out.tolist() == pytest.approx([0.3, 0.8])
