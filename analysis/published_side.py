"""Published aggregates as the human side of a comparison, where no trial-level human data
can be had (picture–word interference across SOAs: Glaser & Düngelhoff 1984; Stroop word
reading: Dunbar & MacLeod 1984).

The published numbers (``stimuli.published``) are labelled ``source="published"`` throughout:
they are means printed in a paper, not people in this database, so there is no mixed model,
no participant or item level — only cell-by-cell agreement (r, RMSE) of each model's newest
run with the published cells, computed the way the paper computed them (an effect against the
paper's baseline where the table holds effects). A task with no human data at all is reported
as such (:class:`NoHumanData`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

import numpy as np
import pandas as pd

from analysis.errors import AnalysisInputError

PUBLISHED = "published"
#: RTs outside these bounds, errors and practice trials are left out of the model's means.
RT_BOUNDS_MS = (200.0, 2000.0)


@dataclass
class PublishedComparison:
    """Each model's cells beside the published cells of one or more published tables."""

    task: str
    published_tables: list            # stimuli.published.PublishedTable
    cells: pd.DataFrame               # one row per published cell × model
    fit_table: pd.DataFrame           # model, table, n_cells, r, rmse_ms
    models: dict[str, int]
    where: str
    messages: list[str] = field(default_factory=list)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Name → table (the CSV files beside the report)."""
        return {"published_cells": self.cells, "published_fit": self.fit_table}

    def summary_text(self) -> str:
        """One line for the report's summary: the human side is published, and which model's
        cells agree best with it (descriptive: no held-out data, no people)."""
        line = ("Human side: published aggregates (source = published), not people in this "
                "database. ")
        fits = self.fit_table.dropna(subset=["rmse_ms"]) if len(self.fit_table) else self.fit_table
        if len(fits):
            best = fits.loc[fits["rmse_ms"].idxmin()]
            r = "" if pd.isna(best.get("r")) else f"r {float(best['r']):.2f}, "
            line += (f"Closest cell agreement: {best['model']} on {best['published_table']} ({r}RMSE "
                     f"{float(best['rmse_ms']):.0f} ms) — a descriptive view, not a likelihood "
                     "comparison.")
        else:
            line += "No model run to compare with."
        return line

    def section_html(self) -> list[str]:
        from analysis.report import table_html

        sources = "; ".join(dict.fromkeys(
            f"{t.citation} [{t.tag}]" + (f", n = {t.n_participants}" if t.n_participants else ", n not given")
            for t in self.published_tables))
        parts = [f"<h1>mirrorlab comparison report: {escape(self.task)} (published aggregates)</h1>",
                 '<div class="note">The human side of this section is <b>published aggregates</b> '
                 f"(source = published): {escape(sources)}. They are means printed in a paper, not "
                 "people in this database: no mixed model, no participant or item level; each "
                 "model's cells are compared with the published cells.</div>",
                 f"<p>Database: <code>{escape(self.where)}</code> · models: "
                 + escape(", ".join(f"{m} (run {r})" for m, r in self.models.items()) or "none") + "</p>"]
        for message in self.messages:
            parts.append(f'<div class="note">{escape(message)}</div>')
        parts.append(f'<h2 id="{escape(self.task)}-published-fit">Models against the published cells</h2>')
        parts.append(table_html(self.fit_table))
        parts.append(f'<h2 id="{escape(self.task)}-published-cells">Cells: published and model</h2>')
        parts.append(table_html(self.cells, max_rows=400))
        return parts


@dataclass
class NoHumanData:
    """A task the report covers without any human data, said plainly."""

    task: str
    statement: str
    models: dict[str, int] = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        return {}

    def summary_text(self) -> str:
        return self.statement

    def section_html(self) -> list[str]:
        return [f"<h1>mirrorlab comparison report: {escape(self.task)}</h1>",
                f'<div class="note">{escape(self.statement)}</div>']


def _model_runs(store, task: str, models: list[str] | None) -> dict[str, int]:
    runs = store.model_runs_frame(task=task)
    runs = runs[(runs["status"] == "completed") & (runs["n_trials"] > 0)] if len(runs) else runs
    if models:
        runs = runs[runs["model"].isin(models)]
    return {str(m): int(part["model_run_id"].max()) for m, part in runs.groupby("model")} if len(runs) else {}


def model_cell_means(trials: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Mean RT per cell of correct, non-practice model trials within ``RT_BOUNDS_MS``."""
    rt = pd.to_numeric(trials["rt_ms"], errors="coerce")
    keep = rt.between(*RT_BOUNDS_MS) & trials["correct"].fillna(False).astype(bool)
    if "is_practice" in trials:
        keep &= ~trials["is_practice"].fillna(False).astype(bool)
    frame = trials[keep].assign(rt_ms=rt[keep])
    if "soa_ms" in keys:
        frame = frame.assign(soa_ms=pd.to_numeric(frame["soa_ms"], errors="coerce").astype(float))
    return frame.groupby(keys, dropna=False)["rt_ms"].mean().rename("model_rt_ms").reset_index()


