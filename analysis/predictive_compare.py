"""Which model rows ``compare()`` draws the posterior-predictive views from.

Per model, the best rows there are, each labelled with how it was made:

1. rows handed to ``compare(..., predictive_trials=...)`` (``models.fitting.predictive
   .predictive_trials``: each participant simulated at their fit on their own trials);
2. else the newest stored *posterior-predictive run* of the model (a model run whose
   ``fit.kind`` is ``posterior_predictive``: ``mirrorlab fit MODEL --per-participant`` stores
   one after the fits);
3. else the model's run the comparison uses, as it was simulated (basis ``model_run``: not at
   per-participant fits — e.g. published defaults on the stimulus set).

Posterior-predictive runs are taken out of the rest of the comparison: they are a view of the
fits, not a new simulation of the model to be judged by condition means.
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from analysis.cleaning import CleaningOptions, clean_trials
from analysis.design import design_for
from analysis.errors import AnalysisInputError

#: ``model_runs.fit.kind`` of a stored posterior-predictive run.
PREDICTIVE_KIND = "posterior_predictive"


def _predictive_run_ids(runs: pd.DataFrame) -> dict[str, list[int]]:
    if runs is None or runs.empty or "fit" not in runs:
        return {}
    out: dict[str, list[int]] = {}
    for _, run in runs.iterrows():
        fit = run["fit"]
        if isinstance(fit, dict) and fit.get("kind") == PREDICTIVE_KIND and run.get("status") == "completed":
            out.setdefault(str(run["model"]), []).append(int(run["model_run_id"]))
    return out


def split_predictive_runs(loaded):
    """(the loaded trials without posterior-predictive runs, those runs' newest rows per model)."""
    by_model = _predictive_run_ids(loaded.model_runs)
    if not by_model or "model_run_id" not in loaded.trials:
        return loaded, pd.DataFrame()
    every = {r for ids in by_model.values() for r in ids}
    newest = {max(ids) for ids in by_model.values()}
    run_ids = pd.to_numeric(loaded.trials["model_run_id"], errors="coerce")
    predictive = loaded.trials[run_ids.isin(newest)].reset_index(drop=True)
    rest = loaded.trials[~run_ids.isin(every)].reset_index(drop=True)
    runs = loaded.model_runs[~loaded.model_runs["model_run_id"].isin(every - newest)].reset_index(drop=True)
    return dataclasses.replace(loaded, trials=rest, model_runs=runs), predictive


def check_predictive_rows(rows: pd.DataFrame | None) -> None:
    """Refuse, before any fitting, predictive rows that are not model rows."""
    if rows is None or len(rows) == 0:
        return
    if "source" not in rows:
        raise AnalysisInputError("predictive trials lack the column source (model:<name>)")
    if not rows["source"].astype(str).str.startswith("model:").all():
        raise AnalysisInputError("predictive trials must be model rows (source model:<name>), "
                                 "not people or simulated participants")


def models_to_compare(models: list[str] | None, loaded, predictive: pd.DataFrame) -> list[str] | None:
    """``models`` without those whose only trials are posterior-predictive rows (they are drawn
    in the views, and have no run for the condition-means comparison); None stays None (every
    model), an empty list means no model for the condition-means comparison."""
    if not models or predictive is None or predictive.empty:
        return models
    own = set(loaded.trials["source"].dropna().astype(str))
    only_views = {m for m in models if f"model:{m}" in set(predictive["source"]) and f"model:{m}" not in own}
    return [m for m in models if m not in only_views]        # may be empty: nothing else to compare


def comparison_views(task: str, trials: pd.DataFrame, stored_predictive: pd.DataFrame,
                     given: pd.DataFrame | None, cleaning: CleaningOptions, messages: list[str],
                     models: list[str] | None = None):
    """The ``PredictiveViews`` of people and every model (see the module docstring; ``models``:
    only these models' stored runs), or None when they cannot be drawn (the reason goes to
    ``messages``)."""
    from analysis.predictive_views import views_from_cleaned

    human = trials[trials["source"] == "human"]
    frames = [human]
    covered: set[str] = set()
    if models and len(stored_predictive):
        stored_predictive = stored_predictive[stored_predictive["source"].isin([f"model:{m}" for m in models])]
    for rows in (given, stored_predictive):
        if rows is None or len(rows) == 0:
            continue
        check_predictive_rows(rows)
        fresh = rows[~rows["source"].isin(covered)]
        if "task" in fresh:
            fresh = fresh[fresh["task"] == task]
        frames.append(fresh)
        covered |= set(fresh["source"])
    model_runs = trials[trials["source"].astype(str).str.startswith("model:") & ~trials["source"].isin(covered)]
    frames.append(model_runs)
    frame = pd.concat([f for f in frames if len(f)], ignore_index=True)
    for column in ("instruction", "item_id", "response", "extras"):
        if column not in frame:
            frame[column] = None
    design = design_for(task)
    try:
        rows = design.analysis_rows(frame)
        cleaned = clean_trials(rows, cleaning, condition_columns=("subset", *design.cell_columns))
        views = views_from_cleaned(cleaned.rt, cleaned.accuracy, task)
    except AnalysisInputError as error:
        messages.append(f"posterior-predictive views: not drawn — {error}")
        return None
    messages.extend(views.messages)
    return views
