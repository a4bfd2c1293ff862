"""Interactive figures for the report, as plotly figure specifications (plain dicts: ``data`` and
``layout``) that the report embeds as JSON and draws with the plotly.js bundled in the ``plotly``
package, inlined once into the HTML file — nothing is loaded from the network.

Which figures a task gets comes from its task card (``AnalysisDesign``: the condition-means
figure, its curves, item-by-item choices); the functions here only draw one table each. Every
label that comes from data is HTML-escaped before it reaches plotly (whose text renderer reads a
few tags and decodes entities), so ``<script>`` in an item name is drawn as those characters.
Every series says what it is: people, simulated participants, the published study or a model.
"""

from __future__ import annotations

from html import escape
from typing import Any

import numpy as np
import pandas as pd

#: The source label of published aggregates (``analysis.comparison.PUBLISHED``).
ORIGINAL = "published"

MODEL_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b")


def source_label(source: str, t) -> str:
    """What a series is, in the report's language: people, simulated, published or model X."""
    if source == "human":
        return t("source_human")
    if source == "simulated" or source.startswith("simulated"):
        return t("source_simulated")
    if source == ORIGINAL:
        return t("source_published")
    return t("source_model", name=source.removeprefix("model:"))


def _style(source: str, index: int) -> dict[str, Any]:
    if source == "human":
        return {"line": {"color": "#111111", "width": 3}, "marker": {"symbol": "circle", "size": 9}}
    if source == ORIGINAL:
        return {"line": {"color": "#888888", "dash": "dash"}, "marker": {"symbol": "square", "size": 8}}
    colour = MODEL_COLOURS[index % len(MODEL_COLOURS)]
    return {"line": {"color": colour}, "marker": {"symbol": "triangle-up", "size": 9, "color": colour}}


def _text(value: Any) -> str:
    """A data label for plotly: ``<``, ``>`` and ``&`` as entities (plotly decodes those three
    but reads tags), quotes as they are (plotly does not decode ``&quot;``)."""
    return escape(str(value), quote=False)


def _numbers(values) -> list[float | None]:
    return [None if v is None or not np.isfinite(v) else float(v) for v in np.asarray(values, float)]


def _layout(t, x_title: str, y_title: str, title: str = "", categorical: bool = False) -> dict:
    from analysis.i18n import FONT_STACKS

    layout = {
        "font": {"family": FONT_STACKS[t.lang], "size": 13},
        "title": {"text": _text(title), "font": {"size": 14}} if title else None,
        "xaxis": {"title": {"text": _text(x_title)}, "automargin": True},
        "yaxis": {"title": {"text": _text(y_title)}, "automargin": True},
        "legend": {"orientation": "h", "y": -0.25},
        "margin": {"l": 60, "r": 20, "t": 40 if title else 20, "b": 60},
        "autosize": True, "height": 380, "paper_bgcolor": "white", "plot_bgcolor": "#fafafa",
    }
    if categorical:
        layout["xaxis"]["type"] = "category"
    return {k: v for k, v in layout.items() if v is not None}


def _order(levels: list[str], present) -> list[str]:
    present = [str(p) for p in present]
    return [c for c in levels if c in present] + sorted(set(present) - set(levels))


