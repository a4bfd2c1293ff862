"""Trial-level likelihoods: residual densities, WEAVER++'s analytic likelihood, the
simulation-based (kernel) likelihood of the PDP models and its error against the analytic case."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from models.likelihood import RT_WINDOW_MS, likelihood_for, loglik
from models.likelihood.checks import kernel_error_against_analytic
from models.likelihood.residuals import exgauss_logpdf, shifted_lognormal_logpdf
from models.registry import make_model
from stimuli import load_set


@pytest.fixture(scope="module")
def stroop_trials():
    return load_set("stroop-en").trial_list(seed=1, include_practice=False)


@pytest.fixture(scope="module")
def picture_word_trials():
    return load_set("picture-word-en").trial_list(seed=1, instruction="picture_naming",
                                                  include_practice=False)


def test_exgauss_density_matches_scipy_and_integrates_to_one():
    x = np.linspace(-200, 3000, 20001)
    mine = exgauss_logpdf(x, 400.0, 50.0, 120.0)
    reference = stats.exponnorm.logpdf(x, 120.0 / 50.0, loc=400.0, scale=50.0)
    finite = reference > -700
    assert np.allclose(mine[finite], reference[finite], atol=1e-8)
    assert np.trapezoid(np.exp(mine), x) == pytest.approx(1.0, abs=1e-4)


def test_shifted_lognormal_density_matches_scipy():
    x = np.linspace(201, 3000, 500)
    mine = shifted_lognormal_logpdf(x, 200.0, 6.0, 0.4)
    reference = stats.lognorm.logpdf(x, 0.4, loc=200.0, scale=np.exp(6.0))
    assert np.allclose(mine, reference, atol=1e-9)
    assert shifted_lognormal_logpdf(np.array([150.0]), 200.0, 6.0, 0.4)[0] < -100


def _density_over_rt(model, trial_row: pd.DataFrame, correct: bool, **params) -> float:
    """∫ p(choice, rt) drt over the RT window, lapses off."""
    grid = np.arange(RT_WINDOW_MS[0], RT_WINDOW_MS[1], 1.0)
    trials = pd.concat([trial_row] * len(grid), ignore_index=True)
    trials = trials.assign(rt_ms=grid, correct=correct)
    values = loglik(model, trials, {"lapse_rate": 0.0, **params})
    return float(np.exp(values).sum() * 1.0)


def test_weaver_analytic_density_integrates_to_one(picture_word_trials):
    row = picture_word_trials[picture_word_trials["condition"] == "related"].head(1)
    total = _density_over_rt(make_model("weaver"), row, True)
    assert total == pytest.approx(1.0, abs=2e-3)


def test_pdp_kernel_density_of_both_choices_integrates_to_one(stroop_trials):
    row = stroop_trials[stroop_trials["condition"] == "incongruent"].head(1)
    model = make_model("cohen1990", threshold=0.6)       # a threshold low enough to err
    ok = _density_over_rt(model, row, True)
    error = _density_over_rt(model, row, False)
    assert error > 0.01                                    # errors have their own density
    assert ok + error == pytest.approx(1.0, abs=5e-3)


def test_kernel_error_against_analytic_shrinks_with_simulations(picture_word_trials):
    trials = picture_word_trials.assign(
        rt_ms=np.random.default_rng(0).uniform(500, 1400, len(picture_word_trials)))
    coarse = kernel_error_against_analytic(trials, 100, seed=1)
    fine = kernel_error_against_analytic(trials, 2000, seed=1)
    summarised = kernel_error_against_analytic(trials, 2000, seed=1, n_quantiles=100)
    assert fine["mean_abs_error"] < coarse["mean_abs_error"] / 2
    assert fine["mean_abs_error"] < 0.02
    assert summarised["mean_abs_error"] < 0.02             # 100 quantiles lose nothing material


def test_true_parameters_score_better_than_wrong_ones(stroop_trials):
    from models.fitting.recovery import synthetic_participant

    data = synthetic_participant("weaver", stroop_trials, {"intercept_ms": 500.0}, seed=3,
                                 code="synthetic-001")
    assert (data["source"] == "simulated").all()
    model = make_model("weaver")
    right = loglik(model, data, {"intercept_ms": 500.0})
    wrong = loglik(model, data, {"intercept_ms": 700.0})
    assert right.shape == (len(data),) and np.isfinite(right).all()
    assert right.sum() > wrong.sum() + 20


def test_every_cell_has_trial_level_variance(picture_word_trials):
    """WEAVER++ used to give SD 0 ms in identical and congruent cells; with the residual no
    cell of any model's RT distribution has zero width."""
    from models.fitting.recovery import synthetic_participant

    for name, trials in (("weaver", picture_word_trials),):
        data = synthetic_participant(name, trials, {"lapse_rate": 0.001}, seed=5, code="s")
        spread = data.groupby(["condition", "soa_ms"])["rt_ms"].std()
        assert (spread > 10).all(), spread


