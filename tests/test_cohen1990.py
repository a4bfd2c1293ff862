"""Cohen, Dunbar & McClelland (1990): the noisy cascaded model's Stroop effects, SOA curve,
trained weights, trial-row protocol and input errors."""

import numpy as np
import pandas as pd
import pytest

from models.base import ModelInputError
from models.pdp.cohen1990 import Cohen1990
from models.pdp.stimuli import canonical_trials
from models.pdp.training import train_weights
from models.pdp.weights import fig3_weights
from models.registry import make_model

COLOURS_2 = ("red", "green")
COLOURS_4 = ("red", "green", "blue", "yellow")


def with_cycles(out: pd.DataFrame) -> pd.DataFrame:
    """Shared rows keep the model's RT in cycles in extras; as a column for the checks here."""
    return out.assign(rt_cycles=out["extras"].map(lambda e: e["rt_cycles"]).astype(float))


def cell_means(out: pd.DataFrame) -> pd.DataFrame:
    correct = out[out["correct"]]
    return correct.groupby(["instruction", "condition"])["rt_cycles"].mean().unstack("condition")


@pytest.fixture(scope="module", params=[COLOURS_2, COLOURS_4], ids=["2-colours", "4-colours"])
def noisy_run(request):
    return with_cycles(Cohen1990().simulate(canonical_trials(request.param), n=400, seed=5))


def test_interference_is_larger_than_facilitation(noisy_run):
    colour = cell_means(noisy_run).loc["colour_naming"]
    interference = colour["incongruent"] - colour["neutral"]
    facilitation = colour["neutral"] - colour["congruent"]
    assert facilitation > 0
    assert interference > 1.5 * facilitation


def test_word_reading_is_faster_and_nearly_unaffected_by_the_ink(noisy_run):
    means = cell_means(noisy_run)
    assert (means.loc["word_reading"] < means.loc["colour_naming"]).all()
    word = means.loc["word_reading"]
    colour = means.loc["colour_naming"]
    assert word.max() - word.min() < 0.25 * (colour["incongruent"] - colour["congruent"])


def test_colour_naming_errors_are_mostly_incongruent():
    # a design with as many trials per condition: errors pile up on incongruent trials
    trials = canonical_trials(COLOURS_2, ("colour_naming",))
    out = with_cycles(Cohen1990().simulate(trials, n=3000, seed=5))
    errors = out.loc[~out["correct"], "condition"]
    assert len(errors) >= 40
    assert (errors == "incongruent").mean() > 0.5
    error_rate = 1 - out.groupby("condition")["correct"].mean()
    assert error_rate["incongruent"] > 1.5 * error_rate["neutral"]
    assert error_rate["neutral"] > error_rate["congruent"]
    assert error_rate.max() < 0.05


def test_same_seed_same_rows_other_seed_other_rows():
    trials = canonical_trials(COLOURS_4)
    model = Cohen1990()
    first, again = with_cycles(model.simulate(trials, n=5, seed=42)), with_cycles(model.simulate(trials, n=5, seed=42))
    pd.testing.assert_frame_equal(first, again)
    other = with_cycles(model.simulate(trials, n=5, seed=43))
    assert not np.array_equal(first["rt_cycles"].to_numpy(), other["rt_cycles"].to_numpy())


def test_rows_follow_the_trial_protocol():
    trials = canonical_trials(COLOURS_2, instructions=("colour_naming",))
    out = with_cycles(make_model("cohen1990").simulate(trials, n=3, seed=1))
    assert len(out) == 3 * len(trials)
    assert set(trials.columns) <= set(out.columns)
    assert {"response", "correct", "rt_cycles", "rt_ms", "source", "agent", "extras"} <= set(out.columns)
    assert "picture_file" not in out.columns      # shared columns only
    assert out["source"].eq("model:cohen1990").all()
    assert sorted(out["agent"].unique()) == ["sim-001", "sim-002", "sim-003"]
    model = Cohen1990()
    np.testing.assert_allclose(out["rt_ms"], model.intercept_ms + model.ms_per_unit * out["rt_cycles"])
    assert all(extra["rt_cycles"] == cycles for extra, cycles in zip(out["extras"], out["rt_cycles"]))
    assert out["response"].isin(COLOURS_2).all()
    assert (out["correct"] == (out["response"] == out["expected_response"])).all()


def test_soa_early_words_interfere_ever_more():
    """Like the original model (and unlike people), interference keeps growing as the word
    comes earlier, and fades when it comes after the colour."""
    model = Cohen1990()
    interference = {}
    for soa in (-400, -200, 0, 200, 400):
        out = with_cycles(model.simulate(canonical_trials(COLOURS_2, ("colour_naming",), soa_ms=soa), n=150, seed=9))
        means = out[out["correct"]].groupby("condition")["rt_cycles"].mean()
        interference[soa] = means["incongruent"] - means["neutral"]
    assert interference[-400] > interference[-200] > interference[0] > interference[200]
    assert interference[400] < 0.25 * interference[0]
    row = with_cycles(model.simulate(canonical_trials(COLOURS_2, ("colour_naming",), soa_ms=-147), seed=0)).iloc[0]
    assert row["extras"]["soa_cycles"] == round(-147 / model.soa_ms_per_cycle)


def test_backprop_training_makes_the_word_pathway_stronger():
    trained, history = train_weights(2, return_history=True)
    assert history[-1] < 0.1 * history[0]
    strength = trained.pathway_strength()
    assert strength["word_in"] > strength["colour_in"] > 0
    assert strength["word_out"] > strength["colour_out"] > 0
    # the same pattern as the published weights
    published = fig3_weights(2).pathway_strength()
    assert published["word_in"] > published["colour_in"] and published["word_out"] > published["colour_out"]
    # with equal practice neither pathway comes out ahead by much
    equal = train_weights(2, word_reading_frequency=1.0).pathway_strength()
    assert abs(equal["word_out"] - equal["colour_out"]) < 0.5 * (strength["word_out"] - strength["colour_out"])


def test_trained_network_shows_the_stroop_effect():
    out = with_cycles(Cohen1990(weights="trained").simulate(canonical_trials(COLOURS_2), n=100, seed=3))
    means = cell_means(out)
    colour = means.loc["colour_naming"]
    assert colour["congruent"] < colour["neutral"] < colour["incongruent"]
    assert (means.loc["word_reading"] < colour.min()).all()


def test_bad_input_is_one_line_user_error():
    model = Cohen1990(colours=COLOURS_2)      # a fixed colour vocabulary
    trials = canonical_trials(COLOURS_2)
    cases = {
        "purple": trials.assign(ink=["purple"] + list(trials["ink"][1:])),
        "instruction": trials.assign(instruction="name_the_shape"),
        "'ink'": trials.drop(columns=["ink"]),
        "picture-word": trials.assign(task="picture-word"),
    }
    for needle, bad in cases.items():
        with pytest.raises(ModelInputError) as caught:
            with_cycles(model.simulate(bad, seed=0))
        assert needle in str(caught.value) and "\n" not in str(caught.value)
        assert caught.value.user_facing
    # without a fixed vocabulary the network gets a unit for every colour of the trial list
    purple = canonical_trials(("red", "green", "purple"), ("colour_naming",))
    assert with_cycles(Cohen1990().simulate(purple, seed=0))["response"].isin(["red", "green", "purple"]).all()
    with pytest.raises(ModelInputError, match="weights"):
        with_cycles(Cohen1990(weights="random").simulate(trials))
    with pytest.raises(ModelInputError, match="colours"):
        with_cycles(Cohen1990(colours=["red"]).simulate(trials))
