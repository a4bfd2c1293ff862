"""The Oppenheim, Dell & Schwartz (2010) "dark side" model (models.weaver.dark_side): ordinal
position slope and flat lag on the Howard et al. (2006) design, learning as the cause, the fit,
a real SQLite round trip, the vectorised replay against a plain loop, and user errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.base import ModelInputError
from models.registry import make_model
from models.weaver.cumulative import cumulative_curves
from models.weaver.dark_side import DarkSide, dark_side_fit_report
from models.weaver.lists import continuous_naming_sequence
from models.weaver.sequences import position_and_lag_means


@pytest.fixture(scope="module")
def report() -> dict:
    return dark_side_fit_report(DarkSide(), n_sequences=4)


def test_latency_rises_with_ordinal_position_and_not_with_lag(report):
    position = report["tables"]["dark_side_position"]
    lag = report["tables"]["dark_side_lag"]
    print(position.round(2).to_string(), lag.round(2).to_string(), sep="\n")
    steps = position["model_steps"].to_numpy()
    assert np.all(np.diff(steps) > 0)
    assert 15 <= report["ms_per_position"] <= 35
    effect = position["model_ms"].iloc[-1] - position["model_ms"].iloc[0]
    assert report["lag_range_ms"] < 0.1 * effect


def test_learning_is_what_makes_the_effect():
    sequence = continuous_naming_sequence(seed=1)
    experimental = (sequence["condition"] == "experimental").to_numpy()
    flat = DarkSide(learning_rate=0.0).steps(sequence)
    assert np.ptp(flat[experimental]) < 1e-12
    learned = DarkSide().steps(sequence)
    means = pd.Series(learned[experimental]).groupby(
        sequence.loc[experimental, "ordinal_position"].to_numpy()).mean()
    assert means.iloc[-1] > means.iloc[0] + 10


def test_registered_reproducible_and_noisy_simulation():
    sequence = continuous_naming_sequence(seed=2)
    model = make_model("dark-side", noise_sd=0.02)
    first = model.simulate(sequence, n=2, seed=4)
    pd.testing.assert_frame_equal(first, model.simulate(sequence, n=2, seed=4))
    other = model.simulate(sequence, n=2, seed=5)
    assert not np.array_equal(first["rt_ms"], other["rt_ms"])
    assert (first["source"] == "model:dark-side").all() and len(first) == 2 * len(sequence)
    assert first["correct"].mean() > 0.95
    assert {"steps", "expected_steps"} <= set(first["extras"].iloc[0])


def test_fit_on_trials_read_back_from_sqlite(sqlite_url):
    from db.store import Store

    sequence = continuous_naming_sequence(seed=12)
    truth = DarkSide(learning_rate=0.03, noise_sd=0.0)
    rows = truth.simulate(sequence, n=1, seed=3)
    rows["source"] = "human"
    store = Store(sqlite_url)
    session = store.start_session(participant_code="P01", task="continuous-naming",
                                  session_number=1, seed=12)
    store.add_trials(rows.drop(columns=["extras"]).to_dict("records"), session_id=session)
    human = store.trials_frame(task="continuous-naming", source="human")
    store.dispose()
    result = DarkSide().fit(human)
    print({k: v for k, v in result.items() if k != "cells"})
    assert result["learning_rate"] == pytest.approx(0.03, abs=0.002)
    assert result["rmse_ms"] < 1.0


def test_vectorised_replay_equals_the_plain_loop():
    model = DarkSide()
    present, history = model.trial_structure(continuous_naming_sequence(seed=4))
    fast = model.net_activation(present, history)
    slow = model.net_activation_reference_loop(present[:80], history[:80])
    np.testing.assert_allclose(fast[:80], slow, rtol=1e-12, atol=1e-12)


def test_bad_input_is_one_line():
    sequence = continuous_naming_sequence(seed=1)
    for bad, text in ((dict(boost=1.0), "boost"), (dict(competition="vote"), "competition")):
        with pytest.raises(ModelInputError, match=text) as error:
            DarkSide(**bad).simulate(sequence)
        assert "\n" not in str(error.value)
    with pytest.raises(ModelInputError, match="does continuous-naming"):
        DarkSide().simulate(sequence.assign(task="stroop"))
    with pytest.raises(ModelInputError, match="no human trials"):
        DarkSide().fit(pd.DataFrame())