def test_errors_under_a_model_that_never_errs_cost_the_lapse_density(stroop_trials):
    trials = stroop_trials.head(6).assign(rt_ms=700.0, correct=[True, True, True, False, False, False])
    values = loglik(make_model("weaver"), trials, {"lapse_rate": 0.02})
    lapse = np.log(0.02 / 2 / (RT_WINDOW_MS[1] - RT_WINDOW_MS[0]))
    assert np.allclose(values[3:], lapse, atol=1e-6)
    assert (values[:3] > lapse).all()


def test_practice_and_out_of_window_trials_are_not_scored(stroop_trials):
    trials = stroop_trials.head(5).assign(rt_ms=[700.0, 50.0, np.nan, 900.0, 9000.0], correct=True)
    trials.loc[0, "is_practice"] = True
    likelihood = likelihood_for(make_model("weaver"), trials)
    assert len(likelihood.scored) == 1 and likelihood.scored.n_excluded == 4


def test_bad_input_is_one_clear_error(stroop_trials):
    from models.base import ModelInputError

    with pytest.raises(ModelInputError, match="rt_ms"):
        loglik(make_model("weaver"), stroop_trials)
    with pytest.raises(ModelInputError, match="unknown parameter"):
        loglik(make_model("weaver"), stroop_trials.assign(rt_ms=600.0), {"bogus": 1.0})
    with pytest.raises(ModelInputError, match="no human trial has an RT"):
        loglik(make_model("weaver"), stroop_trials.assign(rt_ms=20.0))


def test_embedding_choice_likelihood_is_a_softmax_with_an_rt_from_the_margin():
    from models.fitting import fit_participant
    from models.fitting.recovery import synthetic_participant

    trials = load_set("association-en").trial_list(seed=1, include_practice=False)
    spec = "embedding:backend=glove"
    data = synthetic_participant(spec, trials, {"temperature": 0.03, "lapse_rate": 0.005},
                                 seed=4, code="synthetic-001")
    assert data["response"].notna().mean() > 0.9     # synthetic answers name an option
    model = make_model("embedding", backend="glove")
    sharp = loglik(model, data, {"temperature": 0.03})
    flat = loglik(model, data, {"temperature": 1.0})
    assert sharp.sum() > flat.sum()
    # choice probabilities of a trial's options sum to one (lapses off, RT density removed)
    likelihood = likelihood_for(model, data)
    from models.embeddings.model import choice_probabilities

    p = choice_probabilities(likelihood.scores.cosines, 0.03)
    assert np.allclose(np.nansum(p, axis=1)[likelihood.scores.scorable], 1.0)
    fit = fit_participant(spec, data, seed=1, max_fun_evals=80)
    assert 0.005 < fit.params["temperature"] < 0.2


def test_models_answer_loglik_through_the_protocol(stroop_trials):
    trials = stroop_trials.assign(rt_ms=650.0, correct=True)
    for name in ("weaver", "cohen1990"):
        model = make_model(name)
        assert np.allclose(model.loglik(trials), loglik(model, trials))
