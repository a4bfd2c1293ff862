"""Analysis: cleaning, mixed-effects models of human RTs and choices (statsmodels or mixedlm),
the human–model comparison and the self-contained HTML report.

    from analysis import compare, write_report, CleaningOptions
    result = compare(store_or_url_or_frame, "stroop", models=None, engine="statsmodels",
                     cleaning=CleaningOptions(rt_min_ms=200, rt_max_ms=2000, sd_trim=None))
    write_report(result, "report.html", tables_dir="tables")
    analysis.delta_plot(trials, "stroop"), analysis.caf(...), analysis.rt_quantiles(...)

Heavy libraries (statsmodels, mixedlm, plotly) are imported only when a function needs them;
``write_report(..., lang="ja")`` writes the report in Japanese, ``analysis.pdf.print_to_pdf`` prints it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from analysis.cleaning import CleaningOptions
from analysis.errors import AnalysisInputError

if TYPE_CHECKING:  # pragma: no cover
    from analysis.analyse import ComparisonResult

__all__ = ["AnalysisInputError", "CleaningOptions", "ComparisonResult", "caf", "compare", "delta_plot", "fit",
           "predictive", "rt_quantiles", "write_report"]


def compare(*args: Any, **kwargs: Any) -> "ComparisonResult":
    from analysis.analyse import compare as _compare

    return _compare(*args, **kwargs)


def fit(*args: Any, **kwargs: Any):
    """One lme4-style mixed model on any design (``analysis.fit``); see ``analysis/formula_fit.py``."""
    from analysis.formula_fit import fit as _fit

    return _fit(*args, **kwargs)


def predictive(trials, task: str, **options):
    """RT quantiles, delta plots and CAFs of people and models (``analysis/predictive_views.py``;
    not named ``predictive_views``: that is the submodule's name)."""
    from analysis.predictive_views import predictive_views as _views

    return _views(trials, task, **options)


def delta_plot(trials, task: str, **options):
    """Delta-plot points per source × subset × contrast × quantile, as a DataFrame."""
    return predictive(trials, task, **options).delta


def caf(trials, task: str, **options):
    """Conditional accuracy functions per source × subset × condition × RT bin, as a DataFrame."""
    return predictive(trials, task, **options).caf


def rt_quantiles(trials, task: str, **options):
    """Vincentised RT quantiles per source × subset × condition, as a DataFrame."""
    return predictive(trials, task, **options).quantiles


def write_report(result: "ComparisonResult", path, tables_dir=None, lang: str = "en"):
    from analysis.report import write_report as _write_report

    return _write_report(result, path, tables_dir=tables_dir, lang=lang)


def __getattr__(name: str):
    if name == "ComparisonResult":
        from analysis.analyse import ComparisonResult

        return ComparisonResult
    raise AttributeError(name)
