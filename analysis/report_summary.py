"""The report's first section: what a reader needs in thirty seconds, per task.

Three answers per task (four with RT-distribution views), each with where it comes from:

* **the human effect with its CI** — the fixed effects (other than the intercept) of the chosen
  mixed model of people's data, estimate ± 1.96 SE;
* **which model explains people best, and how sure** — the likelihood-based comparison when the
  result carries one (``result.model_selection``: a table with, e.g., held-out log-likelihoods and
  model-selection weights, shown as it comes); otherwise it says plainly that only descriptive
  fits exist and names the model whose condition means are closest (RMSE), which is not evidence
  that it explains people;
* **RT distributions** (when the result has posterior-predictive views) — the delta plot of the
  primary contrast at its first and last quantile, for people and each model;
* **the data it rests on** — people, human trials and how many the RT analysis kept, every
  source by kind (people, simulated participants, published study, models) and what cleaning
  excluded, by reason.
"""

from __future__ import annotations

from html import escape

import numpy as np
import pandas as pd

from analysis.figures import source_label
from analysis.report import bdi, table_html

#: Cleaning-summary columns that count excluded human trials, by reason.
EXCLUSION_REASONS = ("timeouts", "errors", "correct_unknown", "too_fast", "too_slow", "sd_trimmed")
#: At most this many effects per task in the summary (the rest are in the task's section).
MAX_EFFECTS = 6
Z_95 = 1.959963984540054


def _number(value: float, digits: int = 1) -> str:
    return "–" if value is None or not np.isfinite(value) else f"{value:.{digits}f}"


def human_effects(result) -> pd.DataFrame:
    """The chosen fits' non-intercept fixed effects on people's data, with Wald 95% CIs."""
    fixed = result.fixed_effects
    columns = ["analysis", "subset", "term", "estimate", "se", "ci_low", "ci_high"]
    if fixed is None or fixed.empty or "chosen" not in fixed:
        return pd.DataFrame(columns=columns)
    rows = fixed[fixed["chosen"].astype(bool) & (fixed["term"] != "(Intercept)")]
    if "source" in rows:
        rows = rows[rows["source"] == "human"]
    rows = rows[rows["analysis"].isin(["RT", "accuracy"])].copy()
    rows["ci_low"] = rows["estimate"] - Z_95 * rows["se"]
    rows["ci_high"] = rows["estimate"] + Z_95 * rows["se"]
    return rows[columns].reset_index(drop=True)


def _effects_html(result, t) -> str:
    effects = human_effects(result)
    if effects.empty:
        return escape(t("no_effect"))
    items = []
    for row in effects.head(MAX_EFFECTS).itertuples():
        key = "effect_ci" if row.analysis == "RT" else "effect_ci_prob"
        digits = 1 if row.analysis == "RT" else 3
        items.append("<li>" + t.html(key, term=f"{bdi(row.subset)} · {bdi(row.term)}",
                                     estimate=_number(row.estimate, digits), low=_number(row.ci_low, digits),
                                     high=_number(row.ci_high, digits)) + "</li>")
    more = len(effects) - MAX_EFFECTS
    tail = f"<li>… +{more}</li>" if more > 0 else ""
    return (f"<ul>{''.join(items)}{tail}</ul>"
            f'<span class="muted">{escape(t("ci_method", engine=result.engine))}</span>')


def _best_model_html(result, t) -> str:
    selection = getattr(result, "model_selection", None)
    if isinstance(selection, pd.DataFrame) and not selection.empty:
        return f"{escape(t('selection_rows'))}{table_html(selection, t=t)}"
    fit = result.fit_table
    if fit is None or fit.empty or "rmse_ms" not in fit:
        return escape(t("no_models"))
    closest = []
    for subset, rows in fit.groupby("subset"):
        rows = rows.dropna(subset=["rmse_ms"])
        if rows.empty:
            continue
        best = rows.loc[rows["rmse_ms"].idxmin()]
        closest.append(f"<li>{bdi(subset)}: " + t.html("descriptive_best", model=bdi(best["model"]),
                                                        rmse=_number(best["rmse_ms"]),
                                                        r=_number(best.get("r", np.nan), 2)) + "</li>")
    return f'<p class="note">{escape(t("selection_missing"))}</p><ul>{"".join(closest)}</ul>'


def _distributions_html(result, t) -> str:
    """The delta-plot line (RT distributions, people vs each model) when the result has views."""
    if getattr(result, "predictive", None) is None:
        return ""
    from analysis.report_predictive import summary_text

    return f"<dt>{escape(t('pp_title'))}</dt><dd>{bdi(summary_text(result, t))}</dd>"


def data_basis(result) -> dict:
    """People, human trials, trials kept for RT, the sources and the exclusions by reason."""
    cleaning = result.cleaning
    human = cleaning[cleaning["source"] == "human"] if cleaning is not None and len(cleaning) else pd.DataFrame()
    sources = list(dict.fromkeys(cleaning["source"])) if cleaning is not None and len(cleaning) else []
    if result.citation:
        sources.append("published")
    excluded = {reason: int(human[reason].sum()) for reason in EXCLUSION_REASONS
                if reason in human and int(human[reason].sum()) > 0}
    return {"n_people": len(result.participants),
            "n_trials": int(human["n_trials"].sum()) if "n_trials" in human else 0,
            "n_rt_kept": int(human["rt_trials_kept"].sum()) if "rt_trials_kept" in human else 0,
            "sources": sources, "excluded": excluded}


def _data_html(result, t) -> str:
    basis = data_basis(result)
    sources = ", ".join(bdi(source_label(s, t)) for s in basis["sources"])
    excluded = ", ".join(f"{escape(t('reason_' + reason))} {n}" for reason, n in basis["excluded"].items())
    return ("<ul>"
            f"<li>{escape(t('n_people', n=basis['n_people']))}</li>"
            f"<li>{escape(t('n_trials', n=basis['n_trials'], kept=basis['n_rt_kept']))}</li>"
            f"<li>{escape(t('sources'))}: {sources}</li>"
            f"<li>{escape(t('excluded'))}: {excluded or escape(t('excluded_none'))}</li></ul>")


def summary_html(results, t) -> str:
    """The summary section (``id="summary"``), one block per task."""
    blocks = []
    for result in results:
        if getattr(result, "section_html", None):   # a section of its own: its one-line summary
            blocks.append(f'<div class="summary-task" id="summary-{escape(result.task)}">'
                          f"<h3>{bdi(result.task)}</h3><p>{bdi(result.summary_text())}</p></div>")
            continue
        blocks.append(
            f'<div class="summary-task" id="summary-{escape(result.task)}"><h3>{bdi(result.task)}</h3><dl>'
            f"<dt>{escape(t('human_effect'))}</dt><dd>{_effects_html(result, t)}</dd>"
            f"<dt>{escape(t('best_model'))}</dt><dd>{_best_model_html(result, t)}</dd>"
            f"{_distributions_html(result, t)}"
            f"<dt>{escape(t('data_basis'))}</dt><dd>{_data_html(result, t)}</dd></dl></div>")
    return (f'<section id="summary"><h2>{escape(t("summary"))}</h2>'
            f'<p class="muted">{escape(t("summary_intro"))}</p>{"".join(blocks)}</section>')