def condition_means_figures(means: pd.DataFrame, ci: pd.DataFrame | None, published: pd.DataFrame | None,
                            levels: list[str], t) -> list[tuple[dict, str]]:
    """Mean RT per condition (one figure per subset): people with within-subject 95% CIs
    (``analysis.within_ci``), each model, and the published study's cell means."""
    if means is None or "condition" not in means or "rt_ms" not in means:
        return []
    rt = means.dropna(subset=["rt_ms"])
    out = []
    for subset in sorted(rt["subset"].astype(str).unique()):
        part = rt[rt["subset"].astype(str) == subset]
        order = _order(levels, part["condition"].unique())
        traces = []
        for index, (source, rows) in enumerate(part.groupby("source")):
            values = rows.groupby(rows["condition"].astype(str))["rt_ms"].mean().reindex(order)
            trace = {"type": "scatter", "mode": "lines+markers", "name": _text(source_label(source, t)),
                     "x": [_text(c) for c in order], "y": _numbers(values), **_style(source, index)}
            if ci is not None and len(ci) and {"source", "subset", "condition"} <= set(ci.columns):
                own = ci[(ci["source"] == source) & (ci["subset"].astype(str) == subset)]
                half = own.groupby(own["condition"].astype(str))["ci_half_width"].mean().reindex(order)
                if half.notna().any():
                    trace["error_y"] = {"type": "data", "array": _numbers(half), "visible": True,
                                        "thickness": 1.5, "width": 6}
            traces.append(trace)
        if published is not None and len(published):
            known = [str(k) for k in dict.fromkeys(published["instruction"])]
            instruction = subset if subset in known else known[0]
            rows = published[published["instruction"].astype(str) == instruction]
            values = rows.groupby(rows["condition"].astype(str))["rt_ms"].mean().reindex(order)
            if values.notna().any():
                traces.append({"type": "scatter", "mode": "lines+markers",
                               "name": _text(source_label(ORIGINAL, t)), "x": [_text(c) for c in order],
                               "y": _numbers(values), **_style(ORIGINAL, 0)})
        if traces:
            figure = {"data": traces, "layout": _layout(t, t("condition"), t("mean_rt"), subset, True)}
            out.append((figure, f"{t('condition_means')}: {subset}"))
    return out


def effect_figures(curves: pd.DataFrame, subset: str, curve, t) -> list[tuple[dict, str]]:
    """One figure per condition of ``curve.panels``: effect (ms) by ``curve.x`` per source, with
    the published series of the matching instruction (else the first published one)."""
    x = curve.x
    published_subsets = list(dict.fromkeys(curves.loc[curves["source"] == ORIGINAL, "subset"].dropna()))
    shown = subset if subset in published_subsets or not published_subsets else published_subsets[0]
    part = curves[((curves["subset"] == subset) & (curves["source"] != ORIGINAL))
                  | ((curves["source"] == ORIGINAL) & (curves["subset"] == shown))]
    own = curves[(curves["subset"] == subset) & (curves["source"] != ORIGINAL)]
    if own.empty:
        return []
    out = []
    for condition in [c for c in curve.panels if c in set(part["condition"])]:
        traces = []
        for index, (source, rows) in enumerate(part[part["condition"] == condition].groupby("source")):
            rows = rows.sort_values(x)
            traces.append({"type": "scatter", "mode": "lines+markers", "name": _text(source_label(source, t)),
                           "x": _numbers(rows[x]), "y": _numbers(rows["effect_ms"]), **_style(source, index)})
        title = f"{subset}: {condition} − {own['baseline'].iloc[0]}"
        layout = _layout(t, t.card(curve.x_label), t("effect_ms"), title)
        layout["shapes"] = [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": 0, "y1": 0,
                             "line": {"color": "#cccccc", "width": 1}}]
        out.append(({"data": traces, "layout": layout}, f"{t.card(curve.title)}: {title}"))
    return out


def curve_figure(table: pd.DataFrame, curve, t) -> tuple[dict, str] | None:
    """Mean RT by ``curve.x`` (e.g. ordinal position, lag), one line per source."""
    column = curve.x
    if table.empty or not (table["source"] != ORIGINAL).any():
        return None
    traces = []
    for index, (source, rows) in enumerate(table.groupby("source")):
        rows = rows.sort_values(column)
        traces.append({"type": "scatter", "mode": "lines+markers", "name": _text(source_label(source, t)),
                       "x": _numbers(rows[column]), "y": _numbers(rows["rt_ms"]), **_style(source, index)})
    figure = {"data": traces, "layout": _layout(t, t.card(curve.x_label), t("mean_rt"))}
    return figure, t.card(curve.title)


