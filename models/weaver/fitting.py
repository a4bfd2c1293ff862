"""Least-squares mapping of model latencies onto human condition means (shared by the WEAVER++
family and the Howard et al. 2006-style model): which human trials count, the cells, the fit."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from models.base import ModelInputError


def _usable_human_trials(model: str, human_trials: pd.DataFrame) -> pd.DataFrame:
    if human_trials is None or len(human_trials) == 0:
        raise ModelInputError(f"model {model}: no human trials to fit")
    if "rt_ms" not in human_trials.columns:
        raise ModelInputError(f"model {model}: human trials lack the column rt_ms")
    human = human_trials.copy()
    human["rt_ms"] = pd.to_numeric(human["rt_ms"], errors="coerce")
    keep = human["rt_ms"].notna()
    if "correct" in human.columns:
        keep &= human["correct"].fillna(False).astype(bool)
    if "is_practice" in human.columns:
        keep &= ~human["is_practice"].fillna(False).astype(bool)
    human = human[keep]
    if len(human) == 0:
        raise ModelInputError(f"model {model}: no correct human trials with an RT to fit")
    return human


def _cell_columns(frame: pd.DataFrame) -> list[str]:
    columns = [c for c in ("task", "instruction", "condition", "soa_ms") if c in frame.columns]
    return columns


def fit_linear_mapping(model_ms: np.ndarray, human_ms: np.ndarray, fit_scale: bool,
                       groups: np.ndarray | None = None) -> dict[str, Any]:
    """Least squares human ≈ constant[group] + scale·model (scale fixed at 1 unless
    ``fit_scale``). Without ``groups`` there is one constant (``other_stages_ms``); with them
    the result also holds ``constants`` (group → constant)."""
    model_ms = np.asarray(model_ms, dtype=float)
    human_ms = np.asarray(human_ms, dtype=float)
    labels = np.zeros(len(model_ms), dtype=object) if groups is None else np.asarray(groups)
    names = list(dict.fromkeys(labels.tolist()))
    dummies = np.stack([(labels == g).astype(float) for g in names], axis=1)
    within = model_ms - dummies @ np.linalg.lstsq(dummies, model_ms, rcond=None)[0]
    scale = 0.0
    if fit_scale and np.ptp(within) > 1e-12:
        design = np.column_stack([dummies, model_ms])
        coefficients = np.linalg.lstsq(design, human_ms, rcond=None)[0]
        constants, scale = coefficients[:-1], float(coefficients[-1])
    if scale <= 0:
        # a scale ≤ 0 would turn the model's prediction upside down: keep 1, fit constants only
        scale = 1.0
        constants = np.linalg.lstsq(dummies, human_ms - model_ms, rcond=None)[0]
    fitted = dummies @ constants + scale * model_ms
    r = (float(np.corrcoef(fitted, human_ms)[0, 1])
         if len(model_ms) >= 2 and np.ptp(fitted) > 0 and np.ptp(human_ms) > 0 else None)
    result = {"other_stages_ms": float(constants[0]), "ms_scale": scale, "r": r,
              "rmse_ms": float(np.sqrt(np.mean((fitted - human_ms) ** 2)))}
    if groups is not None:
        result["constants"] = {str(g): float(c) for g, c in zip(names, constants)}
    return result


def json_cells(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of a small table as JSON-able dicts (floats rounded to 0.1 ms)."""
    cells = []
    for row in frame.to_dict("records"):
        cells.append({k: (round(float(v), 1) if isinstance(v, (float, np.floating)) else
                          int(v) if isinstance(v, (np.integer,)) else v) for k, v in row.items()})
    return cells
