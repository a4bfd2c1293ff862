"""The per-condition ex-Gaussian: the best a condition-means account can do.

Each design cell (task × instruction × condition, × SOA or ordinal position where the task has
them) gets its own ex-Gaussian RT distribution (μ, σ, τ) and its own probability of a correct
answer, all fitted by maximum likelihood per participant. It knows nothing about *why* cells
differ, so it is a ceiling for process models that explain cell differences with fewer
parameters: a process model that loses to it on BIC explains less than a table of cells does.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pandas as pd

from models.base import Model, ModelInputError
from models.likelihood.residuals import exgauss_logpdf, exgauss_sample
from models.likelihood.families import residual_defaults
from models.likelihood.trials import cell_keys, scored_trials, with_lapses

#: The columns that make a design cell, where a trial table has them.
CELL_COLUMNS = ("task", "instruction", "condition", "soa_ms", "ordinal_position")


def _cell_labels(trials: pd.DataFrame) -> pd.Series:
    present = [c for c in CELL_COLUMNS if c in trials.columns]
    # str() of each value: pandas 3 keeps NaN as missing under astype(str), which join refuses
    return trials[present].map(str).agg("|".join, axis=1)


def fit_exgauss(rt_ms: np.ndarray) -> tuple[float, float, float]:
    """Maximum-likelihood (μ, σ, τ) of one sample, started at the method-of-moments values."""
    from scipy.optimize import minimize

    rt = np.asarray(rt_ms, dtype=float)
    mean, sd = float(rt.mean()), float(rt.std()) if len(rt) > 1 else 50.0
    sd = max(sd, 1.0)
    tau0 = max(0.5 * sd, 5.0)
    sigma0 = max(np.sqrt(max(sd ** 2 - tau0 ** 2, 1.0)), 5.0)
    x0 = np.array([mean - tau0, np.log(sigma0), np.log(tau0)])

    def negative(x):
        return -float(np.sum(exgauss_logpdf(rt, x[0], np.exp(x[1]), np.exp(x[2]))))

    bounds = [(0.0, 5000.0), (np.log(1.0), np.log(2000.0)), (np.log(1.0), np.log(3000.0))]
    result = minimize(negative, x0, method="L-BFGS-B", bounds=bounds)
    return float(result.x[0]), float(np.exp(result.x[1])), float(np.exp(result.x[2]))


class YardstickLikelihood:
    """The likelihood object of a yardstick: its own per-trial ``loglik`` (parameters are the
    fitted cells, so ``params`` is ignored)."""

    def __init__(self, model, human_trials, **_options):
        self.model = model
        self.scored = scored_trials(human_trials, model.name)
        self.trials = human_trials

    def loglik(self, params=None) -> np.ndarray:
        return self.model.loglik(self.trials)


class ExGaussianYardstick(Model):
    """Per-cell ex-Gaussian RTs and per-cell accuracy (descriptive, no process)."""

    likelihood_class: ClassVar[type] = YardstickLikelihood

    name: ClassVar[str] = "exgauss-conditions"
    version: ClassVar[str] = "1.1"       # 1.1: the lapse process mixed in
    tasks: ClassVar[tuple[str, ...]] = ("stroop", "picture-word", "continuous-naming")
    summary: ClassVar[str] = ("yardstick: an ex-Gaussian RT distribution and an accuracy per "
                              "design cell, fitted by maximum likelihood (the ceiling of a "
                              "condition-means account)")

    def __init__(self, cells: dict[str, dict[str, float]] | None = None):
        self.cells = cells

    # ------------------------------------------------------------------ fitting
    def fit(self, human_trials: pd.DataFrame) -> dict[str, Any]:
        """Maximum likelihood per cell on ``human_trials`` (pooled over whoever is in them)."""
        scored = scored_trials(human_trials, self.name)
        labels = _cell_labels(scored.trials)
        cells = {}
        for label in pd.unique(labels):
            rows = (labels == label).to_numpy()
            mu, sigma, tau = fit_exgauss(scored.rt_ms[rows])
            p = float(np.clip(scored.correct[rows].mean(), 1e-3, 1 - 1e-3))
            cells[str(label)] = {"mu_ms": mu, "sigma_ms": sigma, "tau_ms": tau, "p_correct": p,
                                 "n": int(rows.sum())}
        self.cells = cells
        loglik = float(np.sum(self.loglik(human_trials)))
        return {"cells": cells, "loglik": loglik, "n_free": 4 * len(cells), "n": len(scored)}

    def _cell_params(self, trials: pd.DataFrame) -> pd.DataFrame:
        if not self.cells:
            raise ModelInputError(f"model {self.name}: no cell parameters; fit it first")
        labels = _cell_labels(trials)
        missing = sorted(set(labels) - set(self.cells))
        if missing:
            raise ModelInputError(f"model {self.name}: no fitted parameters for cell {missing[0]!r}")
        return pd.DataFrame([self.cells[label] for label in labels])

    def loglik(self, human_trials: pd.DataFrame) -> np.ndarray:
        """Per scored trial: log p(correct | cell) + log exGaussian(rt | cell), with the lapse
        process every other model's likelihood has (``lapse_rate`` at its default, as in the
        process models' default fits). Without it one held-out RT below a cell's fitted μ,
        where a near-zero σ leaves no density, cost ~700 log-units (Pratte participant 18)."""
        scored = scored_trials(human_trials, self.name)
        cell = self._cell_params(scored.trials)
        p = cell["p_correct"].to_numpy(float)
        log_choice = np.where(scored.correct, np.log(p), np.log1p(-p))
        log_choice_rt = log_choice + exgauss_logpdf(scored.rt_ms, cell["mu_ms"].to_numpy(float),
                                                    cell["sigma_ms"].to_numpy(float),
                                                    cell["tau_ms"].to_numpy(float))
        return with_lapses(log_choice_rt, residual_defaults()["lapse_rate"])

    def maximum_likelihood_fit(self, trials: pd.DataFrame):
        """(fitted parameters, per-trial log-likelihood, number of free parameters, scored
        trials) — the closed-loop fit ``models.fitting`` uses instead of BADS."""
        report = self.fit(trials)
        return report["cells"], self.loglik(trials), report["n_free"], scored_trials(trials, self.name)

    # ------------------------------------------------------------------ protocol
    def simulate(self, trials: pd.DataFrame, n: int = 1, seed: int | None = None) -> pd.DataFrame:
        self.check_task(trials)
        rng = np.random.default_rng(seed)
        frames = []
        base = trials.reset_index(drop=True)
        cell = self._cell_params(base)
        for agent in range(int(n)):
            out = base.copy()
            out["rt_ms"] = exgauss_sample(rng, cell["mu_ms"].to_numpy(), cell["sigma_ms"].to_numpy(),
                                          cell["tau_ms"].to_numpy(), len(base))
            out["correct"] = rng.random(len(base)) < cell["p_correct"].to_numpy()
            out["response"] = np.where(out["correct"], out.get("expected_response", ""), "")
            out["source"] = f"model:{self.name}"
            out["agent"] = f"sim-{agent + 1:03d}"
            out["extras"] = [{} for _ in range(len(base))]
            frames.append(out)
        return pd.concat(frames, ignore_index=True)


__all__ = ["ExGaussianYardstick", "fit_exgauss", "cell_keys"]
