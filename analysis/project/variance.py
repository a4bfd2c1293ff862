"""Effect and variance components from people's trial data, by the method of moments.

For each participant the effect is estimated by least squares (difference of condition means,
or the slope over the predictor); then

* ``effect_ms``          = mean of the participants' estimates (the fixed effect),
* ``effect_sd_ms``       = SD of the true participant effects: the estimates' variance minus
                           their average sampling variance (random-slope SD), floored at 0,
* ``intercept_sd_ms``    = SD of the participants' mean RTs (random-intercept SD),
* ``residual_sd_ms``     = pooled within participant × level SD (trial noise),
* ``dz``                 = mean / SD of the participants' estimates (the within-subject
                           standardised effect the small-telescopes test uses).

Why moments and not a mixed-model fit: the numbers feed a simulation of a balanced design, and
moments are exact, fast and have no convergence failures on 19 000 trials.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from analysis.project.design import EffectDesign


@dataclass(frozen=True)
class VarianceComponents:
    effect_ms: float
    effect_sd_ms: float
    intercept_ms: float
    intercept_sd_ms: float
    residual_sd_ms: float
    dz: float
    n_participants: int
    trials_per_level: float
    source: str

    def to_mapping(self) -> dict:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}

    @classmethod
    def from_mapping(cls, data: dict) -> "VarianceComponents":
        return cls(**{k: data[k] for k in cls.__dataclass_fields__})


def participant_estimates(trials: pd.DataFrame, design: EffectDesign,
                          participant_column: str = "participant") -> pd.DataFrame:
    """One row per participant: ``estimate_ms`` (least squares on their trials),
    ``sampling_var`` (its variance given their residual variance), ``n_trials``,
    ``mean_rt_ms``, ``residual_var`` and ``n_levels_seen``. Participants without at least two
    levels are left out (no estimate is possible)."""
    frame = trials.assign(x=design.coded(trials[design.predictor]))
    frame = frame[np.isfinite(frame["x"]) & np.isfinite(frame["rt_ms"])]
    rows = []
    for participant, own in frame.groupby(participant_column, sort=True):
        x = own["x"].to_numpy(float)
        y = own["rt_ms"].to_numpy(float)
        if len(np.unique(x)) < 2 or len(y) < 3:
            continue
        x_centred = x - x.mean()
        sxx = float(np.sum(x_centred ** 2))
        slope = float(np.sum(x_centred * (y - y.mean())) / sxx)
        cells = own.assign(y=y).groupby("x")["y"]
        within = cells.transform("mean").to_numpy(float)
        dof = max(len(y) - cells.ngroups, 1)
        residual_var = float(np.sum((y - within) ** 2) / dof)
        rows.append({participant_column: participant, "estimate_ms": slope,
                     "sampling_var": residual_var / sxx, "n_trials": len(y),
                     "mean_rt_ms": float(y.mean()), "residual_var": residual_var,
                     "n_levels_seen": int(cells.ngroups)})
    return pd.DataFrame(rows, columns=[participant_column, "estimate_ms", "sampling_var",
                                       "n_trials", "mean_rt_ms", "residual_var", "n_levels_seen"])


def estimate_components(trials: pd.DataFrame, design: EffectDesign, *, source: str,
                        participant_column: str = "participant") -> VarianceComponents:
    """Variance components of ``design``'s effect in ``trials`` (already cleaned)."""
    per = participant_estimates(trials, design, participant_column)
    if len(per) < 2:
        raise ValueError(f"{source}: fewer than two participants with an estimate")
    estimates = per["estimate_ms"].to_numpy(float)
    true_var = float(np.var(estimates, ddof=1) - per["sampling_var"].mean())
    return VarianceComponents(
        effect_ms=float(estimates.mean()), effect_sd_ms=float(np.sqrt(max(true_var, 0.0))),
        intercept_ms=float(per["mean_rt_ms"].mean()),
        intercept_sd_ms=float(per["mean_rt_ms"].std(ddof=1)),
        residual_sd_ms=float(np.sqrt(per["residual_var"].mean())),
        dz=float(estimates.mean() / estimates.std(ddof=1)), n_participants=int(len(per)),
        trials_per_level=float((per["n_trials"] / per["n_levels_seen"]).median()), source=source)
