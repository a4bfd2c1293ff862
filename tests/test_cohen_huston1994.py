"""Cohen & Huston (1994) bidirectional Stroop network: the published cycle counts, exactly."""

import numpy as np
import pandas as pd

from models.pdp.cohen_huston1994 import CohenHuston1994
from models.pdp.stimuli import canonical_trials
from models.registry import make_model


def with_cycles(out: pd.DataFrame) -> pd.DataFrame:
    """Shared rows keep the model's RT in cycles in extras; as a column for the checks here."""
    return out.assign(rt_cycles=out["extras"].map(lambda e: e["rt_cycles"]).astype(float))


def cycles_by_cell(model, colours=("red", "green")):
    out = with_cycles(model.simulate(canonical_trials(colours), n=1, seed=0))
    assert out["correct"].all(), out.loc[~out["correct"], ["instruction", "condition", "response"]]
    means = out.groupby(["instruction", "condition"])["rt_cycles"].agg(["min", "max"])
    assert (means["min"] == means["max"]).all()      # deterministic: every item the same
    return {instruction: [int(means.loc[(instruction, c), "min"])
                          for c in ("congruent", "neutral", "incongruent")]
            for instruction in ("colour_naming", "word_reading")}


def test_rate_01_and_50_settling_cycles_give_the_published_counts():
    model = CohenHuston1994()          # defaults: no noise, rate 0.1, 50 settling cycles
    assert model.noise_sd == 0 and model.rate == 0.1 and model.settle_cycles == 50
    assert cycles_by_cell(model) == {"colour_naming": [25, 37, 55], "word_reading": [17, 19, 19]}


def test_rate_001_and_500_settling_cycles_give_the_published_counts():
    model = CohenHuston1994(rate=0.01, settle_cycles=500, max_cycles=2000)
    assert cycles_by_cell(model) == {"colour_naming": [249, 365, 548], "word_reading": [171, 184, 188]}


def test_counts_depend_on_the_threshold_and_weights():
    # the anchor is not built in: other parameters give other counts
    assert cycles_by_cell(CohenHuston1994(threshold=0.58))["colour_naming"] != [25, 37, 55]
    assert cycles_by_cell(CohenHuston1994(word_weight=2.0))["colour_naming"] != [25, 37, 55]


def test_four_colour_network_keeps_the_stroop_pattern():
    counts = cycles_by_cell(CohenHuston1994(), colours=("red", "green", "blue", "yellow"))
    congruent, neutral, incongruent = counts["colour_naming"]
    assert congruent < neutral < incongruent
    assert max(counts["word_reading"]) < congruent
    assert max(counts["word_reading"]) - min(counts["word_reading"]) <= 3


def test_japanese_set_reaches_the_same_units_as_english():
    from stimuli import load_set

    model = make_model("cohen-huston1994", colours="red,green,blue,yellow")
    results = {}
    for name in ("stroop-en", "stroop-ja"):
        trials = load_set(name).trial_list(seed=3, instruction="colour_naming", include_practice=False)
        out = with_cycles(model.simulate(trials, n=1, seed=0))
        results[name] = out.groupby("condition")["rt_cycles"].mean()
        assert out["source"].eq("model:cohen-huston1994").all()
    pd.testing.assert_series_equal(results["stroop-en"], results["stroop-ja"])


def test_noise_makes_agents_differ_but_the_seed_fixes_them():
    model = CohenHuston1994(noise_sd=0.05)
    trials = canonical_trials(("red", "green"), instructions=("colour_naming",))
    first = with_cycles(model.simulate(trials, n=20, seed=11))
    again = with_cycles(model.simulate(trials, n=20, seed=11))
    other = with_cycles(model.simulate(trials, n=20, seed=12))
    pd.testing.assert_frame_equal(first, again)
    assert not np.array_equal(first["rt_cycles"].to_numpy(), other["rt_cycles"].to_numpy())
    errors = first.loc[~first["correct"], "condition"]
    assert len(errors) > 0 and (errors == "incongruent").mean() > 0.8


def test_an_early_incongruent_word_captures_the_response():
    """SOA: the word k cycles before the colour. Like the 1990 model, earlier words interfere
    more; in the bidirectional net a word 100 ms early already wins the response."""
    model = CohenHuston1994(ms_per_unit=10.0)
    rts = {}
    for soa in (-100, 0, 100, 300):
        out = with_cycles(model.simulate(canonical_trials(("red", "green"), ("colour_naming",), soa_ms=soa), seed=0))
        by = out.groupby("condition")
        rts[soa] = (by["rt_cycles"].mean(), by["correct"].mean())
    assert rts[-100][1]["incongruent"] == 0.0
    assert rts[0][1]["incongruent"] == 1.0
    interference = {s: rts[s][0]["incongruent"] - rts[s][0]["neutral"] for s in (0, 100, 300)}
    assert interference[0] > interference[100] > interference[300] >= 0