def _model_side(table, means: pd.DataFrame) -> pd.DataFrame:
    """The model's value for each published cell: its mean RT, or its effect against the
    table's baseline condition at the same instruction (× SOA)."""
    published = table.frame()
    keys = [c for c in ("instruction", "condition", "soa_ms") if c in published]
    if "effect_ms" in published:
        baseline = table.extras.get("baseline", "nonword")
        cell_keys = [k for k in keys if k != "condition"]
        base = means[means["condition"] == baseline][cell_keys + ["model_rt_ms"]].rename(
            columns={"model_rt_ms": "baseline_rt_ms"})
        merged = published.merge(means, on=keys, how="left").merge(base, on=cell_keys, how="left")
        merged["model_value"] = merged["model_rt_ms"] - merged["baseline_rt_ms"]
        merged["published_value"] = merged["effect_ms"]
        merged["measure"] = f"effect vs {baseline} (ms)"
    else:
        merged = published.merge(means, on=keys, how="left")
        merged["model_value"] = merged["model_rt_ms"]
        merged["published_value"] = merged["rt_ms"]
        merged["measure"] = "mean RT (ms)"
    merged["published_table"] = table.key
    return merged[["published_table", *keys, "measure", "published_value", "model_value"]]


def compare_with_published(store, task: str, table_keys: list[str],
                           models: list[str] | None = None) -> PublishedComparison:
    """Every model's newest run on ``task`` against the published tables ``table_keys``."""
    from stimuli.published import published_table

    tables = [published_table(key) for key in table_keys]
    wrong = [t.key for t in tables if t.task != task or t.kind != "human"]
    if wrong:
        raise AnalysisInputError(f"published table(s) {', '.join(wrong)} are not human {task} data")
    runs = _model_runs(store, task, models)
    messages: list[str] = []
    if not runs:
        messages.append(f"no model runs for task {task} in {store.url}: only the published cells are shown.")
    cells, fits = [], []
    for model, run_id in runs.items():
        trials = store.trials_frame(model_run_id=run_id)
        for table in tables:
            published = table.frame()
            keys = [c for c in ("instruction", "condition", "soa_ms") if c in published]
            side = _model_side(table, model_cell_means(trials, keys)).assign(model=model,
                                                                            model_run_id=run_id)
            cells.append(side)
            both = side.dropna(subset=["published_value", "model_value"])
            r = float(np.corrcoef(both["published_value"], both["model_value"])[0, 1]) \
                if len(both) > 2 and both["model_value"].std() > 0 else np.nan
            rmse = float(np.sqrt(((both["published_value"] - both["model_value"]) ** 2).mean())) \
                if len(both) else np.nan
            fits.append({"model": model, "model_run_id": run_id, "published_table": table.key,
                         "source": PUBLISHED, "n_cells": int(len(both)), "n_published_cells": len(side),
                         "r": r, "rmse_ms": rmse})
            if len(both) < len(side):
                messages.append(f"model {model}: {len(side) - len(both)} of {len(side)} cells of "
                                f"{table.key} have no model value (instruction or SOA not simulated).")
    if not cells:
        cells = [pd.concat([_model_side(t, pd.DataFrame(columns=[c for c in ("instruction", "condition", "soa_ms")
                                                                  if c in t.frame()] + ["model_rt_ms"]))
                            for t in tables], ignore_index=True)]
    return PublishedComparison(task=task, published_tables=tables, cells=pd.concat(cells, ignore_index=True),
                               fit_table=pd.DataFrame(fits), models=runs, where=store.url,
                               messages=messages)
