"""One fit, one independent call: train on some trials, judge on the others.

:func:`run_fit_task` takes a :class:`FitTask` (model spec, participant, fold, seed, options)
with its training and held-out trials, fits the model to the training trials by maximum
likelihood (``models.fitting.fit_participant``: BADS, or the yardsticks' closed form) and
scores the held-out trials with the model's trial-level likelihood **at the fitted
parameters** — the same likelihood object the fit maximised, built on trials the fit never
saw (same simulation seed, same threshold grid for the PDP networks, so the held-out density
is the function that was fitted). The result is a plain dict (JSON-able), so it travels from
a Dask worker and into ``model_runs.fit`` unchanged.

A task with ``fold=None`` is a full-data fit: its log-likelihood is in-sample and feeds only
AIC/BIC (``analysis.model_selection.criteria``).
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

#: How the held-out trials were chosen.
WITHIN = "within-participant k-fold"
LOPO = "leave-one-participant-out"
FULL = "full data (in-sample)"


@dataclass(frozen=True)
class FitTask:
    """What one fit is: which model, whose trials, which fold, which seed, which options."""

    model: str                       # spec: "cohen1990", "weaver-cumulative:conceptual_bias=0"
    participant: str | None          # whose trials (LOPO: the participant held out)
    fold: int | None                 # None: full-data fit
    n_folds: int
    scheme: str                      # WITHIN, LOPO or FULL
    seed: int
    comparison_id: str
    free: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    max_fun_evals: int | None = None
    n_sim_per_cell: int | None = None
    model_version: str = ""          # the model class's version: a changed model is refitted

    def key(self) -> str:
        """Identifies this fit within its comparison: a rerun with the same options (and the
        same model version) finds it."""
        payload = json.dumps([self.comparison_id, self.model, self.participant, self.fold,
                              self.scheme, self.seed, self.free, sorted(self.params.items()),
                              self.max_fun_evals, self.n_sim_per_cell, self.model_version],
                             default=str)
        return hashlib.sha256(payload.encode()).hexdigest()[:24]

    def label(self) -> str:
        fold = "full" if self.fold is None else f"fold {self.fold + 1}/{self.n_folds}"
        return f"{self.model} · {self.participant or 'pooled'} · {fold}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _closed_form(spec: str, train: pd.DataFrame, seed: int, participant: str | None):
    """Yardsticks that fit themselves: the FitResult and the fitted model object."""
    from models.fitting.ml import _closed_form_fit, build_model

    model, _ = build_model(spec)
    return _closed_form_fit(spec, model, train, seed, participant), model


#: The boolean trial column that marks the held-out trials inside a participant's sequence.
HELD_OUT_COLUMN = "held_out_trial"


def score_at_fitted(task: FitTask, result, trials: pd.DataFrame) -> np.ndarray:
    """Per-trial log-likelihood of the held-out trials of ``trials`` (column
    :data:`HELD_OUT_COLUMN`) under the model with ``result``'s fitted and fixed parameters (the
    residual included), built exactly as the fit built its likelihood — on the whole sequence,
    so that a sequence-dependent model (cumulative interference) sees every trial the person
    named before, not only the held-out ones."""
    from models.fitting.ml import build_model
    from models.fitting.parameters import parse_free
    from models.likelihood import RESIDUAL_PARAMETERS, likelihood_for

    model, _ = build_model(task.model, result.fixed)
    likelihood = likelihood_for(model, trials, seed=task.seed, n_sim_per_cell=task.n_sim_per_cell)
    free = parse_free(task.free, type(model))
    network_free = [p for p in free if p.name not in RESIDUAL_PARAMETERS
                    and p.name not in likelihood.mapping_params]
    if len(network_free) == 1 and hasattr(likelihood, "use_grid"):
        likelihood.use_grid(network_free[0].name, network_free[0].lower, network_free[0].upper)
    residual = {k: v for k, v in result.fixed.items() if k in RESIDUAL_PARAMETERS}
    per_trial = np.asarray(likelihood.loglik({**residual, **result.params}), dtype=float)
    return per_trial[likelihood.scored.trials[HELD_OUT_COLUMN].astype(bool).to_numpy()]


def run_fit_task(task: FitTask, trials: pd.DataFrame, train: np.ndarray,
                 test: np.ndarray | None) -> dict[str, Any]:
    """Fit ``task.model`` to the ``train`` rows of ``trials`` and score the ``test`` rows
    (boolean masks; ``test`` None: a full-data fit). Process models get the whole ``trials``
    with the training rows marked (``models.fitting.ml.FIT_MASK_COLUMN``), so a model whose
    latency depends on the sequence sees all of it; the yardsticks, which do not, are fitted on
    the training rows alone. Returns a dict: ``task`` (the FitTask), ``fit`` (the FitResult),
    ``heldout_loglik`` (sum over the scored held-out trials, None for a full-data fit),
    ``n_heldout``, ``elapsed_s``."""
    from models.fitting.ml import FIT_MASK_COLUMN, build_model, fit_participant

    started = time.perf_counter()
    train = np.asarray(train, dtype=bool)
    model, _ = build_model(task.model, task.params)
    if hasattr(model, "maximum_likelihood_fit"):
        result, fitted_model = _closed_form(task.model, trials[train], task.seed, task.participant)
        per_trial = (None if test is None
                     else np.asarray(fitted_model.loglik(trials[np.asarray(test, bool)]), dtype=float))
    else:
        marked = trials.assign(**{FIT_MASK_COLUMN: train,
                                  HELD_OUT_COLUMN: False if test is None else np.asarray(test, bool)})
        # only the participant(s) of this fit: training and held-out rows together
        marked = marked[train | (False if test is None else np.asarray(test, bool))]
        result = fit_participant(task.model, marked, params=task.params, free=task.free,
                                 seed=task.seed, max_fun_evals=task.max_fun_evals,
                                 n_sim_per_cell=task.n_sim_per_cell, participant=task.participant)
        per_trial = None if test is None else score_at_fitted(task, result, marked)
    fit = result.to_dict()
    fit["in_sample"] = True                      # the fit's own loglik is on its training trials
    return {"task": task.to_dict(), "key": task.key(), "fit": fit,
            "heldout_loglik": None if per_trial is None else float(per_trial.sum()),
            "n_heldout": 0 if per_trial is None else int(len(per_trial)),
            "elapsed_s": time.perf_counter() - started}
