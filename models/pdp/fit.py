"""Calibrating a PDP Stroop model to people: a least-squares line from cycles to ms.

The PDP models count processing cycles; people take milliseconds. As in Cohen, Dunbar &
McClelland (1990), the model's condition means (cycles) are mapped onto the human condition
means (ms) by one straight line, rt_ms = intercept_ms + ms_per_cycle · cycles, fitted by least
squares over the cells (instruction × condition) present in the human data. The fit quality is
the correlation r and the RMSE (ms) of the mapped model means against the human means.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from models.base import ModelInputError
from models.pdp.stimuli import CONDITIONS, INSTRUCTIONS

#: Human RTs outside this window (ms) are anticipations or lapses; they are left out of the means.
HUMAN_RT_WINDOW_MS = (150.0, 3000.0)


def human_condition_means(human_trials: pd.DataFrame, model_name: str) -> pd.DataFrame:
    """Mean RT of correct human trials per (instruction, condition); instruction None →
    colour naming. Columns: instruction, condition, rt_ms, n."""
    if human_trials is None or len(human_trials) == 0:
        raise ModelInputError(f"model {model_name}: no human Stroop trials to fit")
    for column in ("condition", "rt_ms"):
        if column not in human_trials.columns:
            raise ModelInputError(f"model {model_name}: human trials have no {column!r} column")
    frame = pd.DataFrame({
        "instruction": (human_trials["instruction"] if "instruction" in human_trials.columns
                        else pd.Series([None] * len(human_trials), index=human_trials.index)),
        "condition": human_trials["condition"],
        "rt_ms": pd.to_numeric(human_trials["rt_ms"], errors="coerce"),
    })
    frame["instruction"] = frame["instruction"].where(frame["instruction"].notna(), "colour_naming")
    frame["instruction"] = frame["instruction"].replace("", "colour_naming")
    keep = frame["rt_ms"].between(*HUMAN_RT_WINDOW_MS)
    if "correct" in human_trials.columns:
        keep &= human_trials["correct"].fillna(False).astype(bool)
    frame = frame[keep & frame["condition"].isin(CONDITIONS) & frame["instruction"].isin(INSTRUCTIONS)]
    if frame.empty:
        raise ModelInputError(f"model {model_name}: no correct human trials with a Stroop condition "
                              f"({', '.join(CONDITIONS)}) and an RT in {HUMAN_RT_WINDOW_MS} ms")
    means = (frame.groupby(["instruction", "condition"], sort=False)["rt_ms"]
             .agg(["mean", "size"]).reset_index().rename(columns={"mean": "rt_ms", "size": "n"}))
    if len(means) < 2:
        raise ModelInputError(f"model {model_name}: human trials cover only one condition; "
                              "fitting the cycles→ms line needs at least two")
    return means


def least_squares_line(cycles: np.ndarray, human_ms: np.ndarray) -> tuple[float, float]:
    """(slope ms/cycle, intercept ms) minimising Σ (intercept + slope·cycles − human_ms)²."""
    design = np.column_stack([np.ones_like(cycles), cycles])
    (intercept, slope), *_ = np.linalg.lstsq(design, human_ms, rcond=None)
    return float(slope), float(intercept)


def mapping_report(cells: pd.DataFrame, model_cycles: np.ndarray, model_name: str) -> dict[str, Any]:
    """Fit the line and describe it: slope, intercept, r, RMSE and the cell means."""
    human_ms = cells["rt_ms"].to_numpy(float)
    if np.any(~np.isfinite(model_cycles)):
        raise ModelInputError(f"model {model_name}: the model did not respond in some condition, "
                              "so it cannot be fitted (raise max_cycles)")
    slope, intercept = least_squares_line(model_cycles, human_ms)
    if not slope > 0:
        raise ModelInputError(f"model {model_name}: model and human condition means are not "
                              f"positively related (slope {slope:.3g} ms/cycle); no mapping fitted")
    predicted = intercept + slope * model_cycles
    r = float(np.corrcoef(model_cycles, human_ms)[0, 1]) if np.ptp(model_cycles) > 0 and np.ptp(human_ms) > 0 else float("nan")
    return {
        "ms_per_cycle": slope,
        "intercept_ms": intercept,
        "r": r,
        "rmse_ms": float(np.sqrt(np.mean((predicted - human_ms) ** 2))),
        "n": int(cells["n"].sum()),
        "conditions": [
            {"instruction": i, "condition": c, "human_rt_ms": round(float(h), 2),
             "model_rt_cycles": round(float(m), 3), "model_rt_ms": round(float(p), 2)}
            for i, c, h, m, p in zip(cells["instruction"], cells["condition"], human_ms,
                                     model_cycles, predicted)],
    }
