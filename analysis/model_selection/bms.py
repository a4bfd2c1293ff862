"""Random-effects Bayesian model selection over participants (Stephan et al. 2009; Rigoux et
al. 2014), with the ``groupbmc`` package (a port of the VBA toolbox's ``VBA_groupBMC``).

Each participant may be best explained by a different model; BMS infers the distribution of
models in the population from one log-evidence per participant and model:

* **expected model frequency** — the posterior mean share of the population a model explains;
* **exceedance probability** (XP) — the posterior probability that this model is more frequent
  than every other;
* **protected exceedance probability** (PXP) — XP shrunk towards 1/K by the *Bayesian omnibus
  risk* (BOR), the posterior probability that the models are all equally frequent (differences
  between them are chance). PXP is what to read: with few participants or small differences
  the BOR is high and every PXP is near 1/K.

The log-evidence used is each participant's **held-out log-likelihood** summed over folds
(a predictive, cross-validated score: every trial scored by a fit that did not see it), or,
with ``evidence="bic"``, −BIC/2 of the full-data fit (Schwarz's approximation, in-sample).
The table says which.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analysis.errors import AnalysisInputError

EVIDENCE_LABELS = {"heldout": "held-out log-likelihood (summed over folds)",
                   "bic": "−BIC/2 of the full-data fit (in-sample)"}


def random_effects_bms(log_evidence: pd.DataFrame, evidence: str = "heldout") -> pd.DataFrame:
    """``log_evidence``: participants × models (one log-evidence each, no gaps). Returns one row
    per model: expected frequency (± SD), XP, PXP, the BOR and what the evidence was."""
    from groupBMC.groupBMC import GroupBMC, GroupBMCResult

    frame = log_evidence.dropna(axis=0, how="any")
    if frame.shape[1] < 2:
        raise AnalysisInputError("model selection needs at least two models")
    if frame.shape[0] < 1:
        raise AnalysisInputError("model selection needs at least one participant with a "
                                 "log-evidence for every model")
    matrix = frame.to_numpy(float).T                   # K models × N participants
    bmc = GroupBMC(matrix)
    free_energy_difference = bmc.F1() - bmc.F0()
    # groupbmc computes the BOR as 1 / (1 + exp(F1 − F0)) with math.exp, which overflows when
    # the evidence is decisive; the same quantity, computed stably:
    bor = float(0.5 * (1 - math.tanh(free_energy_difference / 2)))
    result = GroupBMCResult(bmc.α.flatten(), bmc.z, bor)
    return pd.DataFrame({
        "model": list(frame.columns),
        "expected_frequency": result.frequency_mean,
        "frequency_sd": np.sqrt(result.frequency_var),
        "exceedance_probability": result.exceedance_probability,
        "protected_exceedance_probability": result.protected_exceedance_probability,
        "bayesian_omnibus_risk": bor,
        "n_participants": frame.shape[0],
        "evidence": EVIDENCE_LABELS.get(evidence, evidence),
    })
