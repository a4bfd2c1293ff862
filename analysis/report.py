"""The report: ONE self-contained HTML file (figures embedded as base64 PNG, styles inline, no
scripts, nothing fetched from the network) plus, on request, every table as CSV beside it.

Every value that came from data — participant codes, item names, model parameters, messages
that quote them — goes through ``html.escape``; the only markup is the report's own.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from html import escape
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis import figures, published
from analysis.design import design_for
from analysis.mixed.fitting import __doc__ as SIMPLIFICATION_RULE

STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2em auto;max-width:1200px;color:#222;padding:0 1em}
h1{font-size:1.6em;border-bottom:2px solid #444}h2{margin-top:2em;border-bottom:1px solid #bbb}
table{border-collapse:collapse;margin:0.6em 0;font-size:0.86em}
th,td{border:1px solid #ccc;padding:3px 7px;text-align:left;vertical-align:top}
th{background:#f0f0f0}td.num{text-align:right;font-variant-numeric:tabular-nums}
.note{background:#fff6dd;border-left:4px solid #e0a800;padding:0.5em 1em;margin:0.5em 0}
.muted{color:#666;font-size:0.9em}figure{margin:1em 0}img{max-width:100%}
pre{background:#f6f6f6;padding:0.6em;white-space:pre-wrap;font-size:0.85em}
th,td,bdi,code{unicode-bidi:isolate}
"""


