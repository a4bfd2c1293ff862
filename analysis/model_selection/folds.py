"""Which trials each fit is trained on and which it is judged on.

Two schemes, both seeded and independent of how fits are spread over workers:

* **k-fold within each participant** (:func:`within_participant_folds`): every participant's
  trials are split into ``k`` folds, stratified by design cell (condition, and ordinal
  position or SOA where the task has them), so each fold holds every cell in the
  participant's proportions; fold j's fit is trained on the other k − 1 folds of that
  participant and judged on fold j. Summed over the folds, every trial is judged exactly
  once, by a fit that never saw it.
* **leave one participant out** (:func:`leave_one_participant_out`) for pooled fits: one
  parameter set is fitted to every participant but one and judged on the one left out.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from analysis.errors import AnalysisInputError

#: Columns that make a stratum, where the trials have them.
STRATUM_COLUMNS = ("instruction", "condition", "soa_ms", "ordinal_position")


def _participant_seed(seed: int, participant: str) -> int:
    """A seed for one participant's split that depends on (seed, code) only, not on the order
    or the number of participants."""
    digest = hashlib.sha256(f"{int(seed)}|{participant}".encode()).digest()
    return int.from_bytes(digest[:4], "little")


def within_participant_folds(trials: pd.DataFrame, k: int, seed: int,
                             strata: tuple[str, ...] = STRATUM_COLUMNS) -> np.ndarray:
    """Fold number (0 … k−1) of every row of ``trials`` (column ``agent`` = participant):
    within each participant and stratum the rows are shuffled with a seeded generator and
    dealt round-robin, so fold sizes differ by at most one per stratum."""
    if int(k) < 2:
        raise AnalysisInputError(f"--folds must be at least 2, not {k}")
    if "agent" not in trials.columns:
        raise AnalysisInputError("trials have no 'agent' column, so they cannot be split by participant")
    frame = trials.reset_index(drop=True)
    present = [c for c in strata if c in frame.columns]
    labels = (frame.groupby(present, dropna=False, sort=True).ngroup() if present
              else pd.Series(0, index=frame.index))
    folds = np.full(len(frame), -1, dtype=np.int64)
    for code, rows in frame.groupby(frame["agent"].astype(str), sort=False).groups.items():
        rng = np.random.default_rng(_participant_seed(seed, str(code)))
        offset = int(rng.integers(int(k)))          # so small strata do not all start at fold 0
        for _, index in labels.loc[rows].groupby(labels.loc[rows], sort=True).groups.items():
            shuffled = rng.permutation(np.asarray(index))
            folds[shuffled] = (np.arange(len(shuffled)) + offset) % int(k)
            offset = (offset + len(shuffled)) % int(k)
    return folds


def leave_one_participant_out(trials: pd.DataFrame) -> list[tuple[str, np.ndarray]]:
    """(participant left out, boolean mask of their rows) for every participant, in the order
    they first appear."""
    if "agent" not in trials.columns:
        raise AnalysisInputError("trials have no 'agent' column, so they cannot be split by participant")
    agents = trials["agent"].astype(str).to_numpy()
    codes = list(pd.unique(agents))
    if len(codes) < 2:
        raise AnalysisInputError("leave-one-participant-out needs at least two participants, "
                                 f"found {len(codes)}")
    return [(code, agents == code) for code in codes]
