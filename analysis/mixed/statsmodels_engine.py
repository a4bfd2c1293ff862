"""The statsmodels engine: ``MixedLM`` for RTs, ``BinomialBayesMixedGLM`` for accuracy.

Crossed participants and items are written the one way that fits the same model as lme4:
ONE all-encompassing group (a constant ``groups`` column), no group-level random effects
(``re_formula="0"``) and one variance component per random term (``vc_formula``). Writing
``groups="participant"`` with an item ``vc_formula`` instead silently fits items *nested in*
participants (a separate item effect per participant) — a different model with a different
likelihood. Measured facts this module relies on (see docs/analysis.md):

* ``use_sparse=True`` is several times faster from about 7,000 rows up;
* by-participant slopes can only be variance components without correlations (lme4's ``||``);
* L-BFGS can stop short of the optimum, even reporting convergence, so every fit is checked
  with the gradient and Hessian of the log-likelihood (the log-likelihood one Newton step would
  still gain); if that is not negligible, a BFGS polish from that point continues, and the
  better log-likelihood is kept. Slope models are warm-started from the
  intercept-only fit, which reached lme4's optimum every time.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd

from analysis.errors import EngineCapabilityError
from analysis.mixed.spec import (FitResult, ModelSpec, fixed_effects_frame,
                                 random_effects_frame)

ENGINE = "statsmodels"
#: From this many rows the sparse variance-component matrices are used (measured cross-over).
SPARSE_FROM_ROWS = 7000
#: Newton-predicted log-likelihood gain below which a fit is at its optimum (polish above it).
GAIN_TOLERANCE = 1e-6
#: ... and above which the fit is not accepted as converged.
GAIN_REJECT = 1e-3
#: lme4's singularity rule: a random-effect SD below 1e-4 residual SDs is on the boundary.
SINGULAR_RELATIVE_SD = 1e-4


def fixed_term_label(name: str, spec: ModelSpec) -> str:
    """patsy's ``condition[T.neutral]`` → ``condition[neutral]``; ``Intercept`` → ``(Intercept)``."""
    if name == "Intercept":
        return "(Intercept)"
    return ":".join(part.replace("[T.", "[", 1) for part in name.split(":"))


def _vc_formulas(spec: ModelSpec) -> dict[str, str]:
    vc = {"participant": "0 + C(participant)"}
    if spec.item_effects:
        vc["item"] = "0 + C(item)"
    if spec.structure == "zero_correlation":
        for index, (_, label) in enumerate(spec.slope_columns()):
            vc[f"participant:{label}"] = f"0 + C(participant):slope_{index}"
    return vc


def _build(spec: ModelSpec, frame: pd.DataFrame):
    from statsmodels.regression.mixed_linear_model import MixedLM

    data = frame.assign(_one_group=1)
    return MixedLM.from_formula(
        f"{spec.response} ~ {spec.fixed_rhs()}", groups="_one_group", re_formula="0",
        vc_formula=_vc_formulas(spec), data=data, use_sparse=len(data) >= SPARSE_FROM_ROWS)


