"""Maximum-likelihood fitting: free-parameter declarations, one fit, storing fits as model runs,
and the command line (``mirrorlab fit --per-participant``, ``mirrorlab recover``) in real
processes on real SQLite files."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from models.base import ModelInputError
from models.fitting import fit_participant, parse_free, store_fit
from models.fitting.datasets import bundled_trials
from models.fitting.recovery import synthetic_participant
from models.likelihood import likelihood_for
from models.registry import model_class, make_model
from stimuli import load_set


def _cli(*args, timeout=600):
    env = dict(os.environ)
    return subprocess.run([sys.executable, "-m", "mirrorlab", *args], capture_output=True,
                          text=True, timeout=timeout, env=env)


def test_free_parameters_are_declared_next_to_the_models():
    for name in ("cohen1990", "weaver", "weaver-cumulative"):
        cls = model_class(name)
        defaults = cls.default_params()
        for parameter in parse_free(None, cls):
            assert parameter.lower <= parameter.plausible_lower < parameter.plausible_upper <= parameter.upper
            if parameter.name in defaults:       # the published default is a legal value
                assert parameter.lower <= float(defaults[parameter.name]) <= parameter.upper
        assert set(cls.identifiable_parameters) <= set(cls.default_free)
    assert [p.name for p in parse_free("threshold, intercept_ms", model_class("cohen1990"))] == \
        ["threshold", "intercept_ms"]
    with pytest.raises(ModelInputError, match="cannot fit bogus"):
        parse_free("threshold,bogus", model_class("cohen1990"))


def test_one_fit_finds_at_least_the_likelihood_of_the_truth():
    trials = load_set("stroop-en").trial_list(seed=1, include_practice=False)
    truth = {"intercept_ms": 480.0, "ms_per_unit": 1.3, "residual_sd_ms": 50.0,
             "residual_tau_ms": 150.0}
    data = synthetic_participant("weaver", trials, truth, seed=11, code="synthetic-001")
    result = fit_participant("weaver", data, seed=4, max_fun_evals=80, participant="synthetic-001")
    at_truth = likelihood_for(make_model("weaver"), data).loglik(truth).sum()
    assert result.loglik >= at_truth - 0.5
    assert result.params["intercept_ms"] == pytest.approx(480.0, abs=60.0)
    assert result.n_free == 4 and result.seed == 4 and result.n_evaluations <= 2 * (80 + 5)
    assert len(result.trace["starts"]) == 2
    assert result.bic == pytest.approx(4 * np.log(result.n_trials) - 2 * result.loglik)
    again = fit_participant("weaver", data, seed=4, max_fun_evals=80, participant="synthetic-001")
    assert again.params == result.params                   # same seed, same fit


def test_a_fit_is_stored_as_a_model_run_with_seed_and_trace(sqlite_url):
    from db.store import Store

    trials = load_set("stroop-en").trial_list(seed=1, include_practice=False)
    data = synthetic_participant("weaver", trials, {}, seed=2, code="synthetic-002")
    result = fit_participant("weaver", data, seed=9, max_fun_evals=40, participant="synthetic-002")
    store = Store(sqlite_url)
    run_id = store_fit(store, result, task="stroop", trials=data)
    runs = store.model_runs_frame(task="stroop")
    row = runs[runs["model_run_id"] == run_id].iloc[0]
    assert row["seed"] == 9 and row["model"] == "weaver"
    assert row["fit"]["kind"] == "maximum_likelihood"
    assert row["fit"]["participant"] == "synthetic-002"
    assert row["fit"]["params"] == pytest.approx(result.params)
    assert "best_value_at" in row["fit"]["trace"]
    assert row["parameters"]["residual_sd_ms"] == pytest.approx(result.params["residual_sd_ms"])
    assert len(row["stimulus_set_hash"]) == 64


def test_yardsticks_fit_in_closed_form_and_bracket_a_process_model():
    human = bundled_trials("pratte2010")
    person = human[human["agent"] == "01"]
    exgauss = fit_participant("exgauss-conditions", person)
    weaver = fit_participant("weaver", person, seed=0, max_fun_evals=60)
    assert exgauss.n_free == 12 and exgauss.optimiser.startswith("closed-form")
    # the per-condition ex-Gaussian is the ceiling of a condition-means account
    assert exgauss.loglik > weaver.loglik


@pytest.mark.slow
def test_ddm_yardstick_fits_with_pyddm():
    human = bundled_trials("pratte2010")
    person = human[human["agent"] == "02"]
    ddm = fit_participant("ddm", person)
    exgauss = fit_participant("exgauss-conditions", person)
    assert ddm.loglik < exgauss.loglik        # the floor below the per-condition ceiling
    assert ddm.n_free == 5 and np.isfinite(ddm.loglik)
    assert 0.05 <= ddm.params["ndt"] <= 1.0
    model = make_model("ddm")
    model.fit(person, max_fun_evals=60)
    simulated = model.simulate(person.head(60), n=1, seed=1)
    assert simulated["rt_ms"].std() > 0 and (simulated["source"] == "model:ddm").all()


def test_cli_fit_per_participant_stores_runs_and_leaves_trials_alone(sqlite_url):
    assert _cli("import", "pratte2010", "--db", sqlite_url).returncode == 0
    from db.store import Store

    before = len(Store(sqlite_url).trials_frame(task="stroop"))
    done = _cli("fit", "weaver", "--task", "stroop", "--per-participant", "--participants",
                "01,02", "--max-evals", "40", "--seed", "5", "--db", sqlite_url)
    assert done.returncode == 0, done.stderr
    assert "01:" in done.stdout and "02:" in done.stdout and "loglik" in done.stdout
    store = Store(sqlite_url)
    runs = store.model_runs_frame(task="stroop")
    fits = [f for f in runs["fit"] if isinstance(f, dict) and f.get("kind") == "maximum_likelihood"]
    assert sorted(f["participant"] for f in fits) == ["01", "02"]
    assert len(store.trials_frame(task="stroop")) == before
    wrong = _cli("fit", "weaver", "--task", "stroop", "--per-participant", "--participants",
                 "99", "--db", sqlite_url)
    assert wrong.returncode == 2 and wrong.stderr.startswith("mirrorlab: error:")
    assert "99" in wrong.stderr and "Traceback" not in wrong.stderr


def test_cli_recover_on_real_participants_sequences():
    done = _cli("recover", "weaver", "--task", "stroop", "--dataset", "pratte2010", "--n", "3",
                "--max-evals", "30")
    assert done.returncode == 0, done.stderr
    assert "on 504 stroop trials" in done.stdout


def test_cli_recover_prints_recovery_and_writes_tables(tmp_path):
    done = _cli("recover", "weaver", "--task", "stroop", "--n", "4", "--max-evals", "40",
                "--tables", str(tmp_path / "tables"))
    assert done.returncode == 0, done.stderr
    assert "parameter recovery: weaver" in done.stdout
    summary = pd.read_csv(tmp_path / "tables" / "parameter_recovery_summary.csv")
    assert set(summary["parameter"]) == {"intercept_ms", "ms_per_unit", "residual_sd_ms",
                                         "residual_tau_ms"}


@pytest.mark.parametrize("args, expected", [
    (("recover", "nosuchmodel", "--task", "stroop"), "unknown model"),
    (("recover", "weaver", "--task", "stroop", "--free", "bogus"), "cannot fit bogus"),
    (("recover", "cohen1990", "--task", "continuous-naming"), "cohen1990"),
    (("recover", "weaver", "--task", "nosuchtask"), "unknown task"),
    (("recover", "weaver", "--task", "stroop", "--dataset", "nosuchdata"), "unknown dataset"),
    (("recover", "weaver", "--task", "picture-word", "--dataset", "pratte2010"), "not picture-word"),
])
def test_cli_bad_input_is_one_line(args, expected):
    done = _cli(*args)
    assert done.returncode == 2
    assert done.stderr.startswith("mirrorlab: error:") and expected in done.stderr
    assert "Traceback" not in done.stderr


def test_cli_fit_without_human_trials_is_one_line(sqlite_url):
    done = _cli("fit", "weaver", "--task", "stroop", "--per-participant", "--db", sqlite_url)
    assert done.returncode == 2 and "no human stroop trials" in done.stderr
