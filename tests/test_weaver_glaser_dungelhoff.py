"""WEAVER++ against Glaser & Düngelhoff (1984): two timing parameters fitted to picture naming
(in-sample), word reading and picture categorising predicted with them unchanged."""

from __future__ import annotations

import numpy as np
import pytest

from models.weaver.model import Weaver
from models.weaver.report import glaser_dungelhoff_effects
from models.weaver.report import (GLASER_DUNGELHOFF_FIT, fit_glaser_dungelhoff,
                                  semantic_effect_by_soa)
from stimuli.published import published_table


@pytest.fixture(scope="module")
def fit() -> dict:
    return fit_glaser_dungelhoff()


def test_picture_naming_fit_in_sample(fit):
    print("fitted:", fit["params"], "in-sample:", fit["in_sample"])
    assert fit["in_sample"]["n"] == 27
    assert fit["in_sample"]["r"] >= 0.9 and fit["in_sample"]["rmse_ms"] <= 30
    # the recorded parameters (docs, other tests) are what the fit finds
    assert fit["params"] == GLASER_DUNGELHOFF_FIT
    # and the fit earns its keep: the program defaults alone are far off
    plain = glaser_dungelhoff_effects(Weaver())
    rmse_plain = float(np.sqrt(np.mean((plain["model_ms"] - plain["human_ms"]) ** 2)))
    print(f"RMSE without the fitted parameters: {rmse_plain:.1f} ms")
    assert rmse_plain > fit["in_sample"]["rmse_ms"] + 10


def test_fitted_semantic_interference_has_the_published_time_course(fit):
    semantic = semantic_effect_by_soa(fit["tables"]["picture_naming"])
    print("related − unrelated by SOA:", semantic.round(1).to_dict())
    assert semantic.idxmax() in (0.0, 100.0)
    assert abs(semantic[300.0]) < 5 and abs(semantic[400.0]) < 5


def test_word_reading_is_predicted_out_of_sample(fit):
    """No threshold (the issue asks only that it be reported): the prediction exists for all
    27 cells, is small as in people, and the numbers are what docs/models/weaver.md says."""
    reading = fit["out_of_sample_word_reading"]
    print("word reading, out of sample:", reading)
    table = fit["tables"]["word_reading"]
    assert reading["n"] == 27 and table["model_ms"].notna().all()
    assert table["model_ms"].abs().mean() < fit["tables"]["picture_naming"]["model_ms"].abs().mean()
    assert reading["rmse_ms"] == pytest.approx(21.8, abs=0.1)
    assert reading["r"] == pytest.approx(0.50, abs=0.01)


def test_picture_categorising_shows_semantic_facilitation(fit):
    """Roelofs' prediction, and the direction Glaser & Düngelhoff found (the only thing the
    published table records)."""
    expected = published_table("glaser1984-picture-categorising-direction").rows[0]
    semantic = semantic_effect_by_soa(fit["tables"]["picture_categorising"])
    print("categorising, related − unrelated by SOA:", semantic.round(1).to_dict())
    assert expected["direction"] == "facilitation"
    assert (semantic[semantic.index <= 100.0] < -20).all()
    assert (semantic <= 1e-6).all()
