"""WEAVER++ conceptual-bias account (models.weaver.cumulative) on continuous-naming sequences."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.base import ModelInputError
from models.registry import make_model
from models.weaver.cumulative import WeaverCumulative, cumulative_curves, cumulative_fit_report
from models.weaver.lists import continuous_naming_sequence
from models.weaver.sequences import naming_contexts, position_and_lag_means
from stimuli.published import published_table

HOWARD_2006_BY_POSITION = published_table("howard2006-ordinal-position").mapping("ordinal_position", "rt_ms")


@pytest.fixture(scope="module")
def curves() -> dict:
    trials = cumulative_curves(WeaverCumulative(), n_sequences=4)
    return position_and_lag_means(trials, "model_ms")


def test_roelofs_2018_parameters_are_the_defaults():
    params = make_model("weaver-cumulative").get_params()
    assert params["conceptual_rate_per_ms"] == pytest.approx(0.0101 / 2)
    assert params["conceptual_bias"] == 2.5
    assert params["critical_difference"] == 1.6 and params["decay_per_ms"] == 0.0240


def test_sequence_design_and_history():
    sequence = continuous_naming_sequence(seed=3)
    assert len(sequence) == 165 and (sequence["condition"] == "experimental").sum() == 120
    lags = sequence.dropna(subset=["lag"]).groupby("category")["lag"].apply(sorted)
    assert all(list(v) == [2.0, 4.0, 6.0, 8.0] for v in lags)
    contexts = naming_contexts("test", sequence)
    for context, position in zip(contexts, sequence["ordinal_position"]):
        if not np.isnan(position):
            assert len(context.named_before) == position - 1
            assert len(context.co_members) == 4
        else:
            assert context.co_members == () and context.named_before == ()


def test_latency_rises_linearly_with_position(curves):
    position = curves["position"]
    values = np.array([position[k] for k in range(1, 6)])
    print("E[T] by ordinal position:", values.round(2))
    assert np.all(np.diff(values) > 0)
    assert np.corrcoef(np.arange(1, 6), values)[0, 1] > 0.97


def test_no_lag_effect(curves):
    lag = np.array([curves["lag"][g] for g in (2, 4, 6, 8)])
    effect = curves["position"][5] - curves["position"][1]
    print("E[T] by lag:", lag.round(2), "position effect 1→5:", round(effect, 2))
    assert np.ptp(lag) < 0.15 * effect


def test_about_30_ms_per_position_after_mapping():
    report = cumulative_fit_report(WeaverCumulative(), n_sequences=4)
    print("ms per position:", report["ms_per_position"], "mapping:", report["mapping"])
    assert 25 <= report["ms_per_position"] <= 35
    assert report["mapping"]["r"] > 0.95 and report["mapping"]["rmse_ms"] < 15
    assert report["lag_range_ms"] < 10


def test_without_bias_there_is_no_cumulative_effect():
    sequence = continuous_naming_sequence(seed=1)
    times = WeaverCumulative(conceptual_bias=0.0).expected_retrieval_ms(sequence)
    experimental = sequence["condition"] == "experimental"
    assert np.ptp(times[experimental.to_numpy()]) < 1e-9


def test_fit_to_human_curve_and_reproducible_simulation():
    sequence = continuous_naming_sequence(seed=2)
    human = sequence.assign(
        rt_ms=sequence["ordinal_position"].map(HOWARD_2006_BY_POSITION).fillna(650.0),
        correct=True, agent="P01", source="human")
    model = WeaverCumulative()
    result = model.fit(human)
    print("fit:", {k: v for k, v in result.items() if k != "cells"})
    assert result["r"] > 0.95 and 25 <= result["ms_per_position"] <= 35
    assert model.fitted_["ms_per_unit"] == pytest.approx(result["ms_per_unit"])
    assert model.ms_per_unit == 1.0                 # the constructor value stays as set
    first = model.simulate(sequence, n=2, seed=4)
    pd.testing.assert_frame_equal(first, model.simulate(sequence, n=2, seed=4))
    assert (first["source"] == "model:weaver-cumulative").all() and first["correct"].all()
    assert len(first) == 2 * len(sequence)


def test_bad_continuous_naming_input():
    sequence = continuous_naming_sequence(seed=2)
    with pytest.raises(ModelInputError, match="unknown continuous-naming condition 'odd'"):
        WeaverCumulative().simulate(sequence.assign(condition="odd"))
    with pytest.raises(ModelInputError, match="lacks the column 'category'"):
        WeaverCumulative().simulate(sequence.drop(columns="category"))
    with pytest.raises(ModelInputError, match="ordinal_position"):
        WeaverCumulative().fit(sequence.drop(columns="ordinal_position").assign(rt_ms=600.0))
    with pytest.raises(ModelInputError, match="does continuous-naming, not stroop"):
        WeaverCumulative().simulate(sequence.assign(task="stroop"))


def test_bundled_continuous_naming_set():
    import stimuli

    stimulus_set = stimuli.load_set("continuous-naming-en")
    trials = stimulus_set.trial_list(seed=1)
    out = WeaverCumulative(rt_mode="expected").simulate(trials, seed=1)
    experimental = out[(out["condition"] == "experimental") & ~out["is_practice"].astype(bool)]
    means = experimental.groupby("ordinal_position")["rt_ms"].mean()
    assert means.iloc[-1] > means.iloc[0]
