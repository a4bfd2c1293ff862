"""The comparison's results as tables, each with its uncertainty.

* :func:`fits_frame` — one row per stored fit (model, participant, fold, held-out and
  training log-likelihood, AIC/BIC, seed, model run id);
* :func:`heldout_by_participant` — participants × models, each cell the held-out
  log-likelihood summed over that participant's folds (only participants whose every fold of
  every model is done);
* :func:`paired_differences` — "by how much": per pair of models the held-out log-likelihood
  difference over participants, its mean with a t and a bootstrap 95 % CI, the total, and in
  how many participants the first model was better;
* :func:`summary_table` — one row per model: held-out log-likelihood (total and per trial),
  the difference to the best model with its CI, AIC/BIC (in-sample) and the BMS numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Bootstrap resamples of participants for the CIs of paired differences.
N_BOOTSTRAP = 4000


def fits_frame(records: list[dict]) -> pd.DataFrame:
    """Flatten :func:`analysis.model_selection.heldout.run_fit_task` results (as stored)."""
    rows = []
    for record in records:
        task, fit = record["task"], record["fit"]
        rows.append({"model": task["model"], "participant": task["participant"],
                     "fold": task["fold"], "n_folds": task["n_folds"], "scheme": task["scheme"],
                     "heldout_loglik": record.get("heldout_loglik"),
                     "n_heldout": record.get("n_heldout", 0), "loglik": fit["loglik"],
                     "n_trials": fit["n_trials"], "n_free": fit["n_free"], "aic": fit["aic"],
                     "bic": fit["bic"], "converged": fit["converged"],
                     "n_evaluations": fit["n_evaluations"], "seed": task["seed"],
                     "elapsed_s": record.get("elapsed_s"),
                     "model_run_id": record.get("model_run_id"), "params": fit["params"]})
    return pd.DataFrame(rows)


def heldout_by_participant(fits: pd.DataFrame, models: list[str]) -> pd.DataFrame:
    """Participants × models: held-out log-likelihood summed over folds; a participant is kept
    only when every model has all of its folds."""
    held = fits[fits["fold"].notna()] if len(fits) else fits
    if held.empty:
        return pd.DataFrame(columns=models)
    complete = held.groupby(["participant", "model"])["fold"].nunique()
    expected = held.groupby(["participant", "model"])["n_folds"].first()
    done = complete[complete == expected].reset_index()
    table = (held.groupby(["participant", "model"])["heldout_loglik"].sum()
             .unstack("model").reindex(columns=models))
    counts = done.groupby("participant")["model"].nunique()
    keep = counts[counts == len(models)].index
    return table.loc[table.index.isin(keep)].sort_index()


def _t_ci(values: np.ndarray) -> tuple[float, float]:
    from scipy import stats

    if len(values) < 2:
        return (np.nan, np.nan)
    se = values.std(ddof=1) / np.sqrt(len(values))
    half = stats.t.ppf(0.975, len(values) - 1) * se
    return float(values.mean() - half), float(values.mean() + half)


def _bootstrap_ci(values: np.ndarray, seed: int) -> tuple[float, float]:
    if len(values) < 2:
        return (np.nan, np.nan)
    rng = np.random.default_rng(seed)
    means = values[rng.integers(0, len(values), size=(N_BOOTSTRAP, len(values)))].mean(axis=1)
    low, high = np.quantile(means, [0.025, 0.975])
    return float(low), float(high)


def paired_differences(per_participant: pd.DataFrame, seed: int = 0,
                       reference: str | None = None) -> pd.DataFrame:
    """Per ordered pair (model, other): held-out log-likelihood of ``model`` minus ``other``
    per participant — mean, t 95 % CI, bootstrap 95 % CI (participants resampled), total,
    and the number of participants where ``model`` was better. With ``reference``, only pairs
    (reference, other); else every pair, best model first."""
    columns = ["model", "versus", "n_participants", "mean_difference", "t_ci_low", "t_ci_high",
               "bootstrap_ci_low", "bootstrap_ci_high", "total_difference", "n_better"]
    if per_participant.empty or per_participant.shape[1] < 2:
        return pd.DataFrame(columns=columns)
    order = list(per_participant.sum().sort_values(ascending=False).index)
    firsts = [reference] if reference is not None else order
    rows = []
    for i, model in enumerate(firsts):
        for other in order:
            if other == model or (reference is None and order.index(other) <= order.index(model)):
                continue
            diff = (per_participant[model] - per_participant[other]).to_numpy(float)
            t_low, t_high = _t_ci(diff)
            b_low, b_high = _bootstrap_ci(diff, seed + i)
            rows.append({"model": model, "versus": other, "n_participants": len(diff),
                         "mean_difference": float(diff.mean()), "t_ci_low": t_low,
                         "t_ci_high": t_high, "bootstrap_ci_low": b_low,
                         "bootstrap_ci_high": b_high, "total_difference": float(diff.sum()),
                         "n_better": int((diff > 0).sum())})
    return pd.DataFrame(rows, columns=columns)


def summary_table(per_participant: pd.DataFrame, fits: pd.DataFrame, criteria: pd.DataFrame,
                  bms: pd.DataFrame | None, seed: int = 0) -> pd.DataFrame:
    """One row per model, best held-out log-likelihood first (see the module docstring)."""
    if per_participant.empty:
        return pd.DataFrame()
    totals = per_participant.sum().sort_values(ascending=False)
    best = totals.index[0]
    held = fits[fits["fold"].notna() & fits["participant"].isin(per_participant.index)]
    n_trials = held.groupby("model")["n_heldout"].sum()
    differences = paired_differences(per_participant, seed=seed, reference=best).set_index("versus")
    rows = []
    for model, total in totals.items():
        row = {"model": model, "n_participants": len(per_participant),
               "heldout_loglik": float(total),
               "heldout_loglik_per_trial": float(total / n_trials.get(model, np.nan)),
               "delta_vs_best": float(total - totals[best])}
        if model in differences.index:
            d = differences.loc[model]
            row.update({"mean_difference_per_participant": -d["mean_difference"],
                        "ci_low": -d["bootstrap_ci_high"], "ci_high": -d["bootstrap_ci_low"],
                        "participants_better_than_best": len(per_participant) - int(d["n_better"])
                        - int((per_participant[best] == per_participant[model]).sum())})
        rows.append(row)
    table = pd.DataFrame(rows)
    if criteria is not None and len(criteria):
        table = table.merge(criteria[["model", "aic", "bic", "delta_bic"]], on="model", how="left")
    if bms is not None and len(bms):
        table = table.merge(bms[["model", "expected_frequency", "exceedance_probability",
                                 "protected_exceedance_probability"]], on="model", how="left")
    return table
