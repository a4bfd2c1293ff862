"""Human–model comparison: condition means side by side (r, RMSE), item-level correlations,
a mixed model of human RTs with the model's item-level prediction as a predictor, and the
task-specific views (SOA curves, ordinal-position and lag curves, item-by-item choice agreement).

Model rows already carry ``rt_ms`` after the model's own fitted cycles→ms mapping, so they
are compared in ms directly. Every mean is a mean of agent means (each participant or
simulated agent counts once), computed on the cleaned rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import published


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


def side_by_side(means: pd.DataFrame, model: str, cells: list[str], task: str) -> pd.DataFrame:
    """Human and one model's cell means in one row per cell (+ published where there is one)."""
    keys = ["subset", *cells]
    human = means[means["source"] == "human"][[*keys, "rt_ms", "accuracy", "n_agents"]]
    human = human.rename(columns={"rt_ms": "human_rt_ms", "accuracy": "human_accuracy",
                                  "n_agents": "n_participants"})
    model_rows = means[means["source"] == f"model:{model}"][[*keys, "rt_ms", "accuracy", "n_agents"]]
    model_rows = model_rows.rename(columns={"rt_ms": "model_rt_ms", "accuracy": "model_accuracy",
                                            "n_agents": "n_simulated"})
    table = human.merge(model_rows, on=keys, how="outer")
    table.insert(0, "model", model)
    table["published_rt_ms"] = published_cell_rt(table, task)
    return table.sort_values(keys).reset_index(drop=True)


def published_cell_rt(table: pd.DataFrame, task: str) -> pd.Series:
    """The original study's value for each cell, where the published targets give one."""
    values = pd.Series(np.nan, index=table.index, dtype=float)
    if task == "stroop":
        source = published.DUNBAR_MACLEOD_1984["rt_ms"]
        for i, row in table.iterrows():
            instruction = row["subset"] if row["subset"] in ("colour_naming", "word_reading") else "colour_naming"
            values[i] = source.get((instruction, row.get("condition")), np.nan)
    elif task == "continuous-naming" and "ordinal_position" in table:
        source = published.HOWARD_2006["ordinal_position_rt_ms"]
        values = table["ordinal_position"].map(lambda k: source.get(int(k), np.nan) if pd.notna(k) else np.nan)
    return values.astype(float)


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


def soa_curves(means: pd.DataFrame) -> pd.DataFrame:
    """Picture–word: RT(condition) − RT(nonword) per SOA and source (+ the original study)."""
    rows = []
    for (source, subset), part in means.groupby(["source", "subset"]):
        baseline = part[part["condition"] == "nonword"].set_index("soa_ms")["rt_ms"]
        reference = "nonword"
        if baseline.empty:
            baseline = part[part["condition"] == "unrelated"].set_index("soa_ms")["rt_ms"]
            reference = "unrelated"
        for _, row in part.iterrows():
            if row["condition"] == reference or row["soa_ms"] not in baseline.index:
                continue
            rows.append({"source": source, "subset": subset, "condition": row["condition"],
                         "soa_ms": row["soa_ms"], "effect_ms": row["rt_ms"] - baseline[row["soa_ms"]],
                         "baseline": reference})
    frame = pd.DataFrame(rows, columns=["source", "subset", "condition", "soa_ms", "effect_ms", "baseline"])
    original = published.picture_word_soa_effects().rename(columns={"instruction": "subset"})
    original.insert(0, "source", "original study")
    original["baseline"] = "nonword"
    return pd.concat([frame, original], ignore_index=True)


def position_and_lag_curves(rt_rows: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Continuous naming: RT by ordinal position and by lag, per source (+ the original study)."""
    curves = {}
    original = published.continuous_naming_curves()
    for column in ("ordinal_position", "lag"):
        rows = rt_rows[rt_rows[column].notna()] if column in rt_rows else rt_rows.iloc[0:0]
        means = agent_cell_means(rows.assign(**{column: rows[column].astype(float)}), [column], "rt_ms")
        means = means.drop(columns=["subset"])
        reference = original[column].assign(source="original study")
        curves[column] = pd.concat([means, reference], ignore_index=True)
    return curves