def item_scatter_figure(items: pd.DataFrame, model: str, t) -> tuple[dict, str] | None:
    """Item mean RTs, people against one model, one colour per condition; hover shows the item."""
    part = items[items["model"] == model].dropna(subset=["human_rt_ms", "model_rt_ms"])
    if len(part) < 2:
        return None
    traces = []
    for index, (condition, rows) in enumerate(part.groupby(part["condition"].astype(str))):
        traces.append({"type": "scatter", "mode": "markers", "name": _text(condition),
                       "x": _numbers(rows["model_rt_ms"]), "y": _numbers(rows["human_rt_ms"]),
                       "text": [_text(i) for i in rows["item"]], "hovertemplate": "%{text}<extra></extra>",
                       "marker": {"size": 8, "color": MODEL_COLOURS[index % len(MODEL_COLOURS)]}})
    layout = _layout(t, t("item_rt_model", model=model), t("item_rt_people"))
    return {"data": traces, "layout": layout}, t("items_vs", model=model)


def agreement_figure(agreement: pd.DataFrame, model: str, t) -> tuple[dict, str] | None:
    """Per item: people's proportion correct against the model's; green where the modal choices agree."""
    if agreement.empty:
        return None
    traces = []
    for same, key, colour in ((True, "same_choice", "#2ca02c"), (False, "different_choice", "#d62728")):
        rows = agreement[agreement["same_choice"].astype(bool) == same]
        if rows.empty:
            continue
        traces.append({"type": "scatter", "mode": "markers", "name": _text(t(key)),
                       "x": _numbers(rows["model_accuracy"]), "y": _numbers(rows["human_accuracy"]),
                       "text": [_text(i) for i in rows["item"]] if "item" in rows else None,
                       "hovertemplate": "%{text}<extra></extra>", "marker": {"size": 9, "color": colour}})
    layout = _layout(t, t("item_accuracy_model", model=model), t("item_accuracy_people"))
    return {"data": traces, "layout": layout}, t("item_choices", model=model)


def embedding_figure(projection: pd.DataFrame, model: str, t) -> tuple[dict, str] | None:
    """Each item's target and choices in the first two principal components of the model's
    word vectors (``analysis.projection.project_items``): one marker symbol per role, a line
    from the target to the answer (solid) and to people's most frequent choice (dotted)."""
    if projection is None or projection.empty:
        return None
    traces = []
    symbols = {"target": ("circle", "#111111"), "answer": ("star", "#2ca02c"), "foil": ("x", "#d62728")}
    for role, (symbol, colour) in symbols.items():
        rows = projection[projection["role"] == role]
        if rows.empty:
            continue
        traces.append({"type": "scatter", "mode": "markers+text", "name": _text(t(f"role_{role}")),
                       "x": _numbers(rows["pc1"]), "y": _numbers(rows["pc2"]),
                       "text": [_text(w) for w in rows["word"]], "textposition": "top center",
                       "hovertext": [_text(f"{i}: {w}") for i, w in zip(rows["item"], rows["word"])],
                       "hoverinfo": "text", "marker": {"symbol": symbol, "size": 10, "color": colour}})
    for link, dash, key in (("answer", "solid", "role_answer"), ("chosen", "dot", "role_chosen")):
        xs, ys = [], []
        for _, rows in projection.groupby("item"):
            target = rows[rows["role"] == "target"]
            other = rows[rows["role"] == "answer"] if link == "answer" else rows[rows["chosen"].astype(bool)]
            if target.empty or other.empty:
                continue
            xs += [float(target["pc1"].iloc[0]), float(other["pc1"].iloc[0]), None]
            ys += [float(target["pc2"].iloc[0]), float(other["pc2"].iloc[0]), None]
        if xs:
            traces.append({"type": "scatter", "mode": "lines", "name": _text(t(key)), "x": xs, "y": ys,
                           "hoverinfo": "skip", "line": {"color": "#999999", "dash": dash, "width": 1}})
    layout = _layout(t, t("pc1"), t("pc2"))
    layout["height"] = 480
    return {"data": traces, "layout": layout}, t("embedding")
