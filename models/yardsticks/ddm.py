"""A drift-diffusion yardstick (``pyddm``): one drift rate per design cell, one bound, one
non-decision time, a 2 % uniform contaminant.

The floor a process model's fit is read against: the diffusion model is the standard account
of a speeded two-choice RT distribution with correct and error responses, with no idea of
what makes the cells differ beyond a drift per cell. Fitted per participant by maximum
likelihood: pyddm's Fokker–Planck solver gives the exact density of correct and error RTs on
a 5-ms grid, and BADS (``models.fitting.optimiser``) maximises it within bounds — pyddm's own
simplex fitter wandered outside the parameter bounds (a negative non-decision time) on
Pratte et al.'s participant 02, and its differential evolution takes minutes per participant.

Densities are returned per ms, like every other likelihood in ``models.likelihood``.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pandas as pd

from models.base import Model, ModelInputError
from models.likelihood.residuals import LOG_DENSITY_FLOOR
from models.likelihood.families import residual_defaults
from models.likelihood.trials import RT_WINDOW_MS, scored_trials, with_lapses
from models.yardsticks.exgauss import YardstickLikelihood, _cell_labels

#: Time step and evidence step of pyddm's solver, and the longest RT it represents (s).
DT_S, DX = 0.005, 0.01
T_DUR_S = RT_WINDOW_MS[1] / 1000 + 0.1


def _pyddm_model(n_cells: int, values: dict[str, float] | None = None):
    """A pyddm model with drift_0..drift_{n−1}, bound B and non-decision time ndt (s); free
    (fittable ranges) unless ``values`` fixes them."""
    import pyddm

    options = dict(conditions=["cell"], dt=DT_S, dx=DX, T_dur=T_DUR_S, mixture_coef=0.02)
    if values is not None:
        drifts = [float(values[f"drift_{i}"]) for i in range(n_cells)]
        return pyddm.gddm(drift=lambda cell: drifts[int(cell)], bound=float(values["B"]),
                          nondecision=float(values["ndt"]), **options)
    names = [f"drift_{i}" for i in range(n_cells)]
    drift = eval("lambda cell, " + ", ".join(names) + ": [" + ", ".join(names)  # noqa: S307
                 + "][int(cell)]")
    ranges = {name: (-3.0, 8.0) for name in names}
    ranges.update({"B": (0.3, 3.0), "ndt": (0.05, 1.0)})
    return pyddm.gddm(drift=drift, bound="B", nondecision="ndt", parameters=ranges, **options)


class DriftDiffusionYardstick(Model):
    """Drift per cell, shared bound and non-decision time (pyddm)."""

    name: ClassVar[str] = "ddm"
    version: ClassVar[str] = "1.1"       # 1.1: the lapse process mixed in
    tasks: ClassVar[tuple[str, ...]] = ("stroop", "picture-word", "continuous-naming")
    summary: ClassVar[str] = ("yardstick: drift-diffusion model (pyddm), one drift per design "
                              "cell, one bound, one non-decision time, fitted by maximum likelihood")
    likelihood_class: ClassVar[type] = YardstickLikelihood

    def __init__(self, cells: list[str] | None = None, values: dict[str, float] | None = None):
        self.cells = cells
        self.values = values

    def _cell_index(self, trials: pd.DataFrame) -> np.ndarray:
        labels = _cell_labels(trials)
        if not self.cells:
            raise ModelInputError(f"model {self.name}: no fitted parameters; fit it first")
        lookup = {label: i for i, label in enumerate(self.cells)}
        unknown = sorted(set(labels) - set(lookup))
        if unknown:
            raise ModelInputError(f"model {self.name}: no fitted drift for cell {unknown[0]!r}")
        return labels.map(lookup).to_numpy(int)

    def fit(self, human_trials: pd.DataFrame, seed: int = 0,
            max_fun_evals: int | None = None) -> dict[str, Any]:
        """Maximum likelihood with BADS over pyddm's exact (Fokker–Planck) likelihood."""
        import pyddm

        from models.fitting.optimiser import minimise

        pyddm.set_log_level("ERROR")
        scored = scored_trials(human_trials, self.name)
        self.cells = list(pd.unique(_cell_labels(scored.trials)))
        names = [f"drift_{i}" for i in range(len(self.cells))] + ["B", "ndt"]
        lower = np.array([-3.0] * len(self.cells) + [0.3, 0.05])
        upper = np.array([8.0] * len(self.cells) + [3.0, 1.0])
        plausible_lower = np.array([0.2] * len(self.cells) + [0.6, 0.15])
        plausible_upper = np.array([4.0] * len(self.cells) + [2.0, 0.5])

        def negative_loglik(x):
            self.values = dict(zip(names, map(float, x)))
            return -float(np.sum(self._scored_loglik(scored)))

        result = minimise(negative_loglik, (plausible_lower + plausible_upper) / 2, lower, upper,
                          plausible_lower, plausible_upper, seed=seed,
                          max_fun_evals=max_fun_evals or 40 * (len(names) + 1))
        self.values = dict(zip(names, map(float, result.x)))
        return {"cells": self.cells, "values": self.values, "loglik": -result.fval,
                "n_free": len(names), "n": len(scored), "n_evaluations": result.n_evaluations}

    def _solutions(self):
        model = _pyddm_model(len(self.cells), self.values)
        return [model.solve(conditions={"cell": i}) for i in range(len(self.cells))]

    def loglik(self, human_trials: pd.DataFrame) -> np.ndarray:
        """Per scored trial: log density (per ms) of the choice and RT, lapses mixed in."""
        return self._scored_loglik(scored_trials(human_trials, self.name))

    def _scored_loglik(self, scored) -> np.ndarray:
        cell = self._cell_index(scored.trials)
        out = np.full(len(scored), LOG_DENSITY_FLOOR)
        step = np.round(scored.rt_ms / 1000.0 / DT_S).astype(int)
        for i, solution in enumerate(self._solutions()):
            for choice, name in ((True, "correct"), (False, "error")):
                rows = (cell == i) & (scored.correct == choice)
                if rows.any():
                    pdf = solution.pdf(name)
                    values = pdf[np.clip(step[rows], 0, len(pdf) - 1)] / 1000.0
                    with np.errstate(divide="ignore"):
                        out[rows] = np.maximum(np.log(values), LOG_DENSITY_FLOOR)
        # the lapse process of every other model's likelihood, at its default rate
        return with_lapses(out, residual_defaults()["lapse_rate"])

    def maximum_likelihood_fit(self, trials: pd.DataFrame):
        report = self.fit(trials)
        return report["values"], self.loglik(trials), report["n_free"], scored_trials(trials, self.name)

    def simulate(self, trials: pd.DataFrame, n: int = 1, seed: int | None = None) -> pd.DataFrame:
        self.check_task(trials)
        base = trials.reset_index(drop=True)
        cell = self._cell_index(base)
        solutions = self._solutions()
        rng = np.random.default_rng(seed)
        frames = []
        for agent in range(int(n)):
            rt = np.empty(len(base))
            correct = np.empty(len(base), dtype=bool)
            for i, solution in enumerate(solutions):
                rows = np.flatnonzero(cell == i)
                p_ok, p_err = solution.prob("correct"), solution.prob("error")
                grid = solution.t_domain * 1000.0
                ok = rng.random(len(rows)) < p_ok / (p_ok + p_err)
                for flag, name in ((True, "correct"), (False, "error")):
                    pick = rows[ok == flag]
                    pdf = solution.pdf(name)
                    weights = pdf / pdf.sum() if pdf.sum() > 0 else None
                    rt[pick] = rng.choice(grid, size=len(pick), p=weights)
                    correct[pick] = flag
            out = base.copy()
            out["rt_ms"], out["correct"] = rt, correct
            out["response"] = np.where(correct, out.get("expected_response", ""), "")
            out["source"] = f"model:{self.name}"
            out["agent"] = f"sim-{agent + 1:03d}"
            out["extras"] = [{} for _ in range(len(base))]
            frames.append(out)
        return pd.concat(frames, ignore_index=True)
