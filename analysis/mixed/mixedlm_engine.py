"""The ``mixedlm`` engine (PyPI ``mixedlm`` 1.3.*, Rust core, lme4-style formulas).

It expresses what statsmodels cannot: the maximal ``(1 + condition | participant) + (1 | item)``
with slope–intercept correlations, and binomial GLMMs with crossed random effects by Laplace
approximation (as ``glmer(nAGQ = 1)``). Its coefficients are numbered per factor
(``condition.1`` = the second level of ``condition`` under treatment contrasts); they are
mapped back to level labels here (``condition[neutral]``).

Standard errors of binomial fixed effects: ``mixedlm`` inverts the Fisher information of the
penalised working (PIRLS) model at the estimated variance parameters — the definition of lme4's
``vcov(fit, use.hessian = FALSE)`` ("RX-based"), not glmer's default finite-difference Hessian
of the Laplace deviance over (theta, beta). The two differ by a few percent at most on our
reference data (see docs/analysis.md).
"""

from __future__ import annotations

import re
import time
import warnings

import numpy as np
import pandas as pd

from analysis.mixed.spec import FitResult, ModelSpec, fixed_effects_frame, random_effects_frame

ENGINE = "mixedlm"
_NUMBERED = re.compile(r"^(?P<name>\w+)\.(?P<index>\d+)$")
_SLOPE = re.compile(r"^slope_(?P<index>\d+)$")
LMM_SE_DEFINITION = "lme4's: sigma^2 (RX'RX)^-1 at the REML optimum"
GLMM_SE_DEFINITION = ("RX-based (lme4 vcov(use.hessian = FALSE)): inverse Fisher information of the "
                      "PIRLS working model at the estimated theta")


def term_label(name: str, spec: ModelSpec) -> str:
    """Map ``condition.1`` → ``condition[neutral]``, ``slope_0`` → its contrast label, per ``:`` part."""
    slope_labels = [label for _, label in spec.slope_columns()]
    levels = {p.name: p.levels for p in spec.predictors if p.categorical}
    parts = []
    for part in name.split(":"):
        numbered = _NUMBERED.match(part)
        slope = _SLOPE.match(part)
        if numbered and numbered["name"] in levels:
            parts.append(f"{numbered['name']}[{levels[numbered['name']][int(numbered['index'])]}]")
        elif slope and int(slope["index"]) < len(slope_labels):
            parts.append(slope_labels[int(slope["index"])])
        else:
            parts.append(part)
    return ":".join(parts)


def _formula(spec: ModelSpec) -> str:
    slope_columns = " + ".join(f"slope_{i}" for i in range(len(spec.slope_columns())))
    slope_terms = slope_columns if spec.structure == "zero_correlation" else " + ".join(spec.slopes)
    return f"{spec.response} ~ {spec.fixed_rhs()} + {spec.random_part(slope_terms)}"


def _random_rows(fit, spec: ModelSpec, residual: float | None) -> list[dict]:
    rows = []
    for group in fit.VarCorr().groups.values():
        factor = group.grouping_factor or group.name.split(".")[0]
        terms = [term_label(t, spec) for t in group.term_names]
        for i, term in enumerate(terms):
            variance = float(group.cov[i, i])
            rows.append({"group": factor, "term": term, "term2": None, "variance": variance,
                         "sd": float(np.sqrt(max(variance, 0.0))), "corr": np.nan})
        if group.corr is not None:
            for i in range(len(terms)):
                for j in range(i + 1, len(terms)):
                    rows.append({"group": factor, "term": terms[i], "term2": terms[j],
                                 "variance": float(group.cov[i, j]), "sd": np.nan,
                                 "corr": float(group.corr[i, j])})
    if residual is not None:
        rows.append({"group": "Residual", "term": None, "term2": None, "variance": residual,
                     "sd": float(np.sqrt(residual)), "corr": np.nan})
    return rows


def _common(fit, spec: ModelSpec, frame: pd.DataFrame, family: str, started: float,
            se_definition: str, residual: float | None, notes: list[str]) -> FitResult:
    names = list(fit.fixef().keys())
    terms = [term_label(n, spec) for n in names]
    se = np.sqrt(np.diag(np.asarray(fit.vcov(), dtype=float)))
    gradient = getattr(fit, "gradient_norm", None)
    converged = bool(fit.converged) and bool(getattr(fit, "pirls_converged", True))
    return FitResult(
        engine=ENGINE, family=family, structure=spec.structure, formula=spec.lme4_formula(),
        fixed_effects=fixed_effects_frame(terms, list(fit.fixef().values()), se,
                                          "t" if family == "gaussian" else "z"),
        random_effects=random_effects_frame(_random_rows(fit, spec, residual)),
        log_likelihood=float(fit.logLik()), reml=family == "gaussian", converged=converged,
        singular=bool(fit.isSingular()), optimum_check=None if gradient is None else float(gradient),
        n_obs=int(fit.nobs()), n_participants=frame["participant"].nunique(),
        n_items=frame["item"].nunique() if spec.item_effects else 0, cpu_s=time.process_time() - started,
        se_definition=se_definition, notes=notes)


def fit_lmm(spec: ModelSpec, frame: pd.DataFrame) -> FitResult:
    """REML fit of a Gaussian mixed model (any of the three structures)."""
    import mixedlm

    started = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = mixedlm.lmer(_formula(spec), frame, REML=True)
    sigma = fit.sigma() if callable(fit.sigma) else fit.sigma
    residual = float(sigma) ** 2
    notes = [f"mixedlm formula: {_formula(spec)}."]
    return _common(fit, spec, frame, "gaussian", started, LMM_SE_DEFINITION, residual, notes)


def fit_binomial(spec: ModelSpec, frame: pd.DataFrame) -> FitResult:
    """Laplace-approximation binomial GLMM with crossed random effects (as glmer, nAGQ = 1)."""
    import mixedlm

    started = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = mixedlm.glmer(_formula(spec), frame, family=mixedlm.families.Binomial())
    notes = ["Laplace approximation (nAGQ = 1); SEs are RX-based (lme4's use.hessian = FALSE)."]
    return _common(fit, spec, frame, "binomial", started, GLMM_SE_DEFINITION, None, notes)
