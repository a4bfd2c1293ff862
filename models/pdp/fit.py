"""Calibrating a Stroop model to people: the cycles→ms line on condition means.

The PDP models count processing cycles (the Stroop CNN an uncertainty); people take
milliseconds. As in Cohen, Dunbar & McClelland (1990), the model's condition means are mapped
onto the human condition means (ms) by one straight line — the shared
``models.base.RTMapping``, rt_ms = intercept_ms + ms_per_unit · latency — fitted by least
squares over the cells (instruction × condition) present in the human data. The fit quality
is the correlation r and the RMSE (ms) of the mapped model means against the human means.

Which human trials count is decided before the model sees them: the pipeline cleans them with
the analysis' options (``models.base.rt_trials``); there is no private RT window here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.base import FitReport, ModelInputError, fit_rt_mapping, rt_trials
from models.pdp.stimuli import CONDITIONS, INSTRUCTIONS


def human_condition_means(human_trials: pd.DataFrame, model_name: str) -> pd.DataFrame:
    """Mean RT of the usable human trials (``rt_trials``) per (instruction, condition);
    instruction None → colour naming. Columns: instruction, condition, rt_ms, n."""
    if human_trials is None or len(human_trials) == 0:
        raise ModelInputError(f"model {model_name}: no human Stroop trials to fit")
    for column in ("condition", "rt_ms"):
        if column not in human_trials.columns:
            raise ModelInputError(f"model {model_name}: human trials have no {column!r} column")
    usable = rt_trials(model_name, human_trials)
    frame = pd.DataFrame({
        "instruction": (usable["instruction"] if "instruction" in usable.columns
                        else pd.Series([None] * len(usable), index=usable.index)),
        "condition": usable["condition"],
        "rt_ms": usable["rt_ms"],
    })
    frame["instruction"] = frame["instruction"].where(frame["instruction"].notna(), "colour_naming")
    frame["instruction"] = frame["instruction"].replace("", "colour_naming")
    frame = frame[frame["condition"].isin(CONDITIONS) & frame["instruction"].isin(INSTRUCTIONS)]
    if frame.empty:
        raise ModelInputError(f"model {model_name}: no correct human trials with a Stroop condition "
                              f"({', '.join(CONDITIONS)}) and an RT")
    means = (frame.groupby(["instruction", "condition"], sort=False)["rt_ms"]
             .agg(["mean", "size"]).reset_index().rename(columns={"mean": "rt_ms", "size": "n"}))
    if len(means) < 2:
        raise ModelInputError(f"model {model_name}: human trials cover only one condition; "
                              "fitting the cycles→ms line needs at least two")
    return means


def condition_mapping_report(cells: pd.DataFrame, model_latency: np.ndarray, model_name: str,
                             unit: str) -> FitReport:
    """Fit the line from the model's cell means (``unit``) to the human ones and describe it."""
    human_ms = cells["rt_ms"].to_numpy(float)
    model_latency = np.asarray(model_latency, dtype=float)
    if np.any(~np.isfinite(model_latency)):
        raise ModelInputError(f"model {model_name}: the model did not respond in some condition, "
                              "so it cannot be fitted (raise max_cycles)")
    try:
        fit = fit_rt_mapping(model_latency, human_ms, unit=unit, slope_sign="required")
    except ModelInputError as error:
        raise ModelInputError(f"model {model_name}: {error}") from None
    key = {"cycle": "cycles"}.get(unit, unit)
    return FitReport(
        model=model_name,
        fitted={"ms_per_unit": fit.mapping.ms_per_unit, "intercept_ms": fit.mapping.intercept_ms},
        r=fit.r, rmse_ms=fit.rmse_ms, n_trials=int(cells["n"].sum()), rt_mapping=fit.mapping,
        cells=[{"instruction": i, "condition": c, "human_rt_ms": round(float(h), 2),
                f"model_rt_{key}": round(float(m), 5), "model_rt_ms": round(float(p), 2)}
               for i, c, h, m, p in zip(cells["instruction"], cells["condition"], human_ms,
                                        model_latency, fit.fitted_ms)])
