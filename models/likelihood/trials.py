"""Which human trials a likelihood scores, and how a choice and an RT combine into one number.

A trial's likelihood is the *defective density* of what the person did: the probability of
their choice times the density of their RT given that choice,
``p(choice) · f(rt_ms | choice)``. Choices are scored as correct vs error for the naming and
Stroop tasks (the models' response units are symmetric over colours and pictures), and as the
chosen option for the association task. A small lapse process — with probability
``lapse_rate`` the person guesses, at an RT uniform over :data:`RT_WINDOW_MS` — is mixed in, so
one trial no model could produce (an error by a model that never errs) costs a bounded amount
instead of −∞ (Ratcliff & Tuerlinckx 2002 use the same contaminant).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.base import ModelInputError

#: RTs (ms) a likelihood scores; outside it a trial is an anticipation or a lapse of attention
#: and is left out (reported as ``n_excluded``). The lapse density is uniform over it.
RT_WINDOW_MS = (150.0, 4000.0)


@dataclass
class ScoredTrials:
    """The human trials a likelihood scores, in their original order, with RT and choice."""

    trials: pd.DataFrame          # index reset, only the scored trials
    rt_ms: np.ndarray
    correct: np.ndarray           # bool
    n_excluded: int

    def __len__(self) -> int:
        return len(self.trials)


def scored_trials(human_trials: pd.DataFrame, model_name: str) -> ScoredTrials:
    """Non-practice trials with an RT inside :data:`RT_WINDOW_MS` (errors included)."""
    if human_trials is None or len(human_trials) == 0:
        raise ModelInputError(f"model {model_name}: no human trials to score")
    if "rt_ms" not in human_trials.columns:
        raise ModelInputError(f"model {model_name}: human trials have no 'rt_ms' column")
    frame = human_trials.reset_index(drop=True)
    rt = pd.to_numeric(frame["rt_ms"], errors="coerce").to_numpy(float)
    keep = np.isfinite(rt) & (rt >= RT_WINDOW_MS[0]) & (rt <= RT_WINDOW_MS[1])
    if "is_practice" in frame.columns:
        keep &= ~frame["is_practice"].fillna(False).astype(bool).to_numpy()
    if not keep.any():
        raise ModelInputError(f"model {model_name}: no human trial has an RT in "
                              f"{RT_WINDOW_MS[0]:g}–{RT_WINDOW_MS[1]:g} ms")
    used = frame[keep].reset_index(drop=True)
    if "correct" in used.columns:
        correct = used["correct"].map(lambda v: True if v is None or (isinstance(v, float) and np.isnan(v))
                                      else bool(v)).to_numpy(bool)
    else:
        correct = np.ones(len(used), dtype=bool)
    return ScoredTrials(trials=used, rt_ms=rt[keep], correct=correct,
                        n_excluded=int(len(frame) - keep.sum()))


def with_lapses(log_choice_rt: np.ndarray, lapse_rate: float, n_choices: int | np.ndarray = 2) -> np.ndarray:
    """log[(1 − ε) · p(choice) f(rt | choice) + ε · (1/n_choices) · 1/|window|] per trial."""
    lapse_rate = float(lapse_rate)
    if not 0 <= lapse_rate < 1:
        raise ModelInputError(f"lapse_rate must lie in [0, 1), got {lapse_rate}")
    width = RT_WINDOW_MS[1] - RT_WINDOW_MS[0]
    with np.errstate(divide="ignore"):
        lapse = np.log(lapse_rate) - np.log(n_choices) - np.log(width)
        model = np.log1p(-lapse_rate) + log_choice_rt
    return np.logaddexp(model, lapse)


def cell_keys(trials: pd.DataFrame, columns: tuple[str, ...]) -> np.ndarray:
    """One integer per trial naming its cell (the distinct values of ``columns``)."""
    present = [c for c in columns if c in trials.columns]
    if not present:
        return np.zeros(len(trials), dtype=np.int64)
    labels = trials[present].astype(str).agg("|".join, axis=1)
    codes, _ = pd.factorize(labels)
    return codes.astype(np.int64)
