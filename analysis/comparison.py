"""Human–model comparison: condition means side by side (r, RMSE), item-level correlations,
a mixed model of human RTs with the model's item-level prediction as a predictor, and the
task-specific views the task card declares (effect curves such as the SOA curves, RT curves by
ordinal position or lag, item-by-item choice agreement), each with the card's published
targets (``stimuli.published``) as a third series labelled ``published``.

Model rows already carry ``rt_ms`` after the model's own fitted cycles→ms mapping, so they
are compared in ms directly. Every mean is a mean of agent means (each participant or
simulated agent counts once), computed on the cleaned rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from stimuli.published import published_table
from stimuli.tasks import Curve

#: The source label of published aggregates drawn beside people and models.
PUBLISHED = "published"


def agent_cell_means(rows: pd.DataFrame, cells: list[str], value: str) -> pd.DataFrame:
    """Mean of ``value`` per source × subset × cell, averaged first within agent."""
    keys = ["source", "subset", *cells]
    if rows.empty:
        return pd.DataFrame(columns=[*keys, value, "n_agents", "n_trials"])
    by_agent = rows.groupby([*keys, "agent"], dropna=False)[value].agg(["mean", "size"]).reset_index()
    out = by_agent.groupby(keys, dropna=False).agg(
        **{value: ("mean", "mean"), "n_agents": ("agent", "nunique"), "n_trials": ("size", "sum")})
    return out.reset_index()


def condition_means(rt_rows: pd.DataFrame, accuracy_rows: pd.DataFrame, cells: list[str]) -> pd.DataFrame:
    rt = agent_cell_means(rt_rows, cells, "rt_ms").rename(columns={"n_trials": "n_rt_trials"})
    accuracy = agent_cell_means(accuracy_rows.assign(accuracy=accuracy_rows["correct"].astype(float)),
                                cells, "accuracy").rename(columns={"n_trials": "n_accuracy_trials",
                                                                   "n_agents": "n_agents_accuracy"})
    keys = ["source", "subset", *cells]
    merged = rt.merge(accuracy, on=keys, how="outer")
    return merged.sort_values(keys).reset_index(drop=True)


def r_and_rmse(x: pd.Series, y: pd.Series) -> tuple[float, float]:
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if len(x) == 0:
        return float("nan"), float("nan")
    rmse = float(np.sqrt(np.mean((x - y) ** 2)))
    if len(x) < 3 or np.std(x) == 0 or np.std(y) == 0:
        return float("nan"), rmse
    return float(np.corrcoef(x, y)[0, 1]), rmse


def side_by_side(means: pd.DataFrame, model: str, cells: list[str],
                 cell_targets: str | None = None) -> pd.DataFrame:
    """Human and one model's cell means in one row per cell (+ the published value where the
    task card names a published table for its cells)."""
    keys = ["subset", *cells]
    human = means[means["source"] == "human"][[*keys, "rt_ms", "accuracy", "n_agents"]]
    human = human.rename(columns={"rt_ms": "human_rt_ms", "accuracy": "human_accuracy",
                                  "n_agents": "n_participants"})
    model_rows = means[means["source"] == f"model:{model}"][[*keys, "rt_ms", "accuracy", "n_agents"]]
    model_rows = model_rows.rename(columns={"rt_ms": "model_rt_ms", "accuracy": "model_accuracy",
                                            "n_agents": "n_simulated"})
    table = human.merge(model_rows, on=keys, how="outer")
    table.insert(0, "model", model)
    table = table.sort_values(keys).reset_index(drop=True)
    table["published_rt_ms"] = published_cell_rt(table, cells, cell_targets)
    return table


def _published_for_subsets(target: pd.DataFrame, subsets: pd.Series) -> pd.Series:
    """The published table's instruction for each subset: the same one where the table has it,
    else its first (imported data without an instruction form the subset ``all``)."""
    known = list(dict.fromkeys(target["instruction"]))
    return subsets.where(subsets.isin(known), known[0])


def published_cell_rt(table: pd.DataFrame, cells: list[str], key: str | None) -> pd.Series:
    """The published ``rt_ms`` of each cell, matched on the cell columns the table ``key`` has
    (and its ``instruction`` on the subset); NaN where it gives none."""
    values = pd.Series(np.nan, index=table.index, dtype=float)
    if key is None or table.empty:
        return values
    target = published_table(key).frame()
    on = [c for c in cells if c in target.columns]
    lookup = table[on].copy()
    for column in on:
        if pd.api.types.is_numeric_dtype(target[column]):
            lookup[column] = pd.to_numeric(lookup[column], errors="coerce").astype(float)
            target[column] = target[column].astype(float)
    if "instruction" in target.columns:
        lookup["instruction"] = _published_for_subsets(target, table["subset"])
        on = ["instruction", *on]
    if not on:
        return values
    merged = lookup.reset_index().merge(target[[*on, "rt_ms"]], on=on, how="left")
    return merged.set_index("index")["rt_ms"].reindex(table.index).astype(float)


def item_means(rt_rows: pd.DataFrame, source: str, value: str = "rt_ms") -> pd.DataFrame:
    rows = rt_rows[rt_rows["source"] == source]
    return rows.groupby(["subset", "item"])[value].mean().rename(value).reset_index()


def item_level(rt_rows: pd.DataFrame, model: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per-item table, per-subset correlation) of human and model mean RTs on matching items."""
    human = item_means(rt_rows, "human").rename(columns={"rt_ms": "human_rt_ms"})
    model_means = item_means(rt_rows, f"model:{model}").rename(columns={"rt_ms": "model_rt_ms"})
    conditions = rt_rows[rt_rows["source"] == "human"].groupby(["subset", "item"])["condition"].first()
    table = human.merge(model_means, on=["subset", "item"], how="inner")
    table = table.merge(conditions.reset_index(), on=["subset", "item"], how="left")
    table.insert(0, "model", model)
    rows = []
    for subset, part in table.groupby("subset"):
        r, rmse = r_and_rmse(part["human_rt_ms"], part["model_rt_ms"])
        rows.append({"model": model, "subset": subset, "n_items": len(part), "item_r": r,
                     "item_rmse_ms": rmse})
    return table, pd.DataFrame(rows, columns=["model", "subset", "n_items", "item_r", "item_rmse_ms"])


