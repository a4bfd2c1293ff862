"""The mixed-model route (issue 14): a model's item-level prediction as a predictor of human
RTs, with a likelihood-ratio test against the model without it, on real Pratte et al. (2010)
people (6 participants, for time)."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.analyse import prediction_lrt
from models.fitting.datasets import bundled_trials
from models.yardsticks.dummy import condition_codes


@pytest.fixture(scope="module")
def people():
    trials = bundled_trials("pratte2010")
    trials = trials[trials["agent"].isin(["01", "02", "03", "04", "05", "06"])]
    trials = trials[trials["correct"].astype(bool) & trials["rt_ms"].between(200, 2000)].copy()
    trials["participant"], trials["item"] = trials["agent"], trials["item_id"]
    return trials.reset_index(drop=True)


def test_a_prediction_that_carries_the_stroop_effect_beats_the_model_without_it(people):
    data = people.assign(model_prediction_ms=40.0 * condition_codes(people))
    data["model_prediction_ms"] -= data["model_prediction_ms"].mean()
    messages: list[str] = []
    lrt = prediction_lrt(data, "dummy", "colour_naming", "mixedlm", messages)
    assert not messages
    assert lrt["lrt_df"] == 1 and lrt["lrt_p"] < 0.01     # measured: p 1.6e-4 (12 items)
    assert lrt["lrt_chi2"] == pytest.approx(2 * (lrt["lrt_loglik_with_prediction"]
                                                 - lrt["lrt_loglik_without"]))
    # the same values given to the wrong items predict far less
    rng = np.random.default_rng(0)
    items = data["item"].unique()
    shuffled = dict(zip(items, rng.permutation(
        data.groupby("item")["model_prediction_ms"].first().reindex(items).to_numpy())))
    wrong = data.assign(model_prediction_ms=data["item"].map(shuffled))
    assert prediction_lrt(wrong, "dummy", "colour_naming", "mixedlm", [])["lrt_chi2"] < lrt["lrt_chi2"] / 2


def test_compare_puts_the_lrt_into_the_fit_table(sqlite_url):
    """Through ``analysis.compare``: a model run whose item means carry the Stroop effect gets
    its likelihood-ratio test in the (descriptive) fit table."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent / "reference"))
    import analysis_fixtures as fx

    from analysis import compare
    from db.store import Store

    store = Store(sqlite_url)
    fx.add_human_stroop(store, [f"P{i:02d}" for i in range(1, 9)])
    fx.add_model_stroop(store, "toy", {"congruent": 640.0, "neutral": 660.0, "incongruent": 760.0})
    row = compare(store, "stroop", engine="mixedlm").fit_table.iloc[0]
    assert row["lrt_df"] == 1 and row["lrt_chi2"] > 0 and 0 <= row["lrt_p"] <= 1
    assert row["lrt_loglik_with_prediction"] >= row["lrt_loglik_without"]
