"""Trial-level likelihoods of choice and RT for every model (issue 13).

``loglik(model, human_trials)`` returns one log-likelihood per scored human trial (non-practice,
RT inside ``RT_WINDOW_MS``). Analytic for WEAVER++ (its hazard), simulation-based for the PDP
networks and other simulators, softmax for the embedding model. See ``docs/models/fitting.md``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from models.likelihood.families import (DEFAULT_SIMULATIONS_PER_CELL, RESIDUAL_PARAMETERS,
                                        TrialLikelihood, likelihood_for, residual_defaults)
from models.likelihood.trials import RT_WINDOW_MS


def loglik(model, human_trials: pd.DataFrame, params: dict[str, Any] | None = None, *,
           seed: int = 0, n_sim_per_cell: int | None = None) -> np.ndarray:
    """Per-trial log-likelihood of ``human_trials`` under ``model`` (its parameters, overridden
    by ``params``, which may also set the residual parameters)."""
    return likelihood_for(model, human_trials, seed=seed,
                          n_sim_per_cell=n_sim_per_cell).loglik(params)


__all__ = ["loglik", "likelihood_for", "TrialLikelihood", "RESIDUAL_PARAMETERS",
           "residual_defaults", "RT_WINDOW_MS", "DEFAULT_SIMULATIONS_PER_CELL"]
