"""The report's likelihood-comparison section: which model explains these people, and how sure.

:func:`section_html` and :func:`summary_text` render an
``analysis.model_selection.ModelSelectionResult``; :class:`ModelSelectionSection` wraps one as
a report part of its own (``write_report([comparison, section])``), beside the task's
descriptive section (condition means, r: labelled *descriptive* there).

What is in-sample and what is not is said next to each table: held-out log-likelihood is
out-of-sample (every trial scored by a fit that did not see it); AIC and BIC are in-sample
with a penalty; BMS uses the held-out log-likelihoods (or −BIC/2, as its table says).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import numpy as np
import pandas as pd

SCHEME_TEXT = {"within": "{k}-fold cross-validation within each participant (folds stratified "
                         "by condition, seed {seed}); per-participant maximum-likelihood fits",
               "lopo": "leave-one-participant-out: one pooled fit to all other participants, "
                       "judged on the one left out (seed {seed})"}


def _n(value, digits: int = 1) -> str:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return "–"
    return "–" if not np.isfinite(value) else f"{value:.{digits}f}"


def source_line(result) -> str:
    sources = result.sources or ["human"]
    people = "people (source = human)" if "human" in sources else ""
    simulated = ("simulated participants (source = simulated, not people)"
                 if "simulated" in sources else "")
    return "Data: " + " and ".join(s for s in (people, simulated) if s) + "."


def summary_text(result) -> str:
    """One line: the best model by held-out log-likelihood, every other model's difference to
    it per participant with its 95 % CI, and the best model's PXP."""
    summary = result.summary
    if summary is None or summary.empty:
        return ("No held-out comparison is complete yet: "
                f"{len(result.fits)} fit(s) stored for comparison {result.comparison_id}.")
    best = summary.iloc[0]
    n = int(best["n_participants"])
    how = "held-out log-likelihood" + (f" ({result.n_folds}-fold within participant"
                                       if result.scheme == "within" else " (leave one participant out")
    parts = [f"By {how}, {n} participant(s)): best {best['model']}"]
    for row in summary.iloc[1:].itertuples():
        better = getattr(row, "participants_better_than_best", np.nan)
        parts.append(f"{row.model} {_n(-row.mean_difference_per_participant)} log-units worse per "
                     f"participant (95% CI {_n(-row.ci_high)} to {_n(-row.ci_low)}; total "
                     f"{_n(-row.delta_vs_best)}; better than {best['model']} in "
                     f"{_n(better, 0)} of {n})")
    line = "; ".join(parts) + "."
    if "protected_exceedance_probability" in summary and summary["protected_exceedance_probability"].notna().any():
        bor = float(result.bms["bayesian_omnibus_risk"].iloc[0])
        line += (f" Random-effects BMS: protected exceedance probability of {best['model']} "
                 f"{_n(best['protected_exceedance_probability'], 3)} (Bayesian omnibus risk "
                 f"{_n(bor, 3)}).")
    if "simulated" in (result.sources or []):
        line += " Includes simulated participants (not people)."
    return line


def section_html(result) -> list[str]:
    """The section: what was fitted on what, the summary table, paired differences, AIC/BIC,
    BMS, per-participant held-out log-likelihoods and every fit (with its model run id)."""
    from analysis.report import table_html

    task = escape(result.task)
    how = SCHEME_TEXT.get(result.scheme, result.scheme).format(k=result.n_folds, seed=result.seed)
    parts = [f'<h2 id="{task}-model-selection">Which model explains these people: '
             f"likelihood comparison ({task})</h2>",
             f"<p>{escape(source_line(result))} {escape(how)}. Comparison "
             f"<code>{escape(result.comparison_id)}</code>; every fit is a stored model run "
             "(column model_run_id below). Models: "
             f"{escape(', '.join(result.models))}.</p>",
             f"<p><b>{escape(summary_text(result))}</b></p>"]
    for note in result.notes:
        parts.append(f'<div class="note">{escape(note)}</div>')
    parts += ["<h3>Summary</h3>",
              '<p class="muted">heldout_loglik: out-of-sample, the sum over every participant\'s '
              "held-out trials (higher is better); delta_vs_best and the CI (bootstrap over "
              "participants) of the mean per-participant difference to the best model; aic, bic: "
              "in-sample (full-data fits) with a penalty for free parameters (lower is better); "
              "expected_frequency, exceedance_probability, protected_exceedance_probability: "
              "random-effects BMS over participants.</p>",
              table_html(result.summary),
              "<h3>By how much: paired differences over participants</h3>",
              '<p class="muted">Held-out log-likelihood of model minus versus, per participant: '
              "mean with t and bootstrap 95% CIs, total, and in how many participants the first "
              "model was better.</p>", table_html(result.paired),
              "<h3>Information criteria (in-sample)</h3>", table_html(result.criteria)]
    if result.bms is not None and len(result.bms):
        parts += ["<h3>Random-effects Bayesian model selection</h3>",
                  '<p class="muted">Read the protected exceedance probability: the probability '
                  "that a model is the most frequent in the population, discounted by the "
                  "Bayesian omnibus risk (the probability that all models are equally frequent). "
                  f"Log-evidence: {escape(str(result.bms['evidence'].iloc[0]))}.</p>",
                  table_html(result.bms)]
    parts += ["<h3>Held-out log-likelihood per participant</h3>",
              table_html(result.per_participant.reset_index(), max_rows=500),
              "<h3>Every fit</h3>",
              table_html(result.fits.drop(columns=["params"], errors="ignore"), max_rows=5000)]
    return parts


@dataclass
class ModelSelectionSection:
    """A likelihood comparison as a report part of its own (``write_report([..., section])``)."""

    result: object

    @property
    def task(self) -> str:
        return f"{self.result.task}-model-selection"

    def tables(self) -> dict[str, pd.DataFrame]:
        return self.result.tables()

    def summary_text(self) -> str:
        return summary_text(self.result)

    def section_html(self) -> list[str]:
        return section_html(self.result)


#: The columns of the likelihood comparison shown in the report summary's which-model slot.
HEADLINE_COLUMNS = ("model", "n_participants", "heldout_loglik", "delta_vs_best",
                    "mean_difference_per_participant", "ci_low", "ci_high", "bic",
                    "protected_exceedance_probability")


def attach_model_selection(result, selection) -> ModelSelectionSection:
    """Give a task's ``ComparisonResult`` its likelihood comparison: the headline columns go to
    the summary's which-model slot; the returned section (every table) goes into the report."""
    result.model_selection = selection.summary[[c for c in HEADLINE_COLUMNS if c in selection.summary]]
    return ModelSelectionSection(selection)
