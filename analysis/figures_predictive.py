"""The posterior-predictive figures (``analysis.predictive_views``) as plotly specifications, in
the report's embedded style (``analysis.figures``: plain dicts, data labels escaped, nothing
fetched from the network).

* quantiles and CAFs: one figure per subset (× panel) and model — people (thick lines, filled
  markers, within-subject or t error bars) against that model (thin dashed lines, open
  markers), one colour per condition in the card's order;
* delta plots: one figure per subset (× panel) and contrast, one line per source (people and
  every model), coloured as in the rest of the report.
"""

from __future__ import annotations

import pandas as pd

from analysis.figures import _layout, _numbers, _style, _text, source_label

#: Colours of conditions in the card's order (Stroop: congruent green, neutral grey,
#: incongruent red).
CONDITION_COLOURS = ("#2ca02c", "#7f7f7f", "#d62728", "#1f77b4", "#9467bd", "#ff7f0e")


def panel_title(subset: str, panel: dict) -> str:
    extra = ", ".join(f"{k} {v:g}" if isinstance(v, float) else f"{k} {v}" for k, v in panel.items())
    return f"{subset} · {extra}" if extra else str(subset)


def _select(frame: pd.DataFrame, subset: str, panel: dict) -> pd.DataFrame:
    rows = frame[frame["subset"] == subset]
    for column, value in panel.items():
        rows = rows[rows[column] == value]
    return rows


def _error_bars(rows: pd.DataFrame, value: str) -> dict | None:
    if not {"ci_low", "ci_high"} <= set(rows.columns) or rows["ci_high"].isna().all():
        return None
    return {"type": "data", "symmetric": False, "array": _numbers(rows["ci_high"] - rows[value]),
            "arrayminus": _numbers(rows[value] - rows["ci_low"]), "visible": True,
            "thickness": 1.2, "width": 4}


def _condition_traces(rows: pd.DataFrame, x: str, y: str, conditions: list[str], source: str,
                      t, human: bool) -> list[dict]:
    traces = []
    for index, condition in enumerate(conditions):
        part = rows[(rows["source"] == source) & (rows["condition"] == condition)].sort_values(x)
        if part.empty:
            continue
        colour = CONDITION_COLOURS[index % len(CONDITION_COLOURS)]
        trace = {"type": "scatter", "mode": "lines+markers",
                 "name": _text(f"{source_label(source, t)}: {condition}"),
                 "x": _numbers(part[x]), "y": _numbers(part[y]),
                 "line": {"color": colour, "width": 3 if human else 1.5, "dash": "solid" if human else "dash"},
                 "marker": {"color": colour, "size": 8, "symbol": "circle" if human else "triangle-up-open"}}
        if human:
            bars = _error_bars(part, y)
            if bars:
                trace["error_y"] = bars
        traces.append(trace)
    return traces


def _people_vs(frame: pd.DataFrame, subset: str, panel: dict, model: str | None, x: str, y: str,
               conditions: list[str], t, x_title: str, y_title: str, what: str):
    rows = _select(frame, subset, panel)
    traces = _condition_traces(rows, x, y, conditions, "human", t, human=True)
    if model is not None:
        traces += _condition_traces(rows, x, y, conditions, model, t, human=False)
    if not traces:
        return None
    who = t("pp_people_vs", model=model.removeprefix("model:")) if model else t("pp_people_only")
    title = f"{panel_title(subset, panel)}: {who}"
    layout = _layout(t, x_title, y_title, title)
    layout["height"] = 420
    return {"data": traces, "layout": layout}, f"{what}: {title}"


def quantile_figure(views, subset: str, panel: dict, model: str | None, t):
    """RT quantiles per condition: people against one model (or people alone)."""
    return _people_vs(views.quantiles, subset, panel, model, "quantile", "rt_ms",
                      list(views.design.conditions), t, t("pp_quantile_axis"), t("pp_rt_axis"),
                      t("pp_quantiles"))


def caf_figure(views, subset: str, panel: dict, model: str | None, t):
    """Conditional accuracy functions per condition: people against one model."""
    figure = _people_vs(views.caf, subset, panel, model, "rt_ms", "accuracy",
                        list(views.design.conditions), t, t("pp_bin_rt_axis"), t("pp_accuracy_axis"),
                        t("pp_caf"))
    if figure:
        figure[0]["layout"]["yaxis"]["range"] = [max(0.0, float(views.caf["accuracy"].min()) - 0.05), 1.01]
    return figure


def delta_figure(views, subset: str, panel: dict, contrast: str, t):
    """One delta plot: the effect at each quantile against the mean RT, per source."""
    rows = _select(views.delta, subset, panel)
    rows = rows[rows["contrast"] == contrast]
    if rows.empty or not (rows["source"] == "human").any():
        return None
    traces = []
    sources = ["human"] + sorted(s for s in rows["source"].unique() if s != "human")
    for index, source in enumerate(sources):
        part = rows[rows["source"] == source].sort_values("quantile")
        trace = {"type": "scatter", "mode": "lines+markers", "name": _text(source_label(source, t)),
                 "x": _numbers(part["mean_rt_ms"]), "y": _numbers(part["effect_ms"]),
                 "text": [f"{q:g}" for q in part["quantile"]],
                 "hovertemplate": "q %{text}: %{y:.0f} ms<extra></extra>", **_style(source, index - 1)}
        if source == "human":
            bars = _error_bars(part, "effect_ms")
            if bars:
                trace["error_y"] = bars
        traces.append(trace)
    title = f"{panel_title(subset, panel)}: {contrast}"
    layout = _layout(t, t("pp_mean_rt_axis"), t("pp_effect_axis"), title)
    layout["shapes"] = [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": 0, "y1": 0,
                         "line": {"color": "#cccccc", "width": 1}}]
    return {"data": traces, "layout": layout}, f"{t('pp_delta')}: {title}"
