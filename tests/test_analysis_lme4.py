"""Both engines against lme4's numbers on fixed datasets (committed in tests/reference; R not needed).

Tolerances (issue 7): fixed effects to 5 significant digits, SEs and variances to 3, REML
log-likelihood within 1e-3; binomial GLMMs: SEs within 5% (mixedlm's SEs are RX-based, compared
with lme4's RX-based ones and with glmer's default Hessian-based ones).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "reference"))
import reference_data  # noqa: E402

from analysis.mixed import ModelSpec, Predictor, fit_one  # noqa: E402

REFERENCE = json.loads((Path(__file__).resolve().parent / "reference" / "lme4_reference.json").read_text())
CONDITION = Predictor("condition", reference_data.CONDITION_LEVELS)


def spec(response: str, structure: str, family: str = "gaussian") -> ModelSpec:
    return ModelSpec(response=response, predictors=(CONDITION,), family=family,
                     slopes=("condition",), structure=structure)


@pytest.fixture(scope="module")
def datasets(bundled_data_dir):
    sim = reference_data.crossed_sim()
    pratte_rt, pratte_accuracy = reference_data.pratte2010(bundled_data_dir)
    return {"crossed_sim": (sim, sim), "pratte2010": (pratte_rt, pratte_accuracy)}


def lme4_term(name: str) -> str:
    """lme4's ``conditionneutral`` / ``c_neutral`` → our ``condition[neutral]``."""
    match = re.fullmatch(r"(?:condition|c_)(\w+)", name)
    return f"condition[{match.group(1)}]" if match and name != "(Intercept)" else name


def relative(a: float, b: float) -> float:
    return abs(a - b) / abs(b)


def check_against_lme4(result, reference, *, fixed_rel=1e-5, se_rel=1e-3, var_rel=1e-3,
                       loglik_abs=1e-3, corr_abs=1e-3, se_key="se"):
    assert result.error is None, result.error
    assert result.converged
    assert result.n_obs == reference["nobs"]
    for name, value in reference["fixef"].items():
        got = result.fixed(lme4_term(name))
        assert relative(got, value) <= fixed_rel, (name, got, value)
    for name, value in reference[se_key].items():
        got = result.fixed(lme4_term(name), "se")
        assert relative(got, value) <= se_rel, (name, got, value)
    for row in reference["varcorr"]:
        group = row["group"].split(".")[0]
        if group == "Residual":
            got = result.variance("Residual", None) if False else float(
                result.random_effects.loc[result.random_effects["group"] == "Residual", "variance"].iloc[0])
            assert relative(got, row["vcov"]) <= var_rel, ("Residual", got, row["vcov"])
        elif row["var2"] is None:
            got = result.variance(group, lme4_term(row["var1"]))
            assert relative(got, row["vcov"]) <= var_rel, (group, row["var1"], got, row["vcov"])
        else:
            rows = result.random_effects
            match = rows[(rows["group"] == group) & (rows["term"] == lme4_term(row["var1"]))
                         & (rows["term2"] == lme4_term(row["var2"]))]
            assert len(match) == 1, (group, row["var1"], row["var2"])
            assert abs(float(match["corr"].iloc[0]) - row["sdcor"]) <= corr_abs
    if loglik_abs is not None:
        assert abs(result.log_likelihood - reference["logLik"]) <= loglik_abs
    assert result.singular == reference["singular"]


LMM_CASES = [
    ("crossed_sim", "crossed_intercepts", "statsmodels"),
    ("crossed_sim", "zero_correlation", "statsmodels"),
    ("crossed_sim", "crossed_intercepts", "mixedlm"),
    ("crossed_sim", "zero_correlation", "mixedlm"),
    ("crossed_sim", "maximal", "mixedlm"),
    ("pratte2010", "crossed_intercepts", "statsmodels"),
    ("pratte2010", "zero_correlation", "statsmodels"),
    ("pratte2010", "crossed_intercepts", "mixedlm"),
    ("pratte2010", "zero_correlation", "mixedlm"),
    ("pratte2010", "maximal", "mixedlm"),
]


@pytest.mark.parametrize("dataset,structure,engine", LMM_CASES)
def test_linear_mixed_model_matches_lme4(datasets, dataset, structure, engine):
    rt, _ = datasets[dataset]
    s = spec("rt_ms", structure)
    result = fit_one(s, s.model_frame(rt), engine)
    check_against_lme4(result, REFERENCE["datasets"][dataset][structure])