def newton_gain(model, result) -> float:
    """Log-likelihood still to gain by one Newton step from ``result``: 0.5·g'(−H)⁻¹g.

    The gradient alone depends on the parametrisation (statsmodels optimises square roots of
    variance ratios); the Newton-predicted gain is in log-likelihood units, so one tolerance
    fits every model. At lme4's optimum it is below 1e-8; where L-BFGS stopped short it was
    about 3e-5 — exactly the log-likelihood still missing. Variance components on the
    boundary (zero) are left out: there the optimum is constrained and the gradient need not
    vanish.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            gradient = np.asarray(model.score(result.params_object, profile_fe=False), dtype=float)
            hessian = model.hessian(result.params_object)
            hessian = np.asarray(hessian[0] if isinstance(hessian, tuple) else hessian, dtype=float)
        ratios = np.asarray(result.params_object.vcomp, dtype=float)
        interior = np.ones(len(gradient), dtype=bool)
        if len(ratios):
            interior[len(gradient) - len(ratios):] = np.sqrt(np.abs(ratios)) >= SINGULAR_RELATIVE_SD
        gradient = gradient[interior]
        hessian = hessian[np.ix_(interior, interior)]
        step = np.linalg.lstsq(-hessian, gradient, rcond=None)[0]
        return float(abs(0.5 * gradient @ step))
    except Exception:  # noqa: BLE001 - an uncomputable check counts as failed
        return float("inf")


#: Optimisers tried in turn from the best point so far while the Newton check fails:
#: BFGS polishes an interior optimum; Powell (derivative-free) reaches boundary optima
#: (a variance at zero) where gradient methods stall.
POLISHERS = (("bfgs", {"gtol": 1e-6}), ("powell", {"maxiter": 5000}))


def _fit_checked(model, start_params=None):
    """L-BFGS, then the Newton-gain check, then polishers while the optimum is not reached."""
    notes = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = model.fit(reml=True, method=["lbfgs"], start_params=start_params)
        gain = newton_gain(model, result)
        for method, options in POLISHERS:
            if gain <= GAIN_TOLERANCE:
                break
            try:
                polished = model.fit(reml=True, method=[method], start_params=result.params_object,
                                     **options)
            except Exception as exc:  # noqa: BLE001 - a failed polisher leaves the best fit so far
                notes.append(f"{method} polish failed ({type(exc).__name__}).")
                continue
            polished_gain = newton_gain(model, polished)
            notes.append(f"optimum check: {gain:.1e} log-likelihood units still to gain (Newton "
                         f"estimate); {method} polish: log-likelihood {result.llf:.5f} → "
                         f"{polished.llf:.5f}, still to gain {polished_gain:.1e}.")
            if polished.llf >= result.llf - 1e-9:
                # statsmodels' own flag is about its last optimiser; the Newton check decides
                polished.converged = polished.converged or polished_gain <= GAIN_TOLERANCE
                result, gain = polished, polished_gain
    return result, gain, notes


def fit_lmm(spec: ModelSpec, frame: pd.DataFrame) -> FitResult:
    """Fit a Gaussian mixed model with crossed random effects (REML)."""
    if spec.structure == "maximal":
        raise EngineCapabilityError(
            "engine statsmodels cannot fit correlated by-participant slopes (maximal structure); "
            "use --engine mixedlm, or --structure zero_correlation")
    started = time.process_time()
    model = _build(spec, frame)
    notes = []
    start = None
    if spec.structure == "zero_correlation":
        # warm start: fixed effects and intercept variances from the crossed-intercept fit
        base = _build(spec.with_structure("crossed_intercepts"), frame)
        base_result, _, base_notes = _fit_checked(base)
        from statsmodels.regression.mixed_linear_model import MixedLMParams

        ratios = dict(zip(base.exog_vc.names, base_result.vcomp / base_result.scale))
        first = ratios.get("participant", 0.1) or 0.1
        vcomp = np.array([ratios.get(name, 0.1 * first) for name in model.exog_vc.names])
        start = MixedLMParams.from_components(fe_params=np.asarray(base_result.fe_params),
                                              cov_re=np.zeros((0, 0)), vcomp=vcomp)
        notes.append("warm-started from the crossed-intercept fit.")
    result, gradient, fit_notes = _fit_checked(model, start)
    notes += fit_notes
    terms = [fixed_term_label(n, spec) for n in model.exog_names]
    fixed = fixed_effects_frame(terms, result.fe_params, result.bse_fe, "t")
    rows = []
    residual = float(result.scale)
    singular = False
    for name, variance in zip(model.exog_vc.names, result.vcomp):
        group, _, term = name.partition(":")
        variance = float(variance)
        rows.append({"group": group, "term": term or "(Intercept)", "term2": None,
                     "variance": variance, "sd": float(np.sqrt(max(variance, 0.0))), "corr": np.nan})
        if np.sqrt(max(variance, 0.0) / residual) < SINGULAR_RELATIVE_SD:
            singular = True
    rows.append({"group": "Residual", "term": None, "term2": None, "variance": residual,
                 "sd": float(np.sqrt(residual)), "corr": np.nan})
    converged = bool(result.converged) and gradient <= GAIN_REJECT
    if result.converged and not converged:
        notes.append(f"statsmodels reported convergence but one Newton step would still gain "
                     f"{gradient:.1e} in log-likelihood: not accepted.")
    return FitResult(
        engine=ENGINE, family="gaussian", structure=spec.structure, formula=spec.lme4_formula(),
        fixed_effects=fixed, random_effects=random_effects_frame(rows),
        log_likelihood=float(result.llf), reml=True, converged=converged, singular=singular,
        optimum_check=gradient, n_obs=int(model.nobs), n_participants=frame["participant"].nunique(),
        n_items=frame["item"].nunique() if spec.item_effects else 0, cpu_s=time.process_time() - started,
        se_definition="inverse observed information of the REML criterion (statsmodels bse_fe)",
        notes=notes + ["one-group variance-components formulation; "
                       f"use_sparse={int(model.nobs) >= SPARSE_FROM_ROWS}."])


def fit_binomial(spec: ModelSpec, frame: pd.DataFrame) -> FitResult:
    """Variational-Bayes binomial GLMM with crossed participant and item intercepts."""
    from statsmodels.genmod.bayes_mixed_glm import BinomialBayesMixedGLM

    if spec.structure != "crossed_intercepts":
        raise EngineCapabilityError(
            f"engine statsmodels fits binomial models with crossed intercepts only, not {spec.structure}; "
            "use --engine mixedlm")
    started = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = BinomialBayesMixedGLM.from_formula(
            f"{spec.response} ~ {spec.fixed_rhs()}",
            _vc_formulas(spec), frame)
        result = model.fit_vb()
    terms = [fixed_term_label(n, spec) for n in model.exog_names]
    fixed = fixed_effects_frame(terms, result.fe_mean, result.fe_sd, "z")
    rows = []
    for name, log_sd in zip(model.vcp_names, result.vcp_mean):
        sd = float(np.exp(log_sd))
        rows.append({"group": name, "term": "(Intercept)", "term2": None, "variance": sd * sd,
                     "sd": sd, "corr": np.nan})
    singular = any(r["sd"] < SINGULAR_RELATIVE_SD for r in rows)
    converged = bool(getattr(result, "optim_retvals", None) is None or
                     getattr(result.optim_retvals, "success", True))
    return FitResult(
        engine=ENGINE, family="binomial", structure="crossed_intercepts", formula=spec.lme4_formula(),
        fixed_effects=fixed, random_effects=random_effects_frame(rows), log_likelihood=None,
        reml=False, converged=converged, singular=singular, optimum_check=None, n_obs=len(frame),
        n_participants=frame["participant"].nunique(), n_items=frame["item"].nunique() if spec.item_effects else 0,
        cpu_s=time.process_time() - started,
        se_definition="posterior SD of the variational approximation (not a frequentist SE)",
        notes=["BinomialBayesMixedGLM (variational Bayes): 'se' holds posterior SDs, which are "
               "smaller than glmer's standard errors (19–70% of them in our measurements; see docs/analysis.md); random-"
               "effect SDs are exp(posterior mean of log SD); no log-likelihood."])