def choice_agreement(accuracy_rows: pd.DataFrame, model: str) -> tuple[pd.DataFrame, dict]:
    """Association task: per item, people's modal choice and accuracy against the model's."""
    def per_item(source: str) -> pd.DataFrame:
        rows = accuracy_rows[accuracy_rows["source"] == source]
        if rows.empty:
            return pd.DataFrame(columns=["item", "modal_response", "accuracy", "n"])
        modal = rows.groupby("item")["response"].agg(
            lambda s: s.astype(str).value_counts().sort_index().idxmax() if len(s) else None)
        return pd.DataFrame({"modal_response": modal,
                             "accuracy": rows.groupby("item")["correct"].mean(),
                             "n": rows.groupby("item").size()}).reset_index()

    human = per_item("human").add_prefix("human_").rename(columns={"human_item": "item"})
    model_items = per_item(f"model:{model}").add_prefix("model_").rename(columns={"model_item": "item"})
    table = human.merge(model_items, on="item", how="inner")
    table.insert(0, "model", model)
    table["same_choice"] = table["human_modal_response"] == table["model_modal_response"]
    r, rmse = r_and_rmse(table["human_accuracy"], table["model_accuracy"])
    summary = {"model": model, "n_items": len(table),
               "choice_agreement": float(table["same_choice"].mean()) if len(table) else np.nan,
               "item_accuracy_r": r, "item_accuracy_rmse": rmse}
    return table, summary


def published_curve(curve: Curve, value: str) -> pd.DataFrame:
    """The published tables of a curve, one frame (columns ``subset`` where they have an
    instruction, the curve's ``x`` and ``value``), labelled ``source = "published"``."""
    frames = []
    for key in curve.targets:
        frame = published_table(key).frame().rename(columns={"instruction": "subset"})
        columns = [c for c in ("subset", "condition", curve.x, value) if c in frame.columns]
        frames.append(frame[columns])
    if not frames:
        return pd.DataFrame(columns=["source", curve.x, value])
    out = pd.concat(frames, ignore_index=True)
    out.insert(0, "source", PUBLISHED)
    return out


def effect_curve(means: pd.DataFrame, curve: Curve) -> pd.DataFrame:
    """RT(condition) − RT(baseline) per ``curve.x`` value, source and subset (+ published).
    The baseline is the first of ``curve.baseline`` that a source × subset has."""
    x = curve.x
    rows = []
    for (source, subset), part in means.groupby(["source", "subset"]):
        for reference in curve.baseline:
            baseline = part[part["condition"] == reference].set_index(x)["rt_ms"]
            if not baseline.empty:
                break
        for _, row in part.iterrows():
            if row["condition"] == reference or row[x] not in baseline.index:
                continue
            rows.append({"source": source, "subset": subset, "condition": row["condition"],
                         x: row[x], "effect_ms": row["rt_ms"] - baseline[row[x]],
                         "baseline": reference})
    frame = pd.DataFrame(rows, columns=["source", "subset", "condition", x, "effect_ms", "baseline"])
    original = published_curve(curve, "effect_ms")
    original["baseline"] = curve.baseline[0]
    return pd.concat([frame, original], ignore_index=True)


def rt_curve(rt_rows: pd.DataFrame, curve: Curve) -> pd.DataFrame:
    """Mean RT per ``curve.x`` value and source (agent means first), + published."""
    column = curve.x
    rows = rt_rows[rt_rows[column].notna()] if column in rt_rows else rt_rows.iloc[0:0]
    means = agent_cell_means(rows.assign(**{column: rows[column].astype(float)}), [column], "rt_ms")
    means = means.drop(columns=["subset"])
    return pd.concat([means, published_curve(curve, "rt_ms")], ignore_index=True)


def task_curves(curves: tuple[Curve, ...], means: pd.DataFrame, rt_rows: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Every curve a task card declares, by name."""
    return {curve.name: effect_curve(means, curve) if curve.measure == "effect" else rt_curve(rt_rows, curve)
            for curve in curves}