@pytest.mark.parametrize("dataset", ["crossed_sim", "pratte2010"])
def test_mixedlm_binomial_glmm_matches_glmer(datasets, dataset):
    _, accuracy = datasets[dataset]
    reference = REFERENCE["datasets"][dataset]["binomial"]
    s = spec("correct", "crossed_intercepts", "binomial")
    result = fit_one(s, s.model_frame(accuracy), "mixedlm")
    assert result.error is None and result.converged
    for se_key in ("se", "se_rx"):  # within 5% of both of lme4's SE definitions
        for name, value in reference[se_key].items():
            assert relative(result.fixed(lme4_term(name), "se"), value) <= 0.05, (se_key, name)
    for name, value in reference["fixef"].items():
        se = reference["se"][name]
        assert abs(result.fixed(lme4_term(name)) - value) <= 0.05 * se, name
    for row in reference["varcorr"]:
        assert relative(result.variance(row["group"]), row["vcov"]) <= 0.05
    assert abs(result.log_likelihood - reference["logLik"]) <= 0.01
    assert "RX" in result.se_definition


def test_statsmodels_bayes_binomial_has_smaller_posterior_sds_than_glmer(datasets):
    """What the report says about BinomialBayesMixedGLM, checked on the simulated design."""
    _, accuracy = datasets["crossed_sim"]
    reference = REFERENCE["datasets"]["crossed_sim"]["binomial"]
    s = spec("correct", "crossed_intercepts", "binomial")
    result = fit_one(s, s.model_frame(accuracy), "statsmodels")
    assert result.error is None
    ratios = [result.fixed(lme4_term(n), "se") / v for n, v in reference["se"].items()]
    assert all(0.05 < r < 1.0 for r in ratios), ratios
    for name, value in reference["fixef"].items():  # posterior means near glmer's estimates
        assert abs(result.fixed(lme4_term(name)) - value) <= 1.0 * reference["se"][name]
    assert "posterior SD" in " ".join(result.notes)


def test_statsmodels_fits_crossed_not_nested_random_effects(datasets):
    """The nested-by-mistake formulation (groups=participant + item vc) is never what is fitted."""
    import statsmodels.formula.api  # noqa: F401  (statsmodels present)
    from statsmodels.regression.mixed_linear_model import MixedLM

    from analysis.mixed import statsmodels_engine

    rt, _ = datasets["crossed_sim"]
    s = spec("rt_ms", "crossed_intercepts")
    frame = s.model_frame(rt)
    model = statsmodels_engine._build(s, frame)
    # one group holding every row; one item column per distinct item, shared by all participants
    assert model.n_groups == 1
    item_columns = model.exog_vc.colnames[model.exog_vc.names.index("item")][0]
    assert len(item_columns) == frame["item"].nunique()
    result = fit_one(s, frame, "statsmodels")
    reference = REFERENCE["datasets"]["crossed_sim"]["crossed_intercepts"]
    assert abs(result.log_likelihood - reference["logLik"]) <= 1e-3
    # the nested formulation lands far from lme4's crossed log-likelihood: this test would catch it
    nested = MixedLM.from_formula("rt_ms ~ condition", groups="participant",
                                  vc_formula={"item": "0 + C(item)"}, data=frame).fit(reml=True)
    assert abs(nested.llf - reference["logLik"]) > 10


def test_statsmodels_reaches_a_boundary_optimum_and_flags_it_singular(datasets):
    """Item means removed: the item variance's optimum is zero (a boundary). Gradient-based
    optimisers stall there; the Newton check sends the fit on to a derivative-free polish, and
    both engines agree on the log-likelihood and call the fit singular."""
    rt, _ = datasets["crossed_sim"]
    flat = rt.copy()
    flat["rt_ms"] = flat["rt_ms"] - flat.groupby("item")["rt_ms"].transform("mean") + flat["rt_ms"].mean()
    s = spec("rt_ms", "crossed_intercepts")
    frame = s.model_frame(flat)
    by_statsmodels = fit_one(s, frame, "statsmodels")
    by_mixedlm = fit_one(s, frame, "mixedlm")
    assert by_statsmodels.converged and by_mixedlm.converged
    assert by_statsmodels.singular and by_mixedlm.singular
    assert abs(by_statsmodels.log_likelihood - by_mixedlm.log_likelihood) <= 1e-3
    assert relative(by_statsmodels.variance("participant"), by_mixedlm.variance("participant")) <= 1e-3
