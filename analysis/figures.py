"""Figures for the report, drawn with matplotlib's Agg backend (no display needed) and returned
as base64 PNG data so the HTML file embeds them and opens without network or side files."""

from __future__ import annotations

import base64
import io

import numpy as np
import pandas as pd

#: The source label of published aggregates (``analysis.comparison.PUBLISHED``).
ORIGINAL = "published"


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def to_png_base64(fig) -> str:
    plt = _pyplot()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=96, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _series_style(source: str) -> dict:
    if source == "human":
        return {"color": "black", "marker": "o", "linewidth": 2.2}
    if source == ORIGINAL:
        return {"color": "grey", "marker": "s", "linestyle": "--"}
    return {"marker": "^", "linestyle": "-"}


def _label(source: str) -> str:
    if source == ORIGINAL:
        return "published study"
    return "people" if source == "human" else source.replace("model:", "model ")


def condition_means_figure(means: pd.DataFrame, published: pd.DataFrame | None, levels: list[str],
                           title: str) -> str | None:
    """RT per condition: people, each model, and the original study (one panel per subset)."""
    if "condition" not in means or "rt_ms" not in means:
        return None
    rt = means.dropna(subset=["rt_ms"])
    if rt.empty:
        return None
    plt = _pyplot()
    subsets = sorted(rt["subset"].unique())
    fig, axes = plt.subplots(1, len(subsets), figsize=(5.2 * len(subsets), 3.8), squeeze=False)
    for ax, subset in zip(axes[0], subsets):
        part = rt[rt["subset"] == subset]
        order = [c for c in levels if c in set(part["condition"])] + \
            sorted(set(part["condition"]) - set(levels))
        x = np.arange(len(order))
        for source, rows in part.groupby("source"):
            values = rows.set_index("condition")["rt_ms"].reindex(order)
            ax.plot(x, values.to_numpy(float), label=_label(source), **_series_style(source))
        if published is not None and len(published):
            known = list(dict.fromkeys(published["instruction"]))
            instruction = subset if subset in known else known[0]
            values = published[published["instruction"] == instruction].set_index("condition")["rt_ms"]
            values = values.reindex(order)
            if values.notna().any():
                ax.plot(x, values.to_numpy(float), label=_label(ORIGINAL), **_series_style(ORIGINAL))
        ax.set_xticks(x, order)
        ax.set_ylabel("mean RT (ms)")
        ax.set_title(f"{title}: {subset}")
        ax.legend(fontsize=8)
    return to_png_base64(fig)


def effect_figure(curves: pd.DataFrame, subset: str, curve) -> str | None:
    """One panel per condition of ``curve.panels``: effect (ms) by ``curve.x``, per source;
    the published series of the matching instruction (else the first published one)."""
    x = curve.x
    published_subsets = list(dict.fromkeys(curves.loc[curves["source"] == ORIGINAL, "subset"].dropna()))
    shown = subset if subset in published_subsets or not published_subsets else published_subsets[0]
    part = curves[((curves["subset"] == subset) & (curves["source"] != ORIGINAL))
                  | ((curves["source"] == ORIGINAL) & (curves["subset"] == shown))]
    own = curves[(curves["subset"] == subset) & (curves["source"] != ORIGINAL)]
    if own.empty:
        return None
    plt = _pyplot()
    conditions = [c for c in curve.panels if c in set(part["condition"])]
    if not conditions:
        return None
    fig, axes = plt.subplots(1, len(conditions), figsize=(4.6 * len(conditions), 3.6), squeeze=False,
                             sharey=True)
    for ax, condition in zip(axes[0], conditions):
        for source, rows in part[part["condition"] == condition].groupby("source"):
            rows = rows.sort_values(x)
            ax.plot(rows[x], rows["effect_ms"], label=_label(source), **_series_style(source))
        ax.axhline(0, color="lightgrey", linewidth=1)
        ax.set_xlabel(curve.x_label)
        ax.set_title(f"{condition} − {own['baseline'].iloc[0]}")
        ax.legend(fontsize=8)
    axes[0][0].set_ylabel("effect (ms)")
    return to_png_base64(fig)


def curve_figure(curve: pd.DataFrame, column: str, xlabel: str) -> str | None:
    if curve.empty or not (curve["source"] != ORIGINAL).any():
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5.2, 3.8))
    for source, rows in curve.groupby("source"):
        rows = rows.sort_values(column)
        ax.plot(rows[column], rows["rt_ms"], label=_label(source), **_series_style(source))
    ax.set_xlabel(xlabel)
    ax.set_ylabel("mean RT (ms)")
    ax.legend(fontsize=8)
    return to_png_base64(fig)


def item_scatter_figure(items: pd.DataFrame, model: str) -> str | None:
    part = items[items["model"] == model].dropna(subset=["human_rt_ms", "model_rt_ms"])
    if len(part) < 2:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(4.6, 4.2))
    for condition, rows in part.groupby(part["condition"].astype(str)):
        ax.scatter(rows["model_rt_ms"], rows["human_rt_ms"], label=condition, s=18)
    ax.set_xlabel(f"model {model}: item mean RT (ms)")
    ax.set_ylabel("people: item mean RT (ms)")
    ax.set_title(f"items: people vs {model}")
    ax.legend(fontsize=7)
    return to_png_base64(fig)


def agreement_figure(agreement: pd.DataFrame, model: str) -> str | None:
    if agreement.empty:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(4.6, 4.2))
    colors = np.where(agreement["same_choice"], "tab:green", "tab:red")
    ax.scatter(agreement["model_accuracy"], agreement["human_accuracy"], c=colors, s=18)
    ax.set_xlabel(f"model {model}: proportion correct per item")
    ax.set_ylabel("people: proportion correct per item")
    ax.set_title("green: same modal choice; red: different")
    return to_png_base64(fig)
