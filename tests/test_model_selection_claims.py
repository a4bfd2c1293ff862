"""Issue 14's scientific claims, on real people, by held-out log-likelihood (slow).

(a) Stark et al. (2024) controls (the bundled data, imported into a real SQLite file): WEAVER++
    without its cumulative mechanism (``weaver-cumulative:conceptual_bias=0``) should lose to
    the conceptual-bias account (``weaver-cumulative``), and the table must give the difference
    with a CI. For time: 4 of the 20 controls, 3 folds.
(b) Pratte et al. (2010): the dummy predictor (1/2/4 × slope + intercept, the process models'
    residual) should lose to every process model. For time: 3 of the 38 participants, 3 folds;
    the Stroop CNN is left out (it trains for minutes and has no likelihood of its own yet).

The full runs (all 38 Pratte participants with 5 folds, all 20 Stark controls) take hours
here and are in docs/analysis/model-comparison.md, not in the suite; they change the verdicts
(Cohen 1990 beats the dummy decisively on 38 people, through the errors; the conceptual-bias
account does not beat no mechanism on 20 controls).

Where a claim does not hold as measured, its test is a *strict* xfail that says what was
measured: nothing was tuned to make it pass, and the test turns into a failure (XPASS) the
day it holds, so the marker has to be removed with the evidence. The tables' own guarantees
(every pair has a difference with a CI) are ordinary tests.
"""

from __future__ import annotations

import numpy as np
import pytest

from db.store import Store

pytestmark = [pytest.mark.slow, pytest.mark.timeout(2400)]   # the fits of a fixture count

NO_MECHANISM = "weaver-cumulative:conceptual_bias=0"
PROCESS_MODELS = ("weaver", "cohen1990", "cohen-huston1994")


def _comparison(db, task, models, participants, n_folds, seed):
    from mirrorlab.model_comparison import ComparisonOptions, run_model_comparison

    options = ComparisonOptions(task=task, models=list(models), n_folds=n_folds, seed=seed,
                                participants=participants)
    return run_model_comparison(Store(f"sqlite:///{db}"), options, workers=2, progress=False)


@pytest.fixture(scope="module")
def stark_controls(tmp_path_factory):
    from db.importer import import_dataset

    db = tmp_path_factory.mktemp("stark") / "stark.db"
    store = Store(f"sqlite:///{db}")
    import_dataset(store, "stark2024")
    people = store.trials_frame(task="continuous-naming", source="human")
    controls = sorted({a for a, e in zip(people["agent"], people["extras"]) if e.get("group") == "control"})
    assert len(controls) == 20
    return _comparison(db, "continuous-naming", ["weaver-cumulative", NO_MECHANISM],
                       controls[:4], 3, seed=1)


@pytest.fixture(scope="module")
def pratte(tmp_path_factory):
    from db.importer import import_dataset

    db = tmp_path_factory.mktemp("pratte") / "pratte.db"
    import_dataset(Store(f"sqlite:///{db}"), "pratte2010")
    return _comparison(db, "stroop", ["dummy-conditions", *PROCESS_MODELS], ["01", "02", "03"],
                       3, seed=1)


def test_stark_table_gives_the_difference_with_a_ci(stark_controls):
    pair = stark_controls.paired.set_index(["model", "versus"])
    assert len(pair) == 1
    row = pair.iloc[0]
    assert row["n_participants"] == 4
    assert np.isfinite([row["mean_difference"], row["t_ci_low"], row["t_ci_high"],
                        row["bootstrap_ci_low"], row["bootstrap_ci_high"]]).all()
    assert row["t_ci_low"] < row["mean_difference"] < row["t_ci_high"]
    assert "95% CI" in stark_controls.summary_text()
    assert stark_controls.sources == ["human"]


def test_no_cumulative_mechanism_loses_to_the_conceptual_bias_account(stark_controls):
    """The issue's claim: lower held-out log-likelihood (the point estimate) on these people."""
    per_participant = stark_controls.per_participant
    difference = per_participant["weaver-cumulative"] - per_participant[NO_MECHANISM]
    assert difference.sum() > 0
    assert stark_controls.best() == "weaver-cumulative"


@pytest.mark.xfail(strict=True, reason=(
    "measured (controls 201-204, 3 folds, seed 1): weaver-cumulative better by 1.6 log-units "
    "per participant, 95% bootstrap CI -4.0 to 6.5, better in 3 of 4 (PXP 0.60, BOR 0.67; "
    "BIC 9.9 in its favour): a ~23 ms/position effect is ~1.6% of the trial-level RT variance, "
    "worth a few log-units per person, so 4 people cannot make it certain"))
def test_the_difference_is_certain_on_four_controls(stark_controls):
    pair = stark_controls.paired.set_index("versus")
    assert pair.loc[NO_MECHANISM, "bootstrap_ci_low"] > 0


def test_pratte_summary_has_every_model_with_its_uncertainty(pratte):
    summary = pratte.summary.set_index("model")
    assert set(summary.index) == {"dummy-conditions", *PROCESS_MODELS}
    others = summary.drop(index=pratte.best())
    assert others[["ci_low", "ci_high"]].notna().all().all()
    assert np.isclose(pratte.bms["expected_frequency"].sum(), 1.0)


@pytest.mark.parametrize("model", [
    pytest.param(model, marks=pytest.mark.xfail(strict=True, reason=reason)) if reason else model
    for model, reason in [
        ("weaver", None),            # measured: 3.4 log-units better than the dummy in total
        ("cohen1990", None),         # measured: 4.8 better in total (best of the four)
        ("cohen-huston1994", "measured (participants 01-03, 3 folds, seed 1): the dummy was "
                             "1.5 log-units better in total (-10494.2 vs -10495.8; better in 2 of "
                             "3 participants); every difference among the four models is inside "
                             "its CI (BMS omnibus risk 0.86)"),
    ]])
def test_the_dummy_loses_to_every_process_model_on_pratte(pratte, model):
    per_participant = pratte.per_participant
    assert per_participant[model].sum() > per_participant["dummy-conditions"].sum()
