"""Fitting one lme4-style formula on the ``mixedlm`` engine, with R's names for every coefficient.

Linear models go through ``mixedlm.lmer`` (REML or ML; the same answer as lme4 to 1e-6 on our
reference data) with Satterthwaite degrees of freedom and p-values (as lmerTest prints them).
GLMMs go through ``analysis.mixed.glmm_optimum``: mixedlm's own Laplace deviance optimised
with BOBYQA, as glmer does, and checked from several starts.
"""

from __future__ import annotations

import re
import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from analysis.errors import AnalysisInputError
from analysis.mixed.formula import Formula
from analysis.mixed.spec import RANDOM_COLUMNS, FittedEffects, random_effects_frame

FAMILIES = ("gaussian", "binomial", "gamma-identity", "inverse-gaussian-identity")
#: lme4's singularity rule (``isSingular(tol = 1e-4)``): a relative SD (Cholesky diagonal) below it.
SINGULAR_TOL = 1e-4
_NUMBERED = re.compile(r"^(?P<name>.+)\.(?P<index>\d+)$")
FIXED_COLUMNS = ["term", "estimate", "se", "df", "statistic", "statistic_name", "p"]


@dataclass
class Factor:
    """A categorical predictor: ordered levels, the contrast matrix and R's column names."""

    name: str
    levels: list[str]
    coding: str
    matrix: np.ndarray
    column_names: list[str]


@dataclass
class FormulaFit(FittedEffects):
    """One fitted formula: DataFrames of fixed and random effects plus the fit's checks."""

    formula: str
    family: str
    engine: str
    reml: bool
    fixed_effects: pd.DataFrame
    random_effects: pd.DataFrame
    log_likelihood: float | None
    criterion: float | None              # REML criterion or deviance (−2 logLik), as lme4 prints
    converged: bool
    singular: bool
    n_obs: int
    n_groups: dict[str, int]
    cpu_s: float
    se_definition: str
    optimum: pd.DataFrame = field(default_factory=pd.DataFrame)   # restarts (GLMMs)
    boundary_groups: list[str] = field(default_factory=list)      # groups on the boundary
    notes: list[str] = field(default_factory=list)
    error: str | None = None

    def relative_sds(self) -> pd.DataFrame:
        """Per random-effect term: SD relative to the residual SD (1 for GLMMs without one)."""
        rows = self.random_effects
        residual = rows.loc[rows["group"] == "Residual", "sd"]
        scale = float(residual.iloc[0]) if len(residual) else 1.0
        terms = rows[(rows["group"] != "Residual") & rows["term2"].isna()].copy()
        terms["relative_sd"] = terms["sd"] / scale
        return terms[["group", "term", "relative_sd"]].reset_index(drop=True)

    def summary_row(self) -> dict[str, Any]:
        return {"formula": self.formula, "family": self.family, "engine": self.engine,
                "reml": self.reml, "log_likelihood": self.log_likelihood, "criterion": self.criterion,
                "converged": self.converged, "singular": self.singular, "n_obs": self.n_obs,
                **{f"n_{group}": n for group, n in self.n_groups.items()},
                "cpu_s": round(self.cpu_s, 3), "se_definition": self.se_definition,
                "notes": " ".join(self.notes), "error": self.error}


def term_label(name: str, factors: dict[str, Factor]) -> str:
    """mixedlm's ``session.1:group.1`` → R's ``session2:group2-1``."""
    parts = []
    for part in name.split(":"):
        numbered = _NUMBERED.match(part)
        if numbered and numbered["name"] in factors:
            factor = factors[numbered["name"]]
            parts.append(factor.name + factor.column_names[int(numbered["index"]) - 1])
        else:
            parts.append(part)
    return ":".join(parts)


def mixedlm_family(family: str):
    from mixedlm import families

    if family == "binomial":
        return families.Binomial()
    if family == "gamma-identity":
        return families.Gamma(link="identity")
    if family == "inverse-gaussian-identity":
        return families.InverseGaussian(link="identity")
    raise AnalysisInputError(f"unknown family {family!r}; choose one of: {', '.join(FAMILIES)}")


