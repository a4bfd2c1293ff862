"""The report people read: ONE self-contained HTML file, in English or Japanese (``lang``).

It opens with a summary a reader takes in at a glance (``analysis.report_summary``): per task,
the human effect with its CI, which model explains people best and how sure (or, plainly, that
only descriptive fits exist), and the data it rests on. Then one section per task with the
figures the papers show — chosen by the task card (``stimuli.tasks``), never by task name — as
interactive plotly figures whose JavaScript is inlined (nothing is fetched from the network),
tables that scroll inside their own box, long lists folded into ``<details>``, and a link to
each table's CSV. Print CSS makes the same file printable (``analysis.pdf`` prints it to PDF).

Every value that came from data — participant codes, item names, model parameters, messages
that quote them — is HTML-escaped and wrapped in ``<bdi>`` so that its text direction (a
right-to-left override in a participant code) cannot reorder the text around it; the only markup
and the only scripts are the report's own.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from html import escape
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis import figures
from analysis.design import design_for
from analysis.i18n import FONT_STACKS, translator
from analysis.mixed.fitting import __doc__ as SIMPLIFICATION_RULE

#: Tables longer than this are folded into ``<details>`` (still scrollable when opened).
FOLD_ROWS = 20

STYLE = """
*{box-sizing:border-box}
body{font-family:%(font)s;margin:0 auto;max-width:1200px;color:#222;padding:0 1em 2em;line-height:1.45;
overflow-wrap:anywhere}
h1{font-size:1.6em;border-bottom:2px solid #444}h2{margin-top:2em;border-bottom:1px solid #bbb}
.table-scroll{max-width:100%%;overflow:auto;max-height:32em;margin:0.6em 0;border:1px solid #e4e4e4}
table{border-collapse:collapse;font-size:0.86em}
th,td{border:1px solid #ccc;padding:3px 7px;text-align:left;vertical-align:top;overflow-wrap:normal}
td:not(.num){min-width:7ch;max-width:32em}
th{background:#f0f0f0;position:sticky;top:0}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.note{background:#fff6dd;border-left:4px solid #e0a800;padding:0.5em 1em;margin:0.5em 0}
.muted{color:#666;font-size:0.9em}figure{margin:1em 0;max-width:100%%}
.plot{width:100%%;min-height:380px}
pre{background:#f6f6f6;padding:0.6em;white-space:pre-wrap;font-size:0.85em}
code{background:#f3f3f3;padding:0 0.2em}
th,td,bdi,code{unicode-bidi:isolate}
#summary{background:#f4f8fc;border:1px solid #c9d9ea;padding:0.2em 1em 1em;margin-top:1em}
.summary-task{border-top:1px solid #c9d9ea;padding-top:0.4em}
.summary-task dl{display:grid;grid-template-columns:minmax(8em,14em) 1fr;gap:0.3em 1em;margin:0.4em 0}
.summary-task dt{font-weight:bold}.summary-task dd{margin:0}
@media (max-width:640px){.summary-task dl{grid-template-columns:1fr}}
details>summary{cursor:pointer}
@media print{
 body{max-width:none;padding:0;font-size:10pt}
 .table-scroll{overflow:visible;max-height:none;border:0}
 th{position:static}
 details>*{display:block}
 details::details-content{content-visibility:visible;display:block;height:auto}
 section.task{break-before:page}
 figure,tr{break-inside:avoid}
 .modebar{display:none!important}
 a{color:inherit;text-decoration:none}
}
"""

RENDER_SCRIPT = """
(function(){
  function draw(){
    document.querySelectorAll('div.plot').forEach(function(div){
      var spec = JSON.parse(document.getElementById(div.id + '-data').textContent);
      Plotly.newPlot(div, spec.data, spec.layout,
        {responsive:true, displaylogo:false, modeBarButtonsToRemove:['sendDataToCloud']});
      div.setAttribute('data-rendered', 'true');
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', draw); else draw();
  window.addEventListener('beforeprint', function(){
    document.querySelectorAll('details').forEach(function(d){ d.open = true; });
  });
})();
"""


def bdi(text: Any) -> str:
    """One data value as escaped text, its direction isolated from the report's text."""
    return f"<bdi>{escape(str(text))}</bdi>"


_RST_LITERAL = re.compile(r"``([^`]+)``|`([^`]+)`")


def prose(text: str) -> str:
    """Escaped text with reStructuredText/Markdown literals (````x````, ```x```) shown as code,
    so no raw backticks reach the reader."""
    escaped = escape(text or "")
    return _RST_LITERAL.sub(lambda m: f"<code>{m.group(1) or m.group(2)}</code>", escaped)


def _cell(value: Any, t) -> tuple[str, bool]:
    """Escaped, direction-isolated text of one table cell, and whether it is numeric."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "", False
    if isinstance(value, (bool, np.bool_)):
        return t("yes") if value else t("no"), False
    if isinstance(value, (int, np.integer)):
        return escape(str(int(value))), True
    if isinstance(value, (float, np.floating)):
        value = float(value)
        if np.isnan(value):
            return "", False
        text = f"{value:.4g}" if abs(value) < 1e5 else f"{value:.2f}"
        return escape(text), True
    if isinstance(value, (dict, list, tuple)):
        return bdi(json.dumps(value, default=str, ensure_ascii=False)), False
    return f"<bdi>{prose(str(value))}</bdi>", False   # notes may quote ``literals``


def table_html(frame: pd.DataFrame, columns: list[str] | None = None, t=None, max_rows: int = 500,
               csv_name: str | None = None, caption: str | None = None) -> str:
    """A table in its own scrolling box (never wider than the page); folded into ``<details>``
    when it has more than ``FOLD_ROWS`` rows; with a link to its CSV when one is written."""
    t = t or translator("en")
    link = (f'<p class="muted">' + t.html("csv_table", path=f'<a href="{escape(csv_name)}">'
                                           f"{bdi(Path(csv_name).name)}</a>") + "</p>" if csv_name else "")
    if frame is None or frame.empty:
        return f'<p class="muted">{escape(t("no_rows"))}</p>'
    columns = [c for c in (columns or list(frame.columns)) if c in frame.columns]
    head = "".join(f"<th>{bdi(c)}</th>" for c in columns)
    body = []
    for row in frame[columns].head(max_rows).itertuples(index=False):
        cells = []
        for value in row:
            text, numeric = _cell(value, t)
            cells.append(f'<td class="num">{text}</td>' if numeric else f"<td>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    more = (f'<p class="muted">{escape(t("more_rows", n=len(frame) - max_rows))}</p>'
            if len(frame) > max_rows else "")
    table = (f'<div class="table-scroll"><table><thead><tr>{head}</tr></thead>'
             f"<tbody>{''.join(body)}</tbody></table></div>{more}{link}")
    if len(frame) > FOLD_ROWS:
        label = escape(caption or t("show_rows", n=len(frame)))
        return f"<details><summary>{label} ({len(frame)})</summary>{table}</details>"
    return table


class _Figures:
    """Collects the report's figures: each becomes a ``div.plot`` plus its JSON specification in
    a ``<script type="application/json">`` element (JSON escaped so no data can close it)."""

    def __init__(self):
        self.count = 0

    def html(self, figure: tuple[dict, str] | None) -> str:
        if not figure:
            return ""
        spec, caption = figure
        self.count += 1
        ident = f"figure-{self.count}"
        data = json.dumps(spec, ensure_ascii=False, allow_nan=False, default=_json_default)
        data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        return (f'<figure><div class="plot" id="{ident}" role="img" aria-label="{escape(caption)}"></div>'
                f'<script type="application/json" id="{ident}-data">{data}</script>'
                f'<figcaption class="muted">{escape(caption)}</figcaption></figure>')


def _json_default(value: Any) -> Any:
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return None if not np.isfinite(value) else float(value)
    return str(value)


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

    if frame is None or frame.empty:
        return frame
    frame = frame.copy()
    for column in columns:
        if column in frame.columns:
            frame[column] = frame[column].map(compact)
    return frame


def _analysis_versions() -> dict[str, str]:
    from db.provenance import software_versions

    return software_versions(("mixedlm",))


def _plotly_js() -> str:
    """plotly.js from the installed ``plotly`` package, made safe to inline in a script element."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs().replace("</script", "<\\/script")


def build_html(results, lang: str = "en", tables_href: str | None = None) -> str:
    """One self-contained HTML document: the summary, then one section per task.
    ``tables_href``: the folder (relative to the report) the CSV tables are written to, for
    the links under each table; None when no CSV is written."""
    from analysis.report_summary import summary_html

    results = list(results) if isinstance(results, (list, tuple)) else [results]
    if not results:
        from analysis.errors import AnalysisInputError

        raise AnalysisInputError("report: there is no comparison to report")
    t = translator(lang)
    title = f"{t('report_title')}: " + ", ".join(r.task for r in results)
    plots = _Figures()
    body = [f"<h1>{escape(title)}</h1>", summary_html(results, t)]
    if len(results) > 1:
        body.append(f"<nav><h2>{escape(t('contents'))}</h2><ul>" + "".join(
            f'<li><a href="#task-{escape(r.task)}">{bdi(r.task)}</a></li>' for r in results) + "</ul></nav>")
    for result in results:
        body.append(f'<section class="task" id="task-{escape(result.task)}">')
        # published aggregates, a task without human data and simulated pilots
        # (analysis.published_side, mirrorlab.demo) bring their own section
        own_section = getattr(result, "section_html", None)
        body.extend(own_section() if own_section else _task_section(result, t, plots, tables_href))
        body.append("</section>")
    body.append(f'<p class="muted">{escape(t("print_note"))}</p>')
    head = (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{STYLE % {'font': FONT_STACKS[lang]}}</style>")
    scripts = ""
    if plots.count:
        scripts = f"<script>{_plotly_js()}</script><script>{RENDER_SCRIPT}</script>"
    return "\n".join([head + "</head><body>", *[p for p in body if p], scripts, "</body></html>"])


def _csv_link(tables_href: str | None, result, name: str) -> str | None:
    return f"{tables_href.rstrip('/')}/{result.task}_{name}.csv" if tables_href else None


def _task_section(result, t, plots: _Figures, tables_href: str | None) -> list[str]:
    """The report's body for one task's comparison; which figures appear is the card's call."""
    design = design_for(result.task)
    analysis = design.analysis
    levels = list(design.condition_levels)
    task = escape(result.task)
    parts: list[str] = []
    add = parts.append

    def table(frame, columns=None, name=None):
        return table_html(frame, columns, t, csv_name=_csv_link(tables_href, result, name) if name else None)

    add(f"<h2>{t.html('section_task', task=bdi(result.task))}</h2>")
    created = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    models = ", ".join(f"{m} (run {r})" for m, r in result.models.items()) or t("none")
    add("<p>" + t.html("meta", where=f"<code>{bdi(result.where)}</code>", created=escape(created),
                       engine=bdi(result.engine), structure=bdi(result.structure), models=bdi(models),
                       n=len(result.participants)) + "</p>")
    if result.messages:
        add(f'<h3 id="{task}-notes">{escape(t("notes"))}</h3>')
        for message in result.messages:
            add(f'<div class="note"><bdi>{prose(message)}</bdi></div>')

    # figures first: what the papers show
    add(f'<h3 id="{task}-figures">{escape(t("figures"))}</h3>')
    if analysis.condition_means_figure:
        means_figures = figures.condition_means_figures(
            result.condition_means, getattr(result, "within_subject_ci", None),
            _published_condition_means(analysis.cell_targets), levels, t)
        if means_figures:
            add(f"<h4>{escape(t('condition_means'))}</h4><p class=\"muted\">{escape(t('condition_means_note'))}</p>")
            for figure in means_figures:
                add(plots.html(figure))
            add(table(getattr(result, "within_subject_ci", None), name="within_subject_ci"))
    for curve in analysis.curves:
        if curve.name not in result.curves:
            continue
        curve_table = result.curves[curve.name]
        add(f"<h4>{escape(t.card(curve.title))}</h4>")
        if curve.measure == "effect":
            own = curve_table.loc[curve_table["source"] != figures.ORIGINAL, "subset"]
            for subset in sorted(set(own)):
                for figure in figures.effect_figures(curve_table, subset, curve, t):
                    add(plots.html(figure))
        else:
            add(plots.html(figures.curve_figure(curve_table, curve, t)))
        add(table(curve_table, name=f"curve_{curve.name}"))
    if analysis.choice_agreement:
        for name, agreement in result.curves.items():
            if not name.startswith("choice_agreement_"):
                continue
            model = name.removeprefix("choice_agreement_")
            add(f"<h4>{t.html('item_choices', model=bdi(model))}</h4>")
            add(plots.html(figures.agreement_figure(agreement, model, t)))
            add(table(agreement, name=f"curve_{name}"))
    projection = getattr(result, "embedding_projection", None)
    if projection is not None and len(projection):
        model = str(projection["model"].iloc[0]) if "model" in projection else "embedding"
        add(f"<h4>{escape(t('embedding'))}</h4><p class=\"muted\">{escape(t('embedding_note', model=model))}</p>")
        add(plots.html(figures.embedding_figure(projection, model, t)))
        add(table(projection, name="embedding_projection"))
    if not result.item_means.empty:
        add(f"<h4>{escape(t('item_level'))}</h4>")
        add(table(result.item_correlations, name="item_correlations"))
        for model in result.item_means["model"].unique():
            add(plots.html(figures.item_scatter_figure(result.item_means, model, t)))

    # comparison
    add(f'<h3 id="{task}-comparison">{escape(t("people_models"))}</h3>')
    if result.fit_table.empty:
        add(f'<p class="note">{escape(t("no_model_trials"))}</p>')
    else:
        add(f"<h4>{escape(t('fit_table'))}</h4><p>{escape(t('fit_table_note'))}</p>")
        add(table(result.fit_table, name="fit_table"))
        add(f"<h4>{escape(t('side_by_side'))}</h4>")
        add(table(result.condition_comparison, name="condition_comparison"))

    # mixed models
    add(f'<h3 id="{task}-models">{escape(t("mixed_models"))}</h3>')
    add(f"<p>{escape(t('mixed_note'))}</p>")
    add(f"<details><summary>{escape(t('simplification_rule'))}</summary>"
        f"<pre>{prose(SIMPLIFICATION_RULE or '')}</pre></details>")
    if result.fits.empty:
        add(f'<p class="note">{escape(t("no_mixed"))}</p>')
    else:
        add(table(result.fits, ["analysis", "subset", "engine", "structure_label", "chosen", "why",
                                "converged", "singular", "log_likelihood", "reml", "optimum_check",
                                "n_obs", "n_participants", "n_items", "cpu_s", "se_definition",
                                "notes", "error"], name="fits"))
        fixed = result.fixed_effects
        chosen_fixed = fixed[fixed["chosen"]] if len(fixed) else fixed
        add(f"<h4>{escape(t('fixed_effects'))}</h4>")
        add(table(chosen_fixed, ["analysis", "subset", "engine", "structure", "term", "estimate",
                                 "se", "statistic_name", "statistic"], name="fixed_effects"))
        random = result.random_effects
        chosen_random = random[random["chosen"]] if len(random) else random
        add(f"<h4>{escape(t('random_effects'))}</h4>")
        add(table(chosen_random, ["analysis", "subset", "structure", "group", "term", "term2",
                                  "variance", "sd", "corr"], name="random_effects"))
        if (result.fits["family"] == "binomial").any() and result.engine == "statsmodels":
            add(f'<p class="note">{escape(t("vb_note"))}</p>')

    # cleaning
    add(f'<h3 id="{task}-cleaning">{escape(t("cleaning"))}</h3>')
    add(f"<p><bdi>{prose(result.cleaning_options.describe())}</bdi>. {escape(t('cleaning_note'))}</p>")
    add(table(result.cleaning, name="cleaning"))

    # provenance, long lists folded
    add(f'<h3 id="{task}-provenance">{escape(t("provenance"))}</h3>')
    participants = "".join(f"<li>{bdi(p)}</li>" for p in result.participants)
    open_list = " open" if len(result.participants) <= FOLD_ROWS else ""
    add(f"<details{open_list}><summary>{escape(t('participants', n=len(result.participants)))}</summary>"
        f'<ul class="participants">{participants}</ul></details>')
    session_columns = ["session_id", "study", "participant", "session_number", "status", "seed",
                       "language", "response_mode", "stimulus_set", "stimulus_set_hash", "n_trials"]
    sessions = _short_hashes(result.sessions)
    n_sessions = 0 if sessions is None else len(sessions)
    add(f"<details{' open' if n_sessions <= FOLD_ROWS else ''}><summary>"
        f"{escape(t('sessions', n=n_sessions))}</summary>"
        + table_html(sessions, session_columns, t, max_rows=100_000,
                     csv_name=_csv_link(tables_href, result, "sessions")).replace(
            "<details>", "<div>").replace("</details>", "</div>") + "</details>")
    add(f"<h4>{escape(t('model_runs'))}</h4><p class=\"muted\">{escape(t('model_runs_note'))}</p>"
        + table(_compact_json_columns(_short_hashes(result.model_runs), ("parameters", "fit")), [
            "model_run_id", "model", "model_version", "seed", "n_simulated", "stimulus_set",
            "stimulus_set_hash", "parameters", "fit", "status"], name="model_runs"))
    add(f"<h4>{escape(t('software'))}</h4>" + table(_software_versions(result)))
    add(f"<p class=\"muted\">{escape(t('analysis_ran_with'))} "
        f"{bdi(json.dumps(_analysis_versions(), ensure_ascii=False))}</p>")
    if result.citation:
        add(f"<p class=\"muted\">{t.html('published_study', citation=bdi(result.citation))}</p>")
    add(f"<p class=\"muted\">{escape(t('elapsed', seconds=f'{result.elapsed_s:.1f}'))}</p>")
    return parts


def _published_condition_means(key: str | None) -> pd.DataFrame | None:
    """The card's published cell table, if it is one of means per instruction × condition."""
    if key is None:
        return None
    from stimuli.published import published_table

    frame = published_table(key).frame()
    return frame if {"instruction", "condition", "rt_ms"} <= set(frame.columns) else None


def _csv_ready(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for column in frame.columns:
        if any(isinstance(v, (dict, list, tuple)) for v in frame[column]):   # (an empty datetime
            # column maps to datetimes, whose .any() pandas refuses)
            frame[column] = frame[column].map(
                lambda v: json.dumps(v, default=str, ensure_ascii=False) if isinstance(v, (dict, list, tuple)) else v)
    return frame


def report_tables(result) -> dict[str, pd.DataFrame]:
    """Every table of one task's report, name → frame (what ``write_tables`` writes)."""
    tables = dict(result.tables())
    for name in ("model_selection", "embedding_projection"):
        frame = getattr(result, name, None)
        if isinstance(frame, pd.DataFrame) and len(frame):
            tables[name] = frame
    return tables


def write_tables(result, tables_dir) -> list[Path]:
    folder = Path(tables_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in report_tables(result).items():
        path = folder / f"{result.task}_{name}.csv"
        _csv_ready(frame if frame is not None else pd.DataFrame()).to_csv(path, index=False)
        written.append(path)
    return written


def _relative_href(path: Path, tables_dir: Path) -> str | None:
    try:
        return Path(os.path.relpath(Path(tables_dir).resolve(), path.parent.resolve())).as_posix()
    except ValueError:  # another drive (Windows): link by absolute file URL instead
        return Path(tables_dir).resolve().as_uri()


def write_report(result, path, tables_dir=None, lang: str = "en") -> Path:
    """Write the HTML report (atomically: a temporary file renamed into place) and, with
    ``tables_dir``, every table as CSV (linked from the report); ``result`` is one
    ``ComparisonResult`` or a list of them (one section per task); ``lang``: ``en`` or ``ja``."""
    path = Path(path)
    translator(lang)  # an unknown language fails before anything is written
    href = _relative_href(path, Path(tables_dir)) if tables_dir is not None else None
    html = build_html(result, lang=lang, tables_href=href)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(html, encoding="utf-8")
    temporary.replace(path)
    if tables_dir is not None:
        for one in (result if isinstance(result, (list, tuple)) else [result]):
            write_tables(one, tables_dir)
    return path
