"""The report's section on RT distributions: quantiles, delta plots and conditional accuracy
functions of people and each model (``analysis.predictive_views``), with the CSV tables of
every number and a label on every series saying what it is (people; a model at each
participant's fit, fitted here, at published defaults, or its stored run as simulated).

``section_html(result, t, plots, table)`` returns the section's HTML parts for one task's
comparison (``result.predictive``; nothing when it has none); ``summary_text(result, t)`` is
its one-line summary (the primary contrast's effect at the first and last quantile, people and
each model).
"""

from __future__ import annotations

from html import escape

import numpy as np
import pandas as pd

from analysis import figures_predictive as figures
from analysis.predictive_views import contrast_label

#: The view tables shown in the section (every one of ``PredictiveViews.tables()`` is a CSV).
SHOWN_TABLES = ("predictive_quantiles", "predictive_delta", "predictive_caf")


def _number(value) -> str:
    return "–" if value is None or not np.isfinite(value) else f"{value:.0f}"


def basis_label(basis: str, t) -> str:
    """What a series' rows are, in the report's language (``predictive_basis`` values, joined
    by commas when a model's participants differ)."""
    from analysis.i18n import EN

    words = [b.strip() for b in str(basis).split(",") if b.strip()]
    return ", ".join(t(f"pp_basis_{b}") if f"pp_basis_{b}" in EN else b for b in words)


def _panels(views, subset: str) -> list[dict]:
    columns = list(views.design.panel_columns)
    rows = views.quantiles[(views.quantiles["source"] == "human") & (views.quantiles["subset"] == subset)]
    if not columns:
        return [{}]
    combos = rows[columns].drop_duplicates().sort_values(columns)
    return [dict(zip(columns, values)) for values in combos.itertuples(index=False)]


def _subsets(views) -> list[str]:
    human = views.quantiles[views.quantiles["source"] == "human"]
    return sorted(human["subset"].astype(str).unique())


def summary_text(result, t) -> str:
    """One line: the primary contrast's effect at the first and last quantile, per subset, for
    people and each model (with what the model rows are)."""
    views = getattr(result, "predictive", None)
    if views is None or not views.design.contrasts:
        return t("pp_summary_none")
    primary = contrast_label(*views.design.contrasts[0])
    bases = dict(zip(views.sources["source"], views.sources["basis"]))
    lines = []
    delta = views.delta[views.delta["contrast"] == primary]
    for subset in _subsets(views):
        part = delta[delta["subset"] == subset]
        human = part[part["source"] == "human"].groupby("quantile")["effect_ms"].mean()
        if human.empty:
            continue
        text = t("pp_summary", contrast=primary, subset=subset, first=_number(human.iloc[0]),
                 last=_number(human.iloc[-1]))
        models = []
        n_people = int(part.loc[part["source"] == "human", "n_agents"].max())
        agreement = views.agreement[views.agreement["subset"] == subset].set_index("model")
        for source in sorted(s for s in part["source"].unique() if s != "human"):
            values = part[part["source"] == source].groupby("quantile")["effect_ms"].mean()
            text_model = t("pp_summary_model", model=source.removeprefix("model:"),
                           basis=basis_label(bases.get(source, ""), t), first=_number(values.iloc[0]),
                           last=_number(values.iloc[-1]))
            name = source.removeprefix("model:")
            if name in agreement.index and agreement.loc[name, "n_people"] < n_people:
                row = agreement.loc[name]     # a model of some people only: those people's own line
                text_model += t("pp_summary_subset", n=int(row["n_people"]),
                                first=_number(row["human_delta_first_ms"]), last=_number(row["human_delta_last_ms"]))
            models.append(text_model)
        lines.append(t("pp_join").join([text, *models]))
    end = t("pp_end")
    return (end + " ").join(lines).strip() + end if lines else t("pp_summary_none")


def section_html(result, t, plots, table) -> list[str]:
    """The section's HTML parts. ``plots``: the report's figure collector (``.html(figure)``);
    ``table(frame, columns=None, name=None)``: the report's table writer with CSV links."""
    views = getattr(result, "predictive", None)
    if views is None:
        return []
    task = escape(result.task)
    parts = [f'<h3 id="{task}-predictive">{escape(t("pp_title"))}</h3>',
             f'<p class="muted">{escape(t("pp_intro"))}</p>',
             f"<p><bdi>{escape(summary_text(result, t))}</bdi></p>"]
    sources = views.sources.assign(basis=views.sources["basis"].map(lambda b: basis_label(b, t)))
    parts.append(f"<h4>{escape(t('pp_sources'))}</h4>" + table(sources, name="predictive_sources"))
    if len(views.agreement):
        parts.append(f"<h4>{escape(t('pp_agreement'))}</h4>"
                     + table(views.agreement.assign(basis=views.agreement["basis"].map(lambda b: basis_label(b, t))),
                             name="predictive_agreement"))
    if views.quantiles.empty:
        parts.append(f'<p class="note">{escape(t("pp_none"))}</p>')
        return parts
    models = views.models() or [None]
    design = views.design
    contrasts = [contrast_label(*c) for c in design.contrasts]
    if design.panel_columns:
        contrasts = contrasts[:1]           # one delta plot per panel: the card's primary contrast
    for heading, note, draw in (
            ("pp_quantiles", "pp_quantiles_note",
             lambda s, p: [figures.quantile_figure(views, s, p, m, t) for m in models]),
            ("pp_delta", "pp_delta_note",
             lambda s, p: [figures.delta_figure(views, s, p, c, t) for c in contrasts]),
            ("pp_caf", "pp_caf_note",
             lambda s, p: [figures.caf_figure(views, s, p, m, t) for m in models])):
        drawn = [plots.html(f) for s in _subsets(views) for p in _panels(views, s) for f in draw(s, p) if f]
        if not drawn:
            continue
        parts.append(f"<h4>{escape(t(heading))}</h4><p class=\"muted\">{escape(t(note))}</p>")
        parts.extend(drawn)
    for name in SHOWN_TABLES:
        parts.append(table(views.tables()[name], name=name))
    return parts


def report_tables(result) -> dict[str, pd.DataFrame]:
    """Every table of the views (name → frame) for the CSV folder."""
    views = getattr(result, "predictive", None)
    return dict(views.tables()) if views is not None else {}


__all__ = ["section_html", "summary_text", "report_tables", "basis_label"]
