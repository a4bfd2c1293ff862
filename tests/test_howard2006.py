"""The Howard et al. (2006)-style model (models.weaver.howard2006): competition, shared activation and
non-decaying priming produce cumulative semantic inhibition without a lag effect."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.base import ModelInputError
from models.weaver.howard2006 import Howard2006, howard_fit_report
from models.weaver.cumulative import cumulative_curves
from models.weaver.lists import continuous_naming_sequence
from models.weaver.sequences import position_and_lag_means
from stimuli.published import published_table

HOWARD_2006_BY_POSITION = published_table("howard2006-ordinal-position").mapping("ordinal_position", "rt_ms")


def _position_curve(model: Howard2006, n_sequences: int = 2) -> np.ndarray:
    trials = cumulative_curves(model, n_sequences=n_sequences)
    means = position_and_lag_means(trials, "model_ms")
    return np.array([means["position"][k] for k in range(1, 6)])


def test_defaults_give_about_30_ms_per_position_and_no_lag_effect():
    report = howard_fit_report(Howard2006(), n_sequences=4)
    print("ms per position:", report["ms_per_position"], "lag range:", report["lag_range_ms"],
          "mapping:", report["mapping"])
    print(report["tables"]["howard2006_position"].round(2).to_string())
    assert 25 <= report["ms_per_position"] <= 35
    assert report["mapping"]["r"] > 0.98 and report["mapping"]["rmse_ms"] < 10
    assert report["lag_range_ms"] < 10
    position = report["tables"]["howard2006_position"]["model_cycles"].to_numpy()
    assert np.all(np.diff(position) > 0)


@pytest.mark.parametrize("principle", ["priming_increment", "shared_activation", "inhibition"])
def test_each_principle_is_necessary(principle):
    """Howard et al.: competition, priming and shared activation are all needed."""
    full = _position_curve(Howard2006())
    without = _position_curve(Howard2006(**{principle: 0.0}))
    print(principle, "full:", full.round(2), "without:", without.round(2))
    assert full[4] - full[0] > 5
    assert abs(without[4] - without[0]) < 0.5


def test_fit_recovers_the_published_curve():
    sequence = pd.concat([continuous_naming_sequence(seed=s).assign(agent=f"P{s}")
                          for s in (5, 6)], ignore_index=True)
    human = sequence.assign(
        rt_ms=sequence["ordinal_position"].map(HOWARD_2006_BY_POSITION).fillna(650.0),
        correct=True, source="human")
    model = Howard2006(priming_increment=0.2)
    result = model.fit(human)
    print({k: v for k, v in result.items() if k != "cells"})
    assert result["r"] > 0.98 and result["rmse_ms"] < 10
    assert 25 <= result["ms_per_position"] <= 35
    assert model.fitted_["priming_increment"] == result["priming_increment"] != 0.2
    assert model.priming_increment == 0.2             # the constructor value stays as set
    assert model.param("ms_per_unit") == pytest.approx(5.27)  # scale kept unless asked


def test_simulation_is_reproducible_and_mostly_correct():
    sequence = continuous_naming_sequence(seed=8)
    first = Howard2006().simulate(sequence, n=3, seed=9)
    pd.testing.assert_frame_equal(first, Howard2006().simulate(sequence, n=3, seed=9))
    other = Howard2006().simulate(sequence, n=3, seed=10)
    assert not np.array_equal(first["rt_ms"].to_numpy(), other["rt_ms"].to_numpy())
    assert first["correct"].mean() > 0.95
    assert (first["source"] == "model:howard2006").all()
    assert {"cycles", "expected_cycles"} <= set(first["extras"].iloc[0])
    wrong = first.loc[~first["correct"], ["response", "picture", "category"]]
    same_category = sequence.set_index("picture")["category"]
    assert all(same_category[r] == c for r, c in zip(wrong["response"], wrong["category"])
               if r in same_category.index)  # errors are category co-members


def test_bad_input_is_refused():
    with pytest.raises(ModelInputError, match="does continuous-naming"):
        Howard2006().simulate(continuous_naming_sequence(seed=1).assign(task="picture-word"))
    with pytest.raises(ModelInputError, match="no human trials"):
        Howard2006().fit(pd.DataFrame())
    with pytest.raises(ModelInputError, match="rate"):
        Howard2006(rate=0.0).simulate(continuous_naming_sequence(seed=1))


def test_fit_on_trials_read_back_from_sqlite(sqlite_url):
    """Human-like rows stored in a real SQLite file and read back (ordinal positions come back
    as database integers and NULLs) fit as well as the in-memory frame."""
    from db.store import Store

    sequence = continuous_naming_sequence(seed=12)
    rows = Howard2006().simulate(sequence, n=2, seed=3)
    rows["source"] = "human"
    store = Store(sqlite_url)
    session = store.start_session(participant_code="P01", task="continuous-naming",
                                  session_number=1, seed=12)
    store.add_trials(rows.drop(columns=["extras"]).to_dict("records"), session_id=session)
    human = store.trials_frame(task="continuous-naming", source="human")
    store.dispose()
    assert len(human) == len(rows)
    result = Howard2006().fit(human)
    assert result["r"] > 0.9 and 20 <= result["ms_per_position"] <= 40
    assert result["priming_increment"] == pytest.approx(1.103, abs=0.5)


def test_vectorised_cycles_equal_the_per_unit_loop():
    model = Howard2006()
    semantic, named_count, present, _ = model.trial_structure(continuous_naming_sequence(seed=4))
    drive = model.drive(semantic, named_count)
    fast, _ = model.run_cycles(drive, present, noise_sd=0.0)
    slow = model.cycles_reference_loop(drive[:60], present[:60])
    np.testing.assert_allclose(fast[:60], slow, rtol=1e-9)
