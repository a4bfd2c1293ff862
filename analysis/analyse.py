"""``compare()``: from the shared trial table to every table the report shows.

    from analysis import compare, write_report, CleaningOptions
    result = compare("sqlite:///mirrorlab.db", "stroop", engine="mixedlm")
    result.fit_table            # per model: r and RMSE of condition means, item-level r, ...
    write_report(result, "report.html", tables_dir="tables")

Problems that make the whole comparison impossible (no trials, no human trials, unknown task,
model or engine) raise ``AnalysisInputError``; problems that only make one part impossible
(a task with no model trials, a single participant, a condition missing for one source)
become ``messages`` that the report shows in place of the missing part.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from analysis import comparison as cmp
from analysis.cleaning import CleaningOptions, clean_trials
from analysis.design import design_for
from analysis.errors import AnalysisInputError, EngineCapabilityError
from analysis.loading import choose_model_runs, load, select_trials
from analysis.mixed import FitResult, ModelSpec, Predictor, chosen, fit_with_simplification
from analysis.mixed.fitting import check_engine
from analysis.within_ci import cousineau_morey


@dataclass
class ComparisonResult:
    """Everything the report shows, as data frames (each also written as a CSV)."""

    task: str
    engine: str
    structure: str
    cleaning_options: CleaningOptions
    where: str
    models: dict[str, int | None]
    cleaning: pd.DataFrame
    fits: pd.DataFrame
    fixed_effects: pd.DataFrame
    random_effects: pd.DataFrame
    condition_means: pd.DataFrame
    condition_comparison: pd.DataFrame
    fit_table: pd.DataFrame
    item_correlations: pd.DataFrame
    item_means: pd.DataFrame
    curves: dict[str, pd.DataFrame]
    sessions: pd.DataFrame
    model_runs: pd.DataFrame
    participants: list[str]
    messages: list[str] = field(default_factory=list)
    fit_results: list[tuple[dict[str, Any], FitResult]] = field(default_factory=list)
    citation: str = ""
    elapsed_s: float = 0.0
    #: Cousineau–Morey within-subject CIs of the RT cell means (``analysis.within_ci``).
    within_subject_ci: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: Likelihood-based model comparison (held-out log-likelihoods, model selection), shown as it
    #: comes in the report's summary; empty until that comparison is computed.
    model_selection: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: Association items in the model's embedding space (``analysis.projection.project_items``).
    embedding_projection: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: RT quantiles, delta plots and CAFs of people and each model (``analysis.predictive_views``).
    predictive: Any = None

    def tables(self) -> dict[str, pd.DataFrame]:
        """Name → table, in report order (the CSV files beside the report)."""
        out = {
            "cleaning": self.cleaning, "fits": self.fits, "fixed_effects": self.fixed_effects,
            "random_effects": self.random_effects, "condition_means": self.condition_means,
            "condition_comparison": self.condition_comparison, "fit_table": self.fit_table,
            "item_correlations": self.item_correlations, "item_means": self.item_means,
            "sessions": self.sessions, "model_runs": self.model_runs,
            "within_subject_ci": self.within_subject_ci,
        }
        out.update({f"curve_{name}": frame for name, frame in self.curves.items()})
        return out


def timing_notes(trials: pd.DataFrame) -> list[str]:
    """A note when human trials were shown off their requested SOA by more than one frame
    (the session runner flags them in ``extras``), so the report says so."""
    if "extras" not in trials.columns:
        return []
    human = trials.loc[trials["source"] == "human", "extras"]
    flagged = sum(bool(e.get("soa_off_by_more_than_a_frame")) for e in human if isinstance(e, dict))
    if not flagged:
        return []
    return [f"{flagged} of {len(human)} human trials were shown with an SOA more than one frame "
            "off the requested one (extras.soa_off_by_more_than_a_frame, soa_error_ms); they are "
            "analysed at their requested SOA."]


def _fit_block(label: dict[str, Any], spec: ModelSpec | None, data: pd.DataFrame, engine: str,
               structure: str, messages: list[str], results: list) -> None:
    what = f"{label['analysis']} model ({label['subset']})"
    if spec is None:
        messages.append(f"{what}: only one condition level in the human data — nothing to contrast; no model fitted.")
        return
    try:
        attempts = fit_with_simplification(spec, data, engine=engine, structure=structure)
    except EngineCapabilityError:
        raise
    except AnalysisInputError as exc:
        messages.append(f"{what}: not fitted — {exc}")
        return
    for attempt in attempts:
        results.append((label, attempt))
    if chosen(attempts) is None:
        messages.append(f"{what}: no structure converged on engine {engine}; see the model table.")


def _fits_frames(results) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    fits, fixed, random = [], [], []
    for label, result in results:
        fits.append({**label, **result.summary_row()})
        keys = {**label, "engine": result.engine, "structure": result.structure, "chosen": result.chosen}
        for _, row in result.fixed_effects.iterrows():
            fixed.append({**keys, **row.to_dict()})
        for _, row in result.random_effects.iterrows():
            random.append({**keys, **row.to_dict()})
    return pd.DataFrame(fits), pd.DataFrame(fixed), pd.DataFrame(random)


def _prediction_model(human_rt: pd.DataFrame, items: pd.DataFrame, model: str, subset: str,
                      engine: str, messages, results) -> dict[str, float]:
    """Human RT ~ model item-level prediction (centred) with crossed participants and items."""
    part = items[items["subset"] == subset][["item", "model_rt_ms"]]
    if len(part) < 3:
        return {}
    if part["model_rt_ms"].std() == 0:
        messages.append(f"model {model} ({subset}): the same RT for every item, so its item-level "
                        "prediction cannot predict human RTs; no prediction model fitted.")
        return {}
    data = human_rt.merge(part, on="item", how="inner")
    data["model_prediction_ms"] = data["model_rt_ms"] - data["model_rt_ms"].mean()
    spec = ModelSpec("rt_ms", (Predictor("model_prediction_ms"),), structure="crossed_intercepts")
    label = {"analysis": f"human RT ~ {model} prediction", "subset": subset, "source": "human"}
    _fit_block(label, spec, data, engine, "crossed_intercepts", messages, results)
    fitted = [r for lab, r in results if lab is label and r.chosen]
    if not fitted:
        return {}
    try:
        out = {"prediction_slope": fitted[0].fixed("model_prediction_ms"),
               "prediction_slope_se": fitted[0].fixed("model_prediction_ms", "se")}
    except KeyError:  # the engine dropped the predictor as collinear
        return {}
    out.update(prediction_lrt(data, model, subset, engine, messages))
    return out


def prediction_lrt(data: pd.DataFrame, model: str, subset: str, engine: str, messages) -> dict[str, float]:
    """Likelihood-ratio test of the model's item-level prediction as a predictor of human RTs:
    ``rt_ms ~ model_prediction_ms + (1 | participant) + (1 | item)`` against the same model
    without the predictor, both fitted by maximum likelihood (not REML: REML likelihoods of
    models with different fixed effects cannot be compared); χ² with 1 df. A positive, large
    statistic says the model's item-level differences predict people's beyond their item and
    participant means."""
    from scipy import stats

    from analysis.formula_fit import fit as fit_formula

    random = " + (1 | participant) + (1 | item)"
    try:
        with_prediction = fit_formula(data, "rt_ms ~ model_prediction_ms" + random, reml=False,
                                      engine=engine, structure="as-given")
        without = fit_formula(data, "rt_ms ~ 1" + random, reml=False, engine=engine,
                              structure="as-given")
    except AnalysisInputError as exc:
        messages.append(f"model {model} ({subset}): likelihood-ratio test of its prediction not "
                        f"computed — {exc}")
        return {}
    ll1, ll0 = with_prediction.final.log_likelihood, without.final.log_likelihood
    if ll1 is None or ll0 is None:
        return {}
    statistic = max(0.0, 2.0 * (float(ll1) - float(ll0)))
    return {"lrt_chi2": statistic, "lrt_df": 1, "lrt_p": float(stats.chi2.sf(statistic, 1)),
            "lrt_loglik_with_prediction": float(ll1), "lrt_loglik_without": float(ll0)}


def compare(store_or_trials, task: str, models: list[str] | None = None, engine: str = "statsmodels",
            cleaning: CleaningOptions | None = None, structure: str = "auto",
            fit_accuracy: bool = True, include_simulated: bool = False,
            human_sessions=None, predictive_trials: pd.DataFrame | None = None) -> ComparisonResult:
    """Clean, fit and compare people and models on one task (see the module docstring);
    simulated participants only with ``include_simulated``; with ``human_sessions`` (ids)
    only those sessions' people; ``predictive_trials``: model rows for the posterior-predictive
    views (``models.fitting.predictive.predictive_trials``; see ``analysis.predictive_compare``)."""
    from analysis.predictive_compare import (check_predictive_rows, comparison_views, models_to_compare,
                                             split_predictive_runs)

    started = time.perf_counter()
    cleaning = cleaning or CleaningOptions()
    check_engine(engine)
    check_predictive_rows(predictive_trials)
    design = design_for(task)
    loaded = load(store_or_trials, task, include_simulated=include_simulated,
                  human_sessions=human_sessions)
    loaded, stored_predictive = split_predictive_runs(loaded)
    messages = loaded.messages
    # models=[]: people only (the likelihood comparison may name models that have no simulated runs)
    compared = models_to_compare(models, loaded, stored_predictive)
    runs = choose_model_runs(loaded, compared) if compared != [] else {}
    trials = select_trials(loaded, runs)
    if not (trials["source"] == "human").any():
        simulated = f" ({messages[0]})" if messages and "simulated" in messages[0] else ""
        raise AnalysisInputError(f"no human {task} trials in {loaded.where}: run sessions "
                                 "(`mirrorlab run`) or import data (`mirrorlab import`) first"
                                 + simulated)
    if not runs:
        messages.append(f"no model trials for task {task} in {loaded.where}: the report shows people only "
                        "(run `mirrorlab simulate MODEL` or `mirrorlab fit MODEL --task "
                        f"{task}` to add a model).")
    messages.extend(timing_notes(trials))
    rows = design.analysis_rows(trials)
    if rows.empty:
        raise AnalysisInputError(f"no analysable {task} trials in {loaded.where}")
    cells = list(design.cell_columns)
    cleaned = clean_trials(rows, cleaning, condition_columns=("subset", *cells))
    rt_rows, accuracy_rows = cleaned.rt, cleaned.accuracy
    human_rt = rt_rows[rt_rows["source"] == "human"]
    human_accuracy = accuracy_rows[accuracy_rows["source"] == "human"]
    participants = sorted(rows.loc[rows["source"] == "human", "participant"].unique())
    if len(participants) == 1:
        messages.append(f"only one participant ({participants[0]}): mixed models need several "
                        "participants, so the report shows condition means only.")
    if human_rt.empty:
        messages.append("no human trials are left for RT analyses after cleaning.")

    results: list = []
    subsets = sorted(rows.loc[rows["source"] == "human", "subset"].unique())
    for subset in subsets:
        rt_part = human_rt[human_rt["subset"] == subset]
        if len(participants) > 1 and len(rt_part):
            _fit_block({"analysis": "RT", "subset": subset, "source": "human"},
                       design.rt_spec(rt_part), rt_part, engine, structure, messages, results)
        acc_part = human_accuracy[human_accuracy["subset"] == subset]
        if fit_accuracy and len(participants) > 1 and len(acc_part):
            if acc_part["correct"].nunique() < 2:
                messages.append(f"accuracy model ({subset}): every analysed human trial has the same "
                                "correctness; no binomial model fitted.")
            else:
                _fit_block({"analysis": "accuracy", "subset": subset, "source": "human"},
                           design.rt_spec(acc_part, "correct", "binomial"), acc_part, engine,
                           structure, messages, results)

    means = cmp.condition_means(rt_rows, accuracy_rows, cells)
    comparisons, fit_rows, item_tables, item_rows = [], [], [], []
    curves: dict[str, pd.DataFrame] = {}
    for model, run_id in runs.items():
        source = f"model:{model}"
        table = cmp.side_by_side(means, model, cells, design.analysis.cell_targets)
        comparisons.append(table)
        _report_missing_cells(table, model, cells, messages)
        item_table, item_r = cmp.item_level(rt_rows, model)
        if len(item_table):
            item_tables.append(item_table)
        for subset in subsets:
            both = table[(table["subset"] == subset)]
            r, rmse = cmp.r_and_rmse(both["human_rt_ms"], both["model_rt_ms"])
            acc_r, acc_rmse = cmp.r_and_rmse(both["human_accuracy"], both["model_accuracy"])
            row = {"model": model, "model_run_id": run_id, "subset": subset,
                   "n_cells": int((both["human_rt_ms"].notna() & both["model_rt_ms"].notna()).sum()),
                   "r": r, "rmse_ms": rmse, "accuracy_r": acc_r, "accuracy_rmse": acc_rmse}
            match = item_r[item_r["subset"] == subset]
            row.update({"n_items_matched": int(match["n_items"].iloc[0]) if len(match) else 0,
                        "item_r": float(match["item_r"].iloc[0]) if len(match) else np.nan})
            if len(participants) > 1 and len(item_table):
                row.update(_prediction_model(human_rt[human_rt["subset"] == subset], item_table, model,
                                             subset, engine, messages, results))
            fit_rows.append(row)
            if len(match) == 0 and (rt_rows["source"] == source).any():
                messages.append(f"model {model} ({subset}): no item ids in common with the human data; "
                                "no item-level comparison.")
        if not (rt_rows["source"] == source).any():
            messages.append(f"model {model}: no trials with an RT after cleaning; RT comparison skipped.")
        item_rows.append(item_r)
        if design.analysis.choice_agreement:
            agreement, summary = cmp.choice_agreement(accuracy_rows, model)
            curves[f"choice_agreement_{model}"] = agreement
            for row in fit_rows:
                if row["model"] == model:
                    row.update({k: v for k, v in summary.items() if k != "model"})
    curves.update(cmp.task_curves(design.analysis.curves, means, rt_rows))

    predictive = comparison_views(task, trials, stored_predictive, predictive_trials, cleaning, messages,
                                  models=models)
    fits, fixed, random = _fits_frames(results)
    result = ComparisonResult(
        task=task, engine=engine, structure=structure, cleaning_options=cleaning, where=loaded.where,
        models=runs, cleaning=cleaned.summary, fits=fits, fixed_effects=fixed, random_effects=random,
        condition_means=order_cells(means, design.condition_levels),
        condition_comparison=order_cells(pd.concat(comparisons, ignore_index=True), design.condition_levels)
        if comparisons else pd.DataFrame(),
        fit_table=pd.DataFrame(fit_rows),
        item_correlations=pd.concat(item_rows, ignore_index=True) if item_rows else pd.DataFrame(),
        item_means=pd.concat(item_tables, ignore_index=True) if item_tables else pd.DataFrame(),
        curves=curves, sessions=loaded.sessions, model_runs=_chosen_runs(loaded.model_runs, runs),
        participants=participants, messages=messages, fit_results=results,
        citation=design.card.citation(),
        within_subject_ci=cousineau_morey(rt_rows, cells), predictive=predictive)
    result.elapsed_s = time.perf_counter() - started
    return result


def _report_missing_cells(table: pd.DataFrame, model: str, cells: list[str], messages: list[str]) -> None:
    only_human = table[table["human_rt_ms"].notna() & table["model_rt_ms"].isna()]
    only_model = table[table["model_rt_ms"].notna() & table["human_rt_ms"].isna()]
    for rows, who, other in ((only_human, f"model {model}", "the human data"),
                             (only_model, "the human data", f"model {model}")):
        if len(rows):
            labels = sorted({" / ".join(str(r[c]) for c in ["subset", *cells]) for _, r in rows.iterrows()})
            shown = ", ".join(labels[:6]) + (f" and {len(labels) - 6} more" if len(labels) > 6 else "")
            messages.append(f"{who} has no trials in {len(labels)} cell(s) present in {other} "
                            f"({shown}); r and RMSE use the common cells only.")


def order_cells(frame: pd.DataFrame, levels: tuple[str, ...]) -> pd.DataFrame:
    """Rows in the design's condition order (congruent, neutral, incongruent …), not alphabetical."""
    if frame.empty or "condition" not in frame:
        return frame
    rank = {level: i for i, level in enumerate(levels)}
    keys = [c for c in ("model", "source", "subset") if c in frame]
    order = frame.assign(_rank=frame["condition"].map(lambda c: rank.get(c, len(rank))))
    extra = [c for c in ("soa_ms", "ordinal_position") if c in frame]
    return order.sort_values([*keys, "_rank", *extra], kind="stable").drop(columns="_rank").reset_index(drop=True)


def _chosen_runs(runs: pd.DataFrame, chosen_runs: dict[str, int | None]) -> pd.DataFrame:
    if runs.empty:
        return runs
    ids = [r for r in chosen_runs.values() if r is not None]
    return runs[runs["model_run_id"].isin(ids)].reset_index(drop=True)