def random_rows(fit, factors: dict[str, Factor], residual_variance: float | None) -> list[dict]:
    rows = []
    for group in fit.VarCorr().groups.values():
        factor = group.grouping_factor or group.name.split(".")[0]
        terms = [term_label(t, factors) for t in group.term_names]
        cov = np.atleast_2d(np.asarray(group.cov, dtype=float))
        for i, term in enumerate(terms):
            rows.append({"group": factor, "term": term, "term2": None, "variance": float(cov[i, i]),
                         "sd": float(np.sqrt(max(cov[i, i], 0.0))), "corr": np.nan})
        if group.corr is not None:
            corr = np.atleast_2d(np.asarray(group.corr, dtype=float))
            for i in range(len(terms)):
                for j in range(i + 1, len(terms)):
                    rows.append({"group": factor, "term": terms[i], "term2": terms[j],
                                 "variance": float(cov[i, j]), "sd": np.nan, "corr": float(corr[i, j])})
    if residual_variance is not None:
        rows.append({"group": "Residual", "term": None, "term2": None, "variance": residual_variance,
                     "sd": float(np.sqrt(residual_variance)), "corr": np.nan})
    return rows


def singular_groups(fit, residual_variance: float | None) -> dict[str, float]:
    """{group: smallest relative SD along any direction} for groups on the boundary.

    A group is singular when its relative covariance matrix is (near) rank-deficient: the
    smallest eigenvalue's square root below ``SINGULAR_TOL`` — a zero variance or a ±1
    correlation, the cases lme4's ``isSingular`` finds.
    """
    scale = residual_variance if residual_variance else 1.0
    found = {}
    for group in fit.VarCorr().groups.values():
        name = group.grouping_factor or group.name.split(".")[0]
        cov = np.atleast_2d(np.asarray(group.cov, dtype=float)) / scale
        smallest = float(np.sqrt(max(np.linalg.eigvalsh(cov).min(), 0.0)))
        if smallest < SINGULAR_TOL:
            found[name] = min(smallest, found.get(name, np.inf))
    return found


def fit_lmm(formula: Formula, frame: pd.DataFrame, factors: dict[str, Factor], reml: bool,
            ddf: bool = True) -> tuple[FormulaFit, Any]:
    """lmer fit with Satterthwaite df and p-values; returns (FormulaFit, mixedlm fit)."""
    import mixedlm

    started = time.process_time()
    contrasts = {name: f.matrix for name, f in factors.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = mixedlm.lmer(formula.text(), frame, REML=reml, contrasts=contrasts or None)
    names = list(fit.fixef().keys())
    estimates = np.array(list(fit.fixef().values()), dtype=float)
    se = np.sqrt(np.diag(np.asarray(fit.vcov(), dtype=float)))
    statistic = estimates / se
    df = np.full(len(names), np.nan)
    p = np.full(len(names), np.nan)
    notes = []
    if ddf:
        try:
            from scipy import stats

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                df = np.asarray(mixedlm.satterthwaite_df(fit).df, dtype=float)
            p = 2 * stats.t.sf(np.abs(statistic), df)
        except Exception as exc:  # noqa: BLE001 - df are reported missing, with the reason
            notes.append(f"Satterthwaite df not computed ({type(exc).__name__}: {exc}).")
    sigma = fit.sigma() if callable(fit.sigma) else fit.sigma
    residual = float(sigma) ** 2
    fixed = pd.DataFrame({"term": [term_label(n, factors) for n in names], "estimate": estimates,
                          "se": se, "df": df, "statistic": statistic, "statistic_name": "t", "p": p})
    criterion = float(fit.REMLcrit()) if reml else float(-2 * float(fit.logLik()))
    boundary = sorted(singular_groups(fit, residual))
    singular = bool(boundary) or bool(fit.isSingular())
    result = FormulaFit(boundary_groups=boundary,
        formula=formula.text(), family="gaussian", engine="mixedlm", reml=reml, fixed_effects=fixed,
        random_effects=random_effects_frame(random_rows(fit, factors, residual)),
        log_likelihood=float(fit.logLik()), criterion=criterion,
        converged=bool(fit.converged), singular=singular, n_obs=int(fit.nobs()),
        n_groups={g: int(frame[g].nunique()) for g in formula.groups()},
        cpu_s=time.process_time() - started,
        se_definition="lme4's: sigma^2 (RX'RX)^-1 at the optimum; df by Satterthwaite (lmerTest)",
        notes=notes)
    return result, fit


def failed_fit(formula: Formula, family: str, reml: bool, frame: pd.DataFrame,
               error: Exception) -> FormulaFit:
    return FormulaFit(
        formula=formula.text(), family=family, engine="mixedlm", reml=reml,
        fixed_effects=pd.DataFrame(columns=FIXED_COLUMNS), random_effects=pd.DataFrame(columns=RANDOM_COLUMNS),
        log_likelihood=None, criterion=None, converged=False, singular=False, n_obs=len(frame),
        n_groups={g: int(frame[g].nunique()) for g in formula.groups() if g in frame},
        cpu_s=0.0, se_definition="", error=f"{type(error).__name__}: {error}".splitlines()[0])
