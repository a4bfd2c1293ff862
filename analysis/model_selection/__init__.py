"""Model comparison that discriminates: held-out log-likelihood, AIC/BIC, random-effects BMS.

* ``folds`` — k-fold splits within each participant (stratified by cell, seeded) and
  leave-one-participant-out for pooled fits;
* ``heldout`` — one fit as one independent call: fit on the training trials, score the
  held-out trials at the fitted parameters;
* ``criteria`` — AIC/BIC of the full-data fits (in-sample);
* ``bms`` — random-effects Bayesian model selection over participants (``groupbmc``);
* ``tables`` — the tables, with uncertainty (paired differences over participants, CIs).

:func:`build_result` turns the fit records (as :func:`heldout.run_fit_task` returns and
``mirrorlab.model_comparison`` stores them) into a :class:`ModelSelectionResult`, which the
report shows as a section of its own (``analysis.report_model_selection``). Running the fits
(Dask, the store, resuming) is ``mirrorlab.model_comparison``'s job. See
``docs/analysis/model-comparison.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from analysis.model_selection.bms import random_effects_bms
from analysis.model_selection.criteria import criteria_table
from analysis.model_selection.tables import (fits_frame, heldout_by_participant,
                                             paired_differences, summary_table)


@dataclass
class ModelSelectionResult:
    """Every table of one likelihood comparison (each also written as a CSV)."""

    task: str
    models: list[str]
    comparison_id: str
    seed: int
    scheme: str
    n_folds: int
    evidence: str
    sources: list[str]
    fits: pd.DataFrame
    per_participant: pd.DataFrame
    paired: pd.DataFrame
    criteria: pd.DataFrame
    bms: pd.DataFrame
    summary: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    @property
    def section_task(self) -> str:
        return self.task

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"model_selection": self.summary, "heldout_by_participant":
                self.per_participant.reset_index(), "paired_differences": self.paired,
                "information_criteria": self.criteria, "bms": self.bms,
                "fits": self.fits.drop(columns=["params"], errors="ignore")}

    def best(self) -> str | None:
        return None if self.summary.empty else str(self.summary["model"].iloc[0])

    def summary_text(self) -> str:
        from analysis.report_model_selection import summary_text

        return summary_text(self)

    def section_html(self) -> list[str]:
        from analysis.report_model_selection import section_html

        return section_html(self)


def build_result(records: list[dict], models: list[str], *, task: str, comparison_id: str,
                 seed: int, scheme: str, n_folds: int, evidence: str = "heldout",
                 notes: list[str] | None = None, sources: list[str] | None = None) -> ModelSelectionResult:
    """All tables from the fit records (full-data fits → AIC/BIC; held-out fits → the rest)."""
    fits = fits_frame(records)
    full = fits[fits["fold"].isna()] if len(fits) else fits
    per_participant = heldout_by_participant(fits, models)
    criteria = criteria_table(full)
    notes = list(notes or [])
    if evidence == "bic":
        evidence_frame = (-0.5 * full.pivot_table(index="participant", columns="model",
                                                  values="bic")).reindex(columns=models)
    else:
        evidence_frame = per_participant
    bms = pd.DataFrame()
    if scheme == "within" and len(evidence_frame.dropna()) >= 1:
        bms = random_effects_bms(evidence_frame, evidence)
    elif scheme != "within":
        notes.append("random-effects model selection needs one log-evidence per participant and "
                     "model; pooled (leave-one-participant-out) fits give one parameter set for "
                     "everyone, so it is left out.")
    return ModelSelectionResult(
        task=task, models=list(models), comparison_id=comparison_id, seed=int(seed),
        scheme=scheme, n_folds=int(n_folds), evidence=evidence, sources=list(sources or ["human"]),
        fits=fits, per_participant=per_participant,
        paired=paired_differences(per_participant, seed=seed), criteria=criteria, bms=bms,
        summary=summary_table(per_participant, fits, criteria, bms, seed=seed), notes=notes)


__all__ = ["ModelSelectionResult", "build_result", "random_effects_bms", "criteria_table",
           "fits_frame", "heldout_by_participant", "paired_differences", "summary_table"]
