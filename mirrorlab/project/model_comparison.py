"""How the models explain the class's own people: the held-out likelihood comparison
(``mirrorlab.model_comparison``, issue 14) run on the project database.

Why here: the class report's model section otherwise shows only each model's predicted effect
beside the class's estimate — a comparison of means that a dummy predictor can win. With
``mirrorlab project report DIR --heldout MODELS`` every model is fitted to every student
participant by maximum likelihood on k−1 folds of their trials and scored on the held-out
fold, and the report shows held-out log-likelihood with paired CIs, AIC/BIC (in-sample) and
the random-effects model selection (protected exceedance probabilities). Fits are stored in
the project database as they finish, so a second report reuses them.

Only people enter (``source="human"``); simulated pilots are left out unless the report is
asked to include them, and then they are named.
"""

from __future__ import annotations

import html

#: What a class comparison uses unless the instructor says otherwise: few folds (a student
#: group has few trials per participant, and a class report should finish in minutes).
DEFAULT_FOLDS = 3


def class_model_comparison(url: str, task: str, models: list[str], *, n_folds: int = DEFAULT_FOLDS,
                           seed: int = 0, include_simulated: bool = False,
                           scheduler: str | None = None, workers: int | None = None,
                           progress: bool = True):
    """The :class:`analysis.model_selection.ModelSelectionResult` of ``models`` on the class."""
    from db.store import Store
    from mirrorlab.model_comparison import ComparisonOptions, run_model_comparison

    options = ComparisonOptions(task=task, models=list(models), n_folds=int(n_folds), seed=int(seed),
                                include_simulated=include_simulated)
    return run_model_comparison(Store(url), options, scheduler=scheduler, workers=workers,
                                progress=progress)


def comparison_html(result, table) -> str:
    """The class report's block: the one-line answer, then the summary table and the notes."""
    notes = "".join(f"<li>{html.escape(note)}</li>" for note in result.notes)
    return (f"<div id='model-comparison'><p><b>{html.escape(result.summary_text())}</b></p>"
            f"{table(result.summary)}"
            f"<p><small>held-out log-likelihood of each participant's trials, {result.n_folds} folds "
            f"within participants, seed {result.seed}; Δ to the best with a paired CI over "
            "participants; AIC/BIC are in-sample; PXP: protected exceedance probability of "
            "random-effects Bayesian model selection (docs/analysis/model-comparison.md). Data: "
            f"{html.escape(', '.join(result.sources))}.</small></p>"
            + (f"<ul>{notes}</ul>" if notes else "") + "</div>")
