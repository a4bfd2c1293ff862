"""Hierarchical (empirical-Bayes) fits, models.fitting.hierarchical: on synthetic participants
drawn from a known population, shrinkage towards the estimated population reduces recovery
error against independent maximum-likelihood fits, and the population mean is recovered; the
per-participant calls give the same answer on real Dask worker processes; the command line
stores one model run per participant. WEAVER++ is the model here because its likelihood is
analytic (fast): the EM machinery does not depend on the model."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from models.base import ModelInputError
from models.fitting.hierarchical import (Prior, fit_hierarchical, parameter_bounds,
                                         to_bounded, to_unbounded)
from models.fitting.recovery import synthetic_participant
from stimuli import load_set

FREE = ["intercept_ms", "ms_per_unit", "residual_tau_ms"]


def _cli(*args, timeout=900):
    return subprocess.run([sys.executable, "-m", "mirrorlab", *args], capture_output=True,
                          text=True, timeout=timeout, env=dict(os.environ))


def _population(n_participants: int, n_trials: int, seed: int):
    """Synthetic participants whose logit-transformed parameters are drawn from N(μ, 0.3²);
    the few trials each (``n_trials`` of the stroop-en list) make their ML fits noisy."""
    lower, upper = parameter_bounds("weaver", FREE)
    mean_z = to_unbounded(np.array([500.0, 1.0, 150.0]), lower, upper)
    sd_z = np.full(3, 0.3)
    rng = np.random.default_rng(seed)
    trials = load_set("stroop-en").trial_list(seed=1, include_practice=False).head(n_trials)
    frames, truth = [], {}
    for i in range(n_participants):
        z = rng.normal(mean_z, sd_z)
        code = f"synthetic-{i + 1:03d}"
        truth[code] = z
        frames.append(synthetic_participant("weaver", trials, dict(zip(FREE, to_bounded(z, lower, upper))),
                                            seed=100 + i, code=code))
    return pd.concat(frames, ignore_index=True), truth, mean_z, sd_z, (lower, upper)


def test_transforms_are_inverse_and_stay_inside_the_bounds():
    lower, upper = np.array([0.0, 0.1]), np.array([1500.0, 5.0])
    x = np.array([[1.0, 0.1001], [750.0, 2.5], [1499.0, 4.99]])
    assert np.allclose(to_bounded(to_unbounded(x, lower, upper), lower, upper), x)
    far = to_bounded(np.array([-50.0, 50.0]), lower, upper)
    assert lower[0] <= far[0] <= upper[0] and lower[1] <= far[1] <= upper[1]
    prior = Prior(["a"], [0.0], [1.0])
    assert prior.log_density(np.array([0.0])) == pytest.approx(-0.5 * np.log(2 * np.pi))
    assert Prior(["a"], [0.0], None).log_density(np.array([3.0])) == 0.0


@pytest.mark.slow
def test_shrinkage_reduces_recovery_error_and_the_population_mean_is_recovered():
    data, truth, mean_z, sd_z, (lower, upper) = _population(12, 72, seed=7)
    result = fit_hierarchical("weaver", data, free=FREE, seed=3, max_iterations=6)
    codes = list(result.participants)
    true_z = np.array([truth[c] for c in codes])
    map_z = to_unbounded(np.array([[result.participants[c][k] for k in FREE] for c in codes]), lower, upper)
    ml_z = to_unbounded(np.array([[result.independent[c][k] for k in FREE] for c in codes]), lower, upper)
    rmse_map = np.sqrt(((map_z - true_z) ** 2).mean(axis=0))
    rmse_ml = np.sqrt(((ml_z - true_z) ** 2).mean(axis=0))
    print("recovery RMSE (logit units), independent ML:", rmse_ml.round(3), "hierarchical:", rmse_map.round(3))
    assert rmse_map.sum() < rmse_ml.sum()                    # shrinkage helps overall ...
    assert (rmse_map <= rmse_ml * 1.05).all()                # ... and hurts no parameter
    estimated = np.array([result.population_mean_z[k] for k in FREE])
    # the population these 12 participants are a sample of, and its generating mean
    assert np.abs(estimated - true_z.mean(axis=0)).max() < 0.15, (estimated, true_z.mean(axis=0))
    assert (np.abs(estimated - mean_z) < 3 * sd_z / np.sqrt(len(codes)) + 0.1).all()
    sd = np.array([result.population_sd_z[k] for k in FREE])
    assert (sd > 0.05).all() and (sd < 0.8).all()
    assert result.converged and len(result.iterations) <= 7
    assert result.iterations[0]["prior"] == "flat" and result.in_sample


@pytest.mark.slow
def test_the_per_participant_calls_give_the_same_fit_on_dask_workers():
    data, *_ = _population(3, 48, seed=11)
    here = fit_hierarchical("weaver", data, free=FREE, seed=1, max_iterations=1, max_fun_evals=30,
                            workers=0)
    on_dask = fit_hierarchical("weaver", data, free=FREE, seed=1, max_iterations=1,
                               max_fun_evals=30, workers=2)
    assert on_dask.participants == here.participants
    assert on_dask.population_mean_z == here.population_mean_z


def test_bad_requests_are_clear_errors():
    data, *_ = _population(2, 24, seed=1)
    with pytest.raises(ModelInputError, match="at least 2 participants"):
        fit_hierarchical("weaver", data[data["agent"] == "synthetic-001"], free=FREE)
    with pytest.raises(ModelInputError, match="yardstick"):
        fit_hierarchical("exgauss-conditions", data)
    with pytest.raises(ModelInputError, match="cannot fit bogus"):
        fit_hierarchical("weaver", data, free=["bogus"])


@pytest.mark.slow
def test_cli_hierarchical_fit_stores_one_run_per_participant(sqlite_url):
    assert _cli("import", "pratte2010", "--db", sqlite_url).returncode == 0
    from db.store import Store

    before = len(Store(sqlite_url).trials_frame(task="stroop"))
    done = _cli("fit", "weaver", "--task", "stroop", "--hierarchical", "--participants", "01,02,03",
                "--free", "intercept_ms,ms_per_unit", "--iterations", "2", "--max-evals", "40",
                "--seed", "4", "--db", sqlite_url)
    assert done.returncode == 0, done.stderr
    assert "hierarchical fit of 3 participants" in done.stdout and "in-sample" in done.stdout
    assert "iteration 0 (flat prior)" in done.stderr
    store = Store(sqlite_url)
    runs = store.model_runs_frame(task="stroop")
    fits = [f for f in runs["fit"] if isinstance(f, dict) and f.get("kind") == "hierarchical_map"]
    assert sorted(f["participant"] for f in fits) == ["01", "02", "03"]
    assert all(set(f["params"]) == {"intercept_ms", "ms_per_unit"} and f["seed"] == 4 for f in fits)
    assert all(f["population"]["mean"] == fits[0]["population"]["mean"] for f in fits)
    assert len(store.trials_frame(task="stroop")) == before
    for args, says in ((("--iterations", "0"), "--iterations must be at least 1"),
                       (("--per-participant",), "without --per-participant")):
        wrong = _cli("fit", "weaver", "--task", "stroop", "--hierarchical", *args, "--db", sqlite_url)
        assert wrong.returncode == 2 and wrong.stderr.startswith("mirrorlab: error:"), wrong.stderr
        assert says in wrong.stderr and "Traceback" not in wrong.stderr