def _cell(value: Any) -> tuple[str, bool]:
    """Escaped text of one table cell, and whether it is numeric."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "", False
    if isinstance(value, (bool, np.bool_)):
        return ("yes" if value else "no"), False
    if isinstance(value, (int, np.integer)):
        return escape(str(int(value))), True
    if isinstance(value, (float, np.floating)):
        value = float(value)
        text = f"{value:.4g}" if abs(value) < 1e5 else f"{value:.2f}"
        return escape(text), True
    if isinstance(value, (dict, list, tuple)):
        return escape(json.dumps(value, default=str, ensure_ascii=False)), False
    return escape(str(value)), False


def table_html(frame: pd.DataFrame, columns: list[str] | None = None, max_rows: int = 200) -> str:
    if frame is None or frame.empty:
        return '<p class="muted">(no rows)</p>'
    columns = [c for c in (columns or list(frame.columns)) if c in frame.columns]
    head = "".join(f"<th>{escape(str(c))}</th>" for c in columns)
    body = []
    for _, row in frame[columns].head(max_rows).iterrows():
        cells = []
        for c in columns:
            text, numeric = _cell(row[c])
            cells.append(f'<td class="num">{text}</td>' if numeric else f"<td>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    more = (f'<p class="muted">{len(frame) - max_rows} more rows in the CSV table.</p>'
            if len(frame) > max_rows else "")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{more}"


def _figure(png_base64: str | None, caption: str) -> str:
    if not png_base64:
        return ""
    return (f'<figure><img alt="{escape(caption)}" src="data:image/png;base64,{png_base64}">'
            f"<figcaption class=\"muted\">{escape(caption)}</figcaption></figure>")


def _software_versions(result) -> pd.DataFrame:
    rows = []
    for kind, frame, key in (("session", result.sessions, "session_id"),
                             ("model run", result.model_runs, "model_run_id")):
        if frame is None or frame.empty or "software_versions" not in frame:
            continue
        for _, row in frame.iterrows():
            versions = row["software_versions"] or {}
            rows.append({"kind": kind, "id": row[key],
                         **{k: versions.get(k) for k in ("python", "mirrorlab", "numpy", "psychopy",
                                                          "statsmodels", "mixedlm", "torch")}})
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    columns = [c for c in frame.columns if c not in ("kind", "id")]
    grouped = frame.fillna("").groupby(["kind", *columns], dropna=False)["id"].agg(
        lambda ids: ", ".join(str(i) for i in ids)).reset_index().rename(columns={"id": "ids"})
    return grouped


def _short_hashes(frame: pd.DataFrame) -> pd.DataFrame:
    """Stimulus-set hashes shortened to 12 hex digits for display (the CSV keeps them whole)."""
    if frame is None or frame.empty or "stimulus_set_hash" not in frame:
        return frame
    return frame.assign(stimulus_set_hash=frame["stimulus_set_hash"].map(
        lambda h: h[:12] if isinstance(h, str) else h))


def _compact_json_columns(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """Dict columns shown as ``name=value`` pairs of their scalar entries (floats to 4
    significant digits), so a model run's row stays readable."""
    def compact(value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        pairs = []
        for key, item in value.items():
            if isinstance(item, bool) or item is None:
                pairs.append(f"{key}={item}")
            elif isinstance(item, (int, float, np.integer, np.floating)):
                pairs.append(f"{key}={float(item):.4g}" if isinstance(item, (float, np.floating))
                             else f"{key}={int(item)}")
            elif isinstance(item, str) and len(item) <= 40:
                pairs.append(f"{key}={item}")
        return ", ".join(pairs)

    frame = frame.copy()
    for column in columns:
        if column in frame.columns:
            frame[column] = frame[column].map(compact)
    return frame


def _analysis_versions() -> dict[str, str]:
    from db.provenance import software_versions

    return software_versions(("mixedlm",))


def build_html(results) -> str:
    """One self-contained HTML document for one comparison, or for several (one section per
    task, with a table of contents)."""
    results = list(results) if isinstance(results, (list, tuple)) else [results]
    if not results:
        from analysis.errors import AnalysisInputError

        raise AnalysisInputError("report: there is no comparison to report")
    title = "mirrorlab comparison report: " + ", ".join(r.task for r in results)
    parts = [f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
             f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"]
    if len(results) > 1:
        parts.append(f"<h1>{escape(title)}</h1><ul>" + "".join(
            f'<li><a href="#task-{escape(r.task)}">{escape(r.task)}</a></li>' for r in results)
            + "</ul>")
    for result in results:
        parts.append(f'<section id="task-{escape(result.task)}">')
        parts.extend(_task_section(result))
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(p for p in parts if p)


def _task_section(result) -> list[str]:
    """The report's body for one task's comparison."""
    design = design_for(result.task)
    levels = list(design.condition_levels)
    parts: list[str] = []
    add = parts.append
    title = f"mirrorlab comparison report: {result.task}"
    add(f"<h1>{escape(title)}</h1>")
    created = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    models = ", ".join(f"{m} (run {r})" for m, r in result.models.items()) or "none"
    add(f"<p>Database: <code>{escape(result.where)}</code> · created {escape(created)} · "
        f"engine <b>{escape(result.engine)}</b> (random-effects structure requested: "
        f"{escape(result.structure)}) · models: {escape(models)} · "
        f"{len(result.participants)} participant(s)</p>")
    if result.messages:
        add(f"<h2 id=\"{result.task}-notes\">Notes</h2>")
        for message in result.messages:
            add(f'<div class="note">{escape(message)}</div>')

    # provenance
    add(f"<h2 id=\"{result.task}-provenance\">Design and data provenance</h2>")
    add(f"<p>Participants ({len(result.participants)}): "
        + ", ".join(f"<bdi>{escape(str(code))}</bdi>" for code in result.participants) + "</p>")
    session_columns = ["session_id", "study", "participant", "session_number", "status", "seed",
                       "language", "response_mode", "stimulus_set", "stimulus_set_hash", "n_trials"]
    sessions = _short_hashes(result.sessions)
    add(f"<details{' open' if len(sessions) <= 20 else ''}><summary>Sessions ({len(sessions)})</summary>"
        + table_html(sessions, session_columns) + "</details>")
    add("<h3>Model runs used</h3><p class=\"muted\">Scalar parameters and fit values; the "
        "full values (condition means, weights) are in the model-runs CSV table.</p>"
        + table_html(_compact_json_columns(_short_hashes(result.model_runs), ("parameters", "fit")), [
        "model_run_id", "model", "model_version", "seed", "n_simulated", "stimulus_set",
        "stimulus_set_hash", "parameters", "fit", "status"]))
    add("<h3>Software versions</h3>" + table_html(_software_versions(result)))
    add("<p class=\"muted\">Analysis ran with: "
        f"{escape(json.dumps(_analysis_versions(), ensure_ascii=False))}</p>")

    # cleaning
    add(f"<h2 id=\"{result.task}-cleaning\">Cleaning</h2>")
    add(f"<p>{escape(result.cleaning_options.describe())}. Counts per source: trials, what was "
        "removed and why, and what each analysis kept.</p>")
    add(table_html(result.cleaning))

    # mixed models
    add(f"<h2 id=\"{result.task}-models\">Mixed-effects models of the human data</h2>")
    add("<p>Participants and items are crossed random effects. Each row is one attempt; the "
        "chosen fit per analysis is marked. Zero-correlation models are labelled "
        "<b>zero-correlation (||)</b>: by-participant slopes without slope–intercept "
        "correlations.</p>")
    add(f"<details><summary>Simplification rule</summary><pre>{escape(SIMPLIFICATION_RULE or '')}</pre></details>")
    if result.fits.empty:
        add('<p class="note">No mixed model was fitted (see the notes above).</p>')
    else:
        add(table_html(result.fits, ["analysis", "subset", "engine", "structure_label", "chosen", "why",
                                     "converged", "singular", "log_likelihood", "reml", "optimum_check",
                                     "n_obs", "n_participants", "n_items", "cpu_s", "se_definition",
                                     "notes", "error"]))
        chosen_fixed = result.fixed_effects[result.fixed_effects["chosen"]] if len(result.fixed_effects) else result.fixed_effects
        add("<h3>Fixed effects (chosen fits)</h3>")
        add(table_html(chosen_fixed, ["analysis", "subset", "engine", "structure", "term", "estimate",
                                      "se", "statistic_name", "statistic"]))
        chosen_random = result.random_effects[result.random_effects["chosen"]] if len(result.random_effects) else result.random_effects
        add("<h3>Random effects (chosen fits)</h3>")
        add(table_html(chosen_random, ["analysis", "subset", "structure", "group", "term", "term2",
                                       "variance", "sd", "corr"]))
        if (result.fits["family"] == "binomial").any() and result.engine == "statsmodels":
            add('<p class="note">Accuracy on the statsmodels engine is fitted with '
                "BinomialBayesMixedGLM (variational Bayes). Its posterior SDs are smaller than "
                "glmer's standard errors (19–70% of them in our measurements; see docs/analysis.md): do not read them "
                "as standard errors. Use <code>--engine mixedlm</code> for glmer-equivalent "
                "Laplace fits and standard errors.</p>")

    # comparison
    add(f"<h2 id=\"{result.task}-comparison\">People and models</h2>")
    if result.fit_table.empty:
        add('<p class="note">No model trials to compare with.</p>')
    else:
        add("<h3>Fit table</h3><p>r and RMSE over condition means (model RTs after each model's "
            "own fitted cycles→ms mapping); item-level r on matching items; prediction slope: "
            "human RT per ms of the model's item-level prediction in a crossed mixed model.</p>")
        add(table_html(result.fit_table))
        add("<h3>Condition means, side by side</h3>")
        add(table_html(result.condition_comparison))
    means_figure = figures.condition_means_figure(
        result.condition_means if result.task != "picture-word" else result.condition_means.iloc[0:0],
        published.stroop_condition_means() if result.task == "stroop" else None, levels,
        result.task)
    add(_figure(means_figure, "Mean RT per condition: people, models and the original study"))
    if result.task == "picture-word" and "soa" in result.curves:
        curves = result.curves["soa"]
        add("<h3>SOA curves</h3>")
        for subset in sorted(set(curves.loc[curves["source"] != figures.ORIGINAL, "subset"])):
            add(_figure(figures.soa_figure(curves, subset),
                        f"{subset}: effect relative to the baseline by SOA"))
        add(table_html(curves))
    if result.task == "continuous-naming":
        for column, label in (("ordinal_position", "ordinal position within category"), ("lag", "lag")):
            if column in result.curves:
                add(f"<h3>RT by {escape(label)}</h3>")
                add(_figure(figures.curve_figure(result.curves[column], column, label),
                            f"RT by {label}: people, models and the original study"))
                add(table_html(result.curves[column]))
    if result.task == "association":
        for name, table in result.curves.items():
            model = name.removeprefix("choice_agreement_")
            add(f"<h3>Item-by-item choices: people vs {escape(model)}</h3>")
            add(_figure(figures.agreement_figure(table, model), f"Item accuracy, people vs {model}"))
            add(table_html(table))
    if not result.item_means.empty:
        add("<h3>Item level</h3>")
        add(table_html(result.item_correlations))
        for model in result.item_means["model"].unique():
            add(_figure(figures.item_scatter_figure(result.item_means, model),
                        f"Item mean RTs: people vs {model}"))
    if result.citation:
        add(f"<p class=\"muted\">Original study: {escape(result.citation)}.</p>")
    add(f"<p class=\"muted\">Comparison computed in {result.elapsed_s:.1f} s.</p>")
    return parts


def _csv_ready(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for column in frame.columns:
        if frame[column].map(lambda v: isinstance(v, (dict, list, tuple))).any():
            frame[column] = frame[column].map(
                lambda v: json.dumps(v, default=str, ensure_ascii=False) if isinstance(v, (dict, list, tuple)) else v)
    return frame


def write_tables(result, tables_dir) -> list[Path]:
    folder = Path(tables_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in result.tables().items():
        path = folder / f"{result.task}_{name}.csv"
        _csv_ready(frame if frame is not None else pd.DataFrame()).to_csv(path, index=False)
        written.append(path)
    return written


def write_report(result, path, tables_dir=None) -> Path:
    """Write the HTML report (atomically: a temporary file renamed into place) and the CSV
    tables; ``result`` is one ``ComparisonResult`` or a list of them (one section per task)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    html = build_html(result)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(html, encoding="utf-8")
    temporary.replace(path)
    if tables_dir is not None:
        for one in (result if isinstance(result, (list, tuple)) else [result]):
            write_tables(one, tables_dir)
    return path
