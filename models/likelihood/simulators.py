"""Simulation-based likelihoods of the Stroop CNN and of Howard et al.'s (2006) naming model.

Both models have a latency with no closed-form distribution — the CNN's uncertainty
1 − p(response), which varies with how each stimulus is rendered (font, size, position, ink
jitter), and the Howard network's noisy cycles to threshold — so, as for the PDP networks
(``families.PDPLikelihood``), each *cell* is simulated many times, the latencies of each choice
are summarised by :data:`~models.likelihood.families.N_QUANTILES` quantiles, and

    f(rt, choice) = p(choice) · (1/Q) Σ_q g(rt − intercept_ms − ms_per_unit · latency_q)

with g the ex-Gaussian residual (the kernel *is* the trial-level noise; no bandwidth). The
mapping parameters (``intercept_ms``, ``ms_per_unit``) and the residual need no new simulation:
a fit that moves only them pays for the kernel sum alone.

* :class:`CNNLikelihood` — a cell is instruction × condition (as for the PDP models); its
  distinct stimuli are rendered again and again until the cell has ``n_sim_per_cell`` runs.
  The CNN's weights are trained, not fitted (training takes minutes), so the simulations are
  made once per likelihood.
* :class:`HowardLikelihood` — a cell is a trial's *network configuration*: the drive of its
  target and of each category co-member (which depends on how often each was named before).
  Trials with the same configuration share a latency distribution (a 165-trial sequence has 6).
  When ``priming_increment`` is the one free network parameter, the summaries are simulated once
  on a grid over its hard bounds and interpolated, as ``PDPLikelihood.use_grid`` does.

Every simulation uses the likelihood's own seed (common random numbers), so the objective is a
deterministic, continuous function of the parameters for the optimiser.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from models.likelihood.families import (N_QUANTILES, GriddedSimulation, TrialLikelihood,
                                        cell_summary)
from models.likelihood.residuals import LOG_DENSITY_FLOOR


def quantile_kernel_loglik(summary, cells: np.ndarray, correct: np.ndarray, rt_ms: np.ndarray,
                           intercept_ms: float, ms_per_unit: float, noise) -> np.ndarray:
    """log p(choice, rt) per trial from per-cell latency quantiles (see module docstring)."""
    from scipy.special import logsumexp

    q_correct, q_error, p_correct, p_error = summary
    centres = intercept_ms + ms_per_unit * np.where(correct[:, None], q_correct[cells], q_error[cells])
    weight = np.where(correct, p_correct[cells], p_error[cells])
    log_kernel = noise.logpdf(rt_ms[:, None] - centres)
    with np.errstate(divide="ignore"):
        out = logsumexp(log_kernel, axis=1) - np.log(N_QUANTILES) + np.log(weight)
    return np.maximum(out, LOG_DENSITY_FLOOR)


class _QuantileKernelLikelihood(GriddedSimulation, TrialLikelihood):
    """Shared: mapping parameters, the kernel, the grid over one network parameter."""

    mapping_params = ("intercept_ms", "ms_per_unit")

    def cell_of_trials(self) -> np.ndarray:
        return self.cells

    def _simulate_summary(self, model_params: dict[str, Any]):
        raise NotImplementedError

    def _design_key(self) -> Any:
        raise NotImplementedError

    def _grid_key(self) -> tuple:
        return (self._design_key(), self.seed, self.n_sim_per_cell)

    def _log_choice_rt(self, model_params, noise) -> np.ndarray:
        return quantile_kernel_loglik(self._summary(model_params), self.cell_of_trials(),
                                      self.scored.correct, self.scored.rt_ms,
                                      float(model_params["intercept_ms"]),
                                      float(model_params["ms_per_unit"]), noise)


# ====================================================================== Stroop CNN
#: Stimulus columns that make two Stroop trials the same picture to render.
_CNN_STIMULUS_COLUMNS = ("task", "instruction", "condition", "ink", "word", "word_colour")


class CNNLikelihood(_QuantileKernelLikelihood):
    """The Stroop CNN's uncertainty, rendered anew on every simulated trial (module docstring).
    Rendering and a forward pass cost per image, so a cell gets 300 simulations by default."""

    default_simulations_per_cell = 300

    def __init__(self, model, human_trials, **options):
        super().__init__(model, human_trials, **options)
        trials = self.scored.trials
        columns = [c for c in _CNN_STIMULUS_COLUMNS if c in trials.columns]
        design = trials.drop_duplicates(subset=columns).reset_index(drop=True)
        labels = trials[[c for c in self.cell_columns if c in trials.columns]].astype(str).agg("|".join, axis=1)
        code_of = dict(zip(labels, self.cells))
        design_cells = np.array([code_of[v] for v in design[[c for c in self.cell_columns
                                                              if c in design.columns]]
                                 .astype(str).agg("|".join, axis=1)])
        self.n_cells = int(self.cells.max()) + 1
        per_cell = np.bincount(design_cells, minlength=self.n_cells)
        copies = np.ceil(self.n_sim_per_cell / per_cell[design_cells]).astype(int)
        self.design = design.iloc[np.repeat(np.arange(len(design)), copies)].reset_index(drop=True)
        self.design_cells = np.repeat(design_cells, copies)

    def _design_key(self):
        return int(pd.util.hash_pandas_object(self.design.astype(str), index=False).sum())

    def _uncertainty(self, trials: pd.DataFrame, seed: int):
        encoded, probabilities = self.model.response_probabilities(trials, n=1, seed=seed)
        chosen = probabilities.argmax(axis=1)
        uncertainty = 1.0 - probabilities[np.arange(len(chosen)), chosen]
        return uncertainty, chosen == encoded.correct_unit

    def _simulate_summary(self, model_params):
        self._configured(model_params)
        uncertainty, correct = self._uncertainty(self.design, self.seed)
        return cell_summary(uncertainty, correct, self.design_cells, self.n_cells)

    def _sample_model(self, model_params, rng):
        self._configured(model_params)
        uncertainty, correct = self._uncertainty(self.scored.trials, int(rng.integers(2 ** 31)))
        rt = float(model_params["intercept_ms"]) + float(model_params["ms_per_unit"]) * uncertainty
        return rt, correct


# ====================================================================== Howard et al. 2006
class HowardLikelihood(_QuantileKernelLikelihood):
    """Howard et al. (2006)-style network: cells are network configurations (module docstring).
    A response counts as correct when the target's lexical unit wins; a co-member winning is an
    error; no unit at threshold within ``max_cycles`` is no response (its mass is lost)."""

    def __init__(self, model, human_trials, **options):
        super().__init__(model, human_trials, **options)
        # who was named before whom is read from the whole sequence, excluded trials included
        # (a picture named too fast or too slowly to be scored was still named)
        self.sequence = human_trials.reset_index(drop=True)
        self.scored_rows = _scored_rows(self.sequence)
        # a configuration: how often the target and each co-member were named before (the
        # parameters only set the drive each count gives, so the grouping never changes)
        _, named_count, present, _ = self._structure(self.model)
        keys = [(float(counts[0]), tuple(sorted(counts[1:][mask[1:]])))
                for counts, mask in zip(named_count, present)]
        index, unique = pd.factorize(pd.Series(keys, dtype=object))
        self.trial_configs = np.asarray(index)
        #: one trial of each configuration, whose drive row the simulations repeat
        self.representatives = np.array([int(np.flatnonzero(self.trial_configs == c)[0])
                                         for c in range(len(unique))])

    def cell_of_trials(self) -> np.ndarray:
        return self.trial_configs

    def _structure(self, model):
        """``trial_structure`` of the whole sequence, rows of the scored trials only."""
        return tuple(part[self.scored_rows] for part in model.trial_structure(self.sequence))

    def _design_key(self):
        return (int(pd.util.hash_pandas_object(self.scored.trials[["picture", "category", "condition"]]
                                               .astype(str), index=False).sum()),
                tuple(self.trial_configs.tolist()))

    def _simulate_summary(self, model_params):
        model = self._configured(model_params)
        semantic, named_count, present, _ = self._structure(model)
        semantic, named_count, present = (part[self.representatives]
                                          for part in (semantic, named_count, present))
        drive = model.drive(semantic, named_count)
        n_configs, k = len(drive), self.n_sim_per_cell
        cycles, winner = model.run_cycles(np.repeat(drive, k, axis=0), np.repeat(present, k, axis=0),
                                          float(model.noise_sd), np.random.default_rng(self.seed))
        cycles = np.where(cycles >= model.max_cycles, np.inf, cycles)
        return cell_summary(cycles, winner == 0, np.repeat(np.arange(n_configs), k), n_configs)

    def _sample_model(self, model_params, rng):
        model = self._configured(model_params)
        semantic, named_count, present, _ = self._structure(model)
        cycles, winner = model.run_cycles(model.drive(semantic, named_count), present,
                                          float(model.noise_sd), rng)
        rt = float(model_params["intercept_ms"]) + float(model_params["ms_per_unit"]) * cycles
        return rt, (winner == 0) & (cycles < model.max_cycles)


def _scored_rows(trials: pd.DataFrame) -> np.ndarray:
    """Positions in ``trials`` of the rows ``scored_trials`` keeps (same rule)."""
    from models.likelihood.trials import RT_WINDOW_MS

    rt = pd.to_numeric(trials["rt_ms"], errors="coerce").to_numpy(float)
    keep = np.isfinite(rt) & (rt >= RT_WINDOW_MS[0]) & (rt <= RT_WINDOW_MS[1])
    if "is_practice" in trials.columns:
        keep &= ~trials["is_practice"].fillna(False).astype(bool).to_numpy()
    return np.flatnonzero(keep)
