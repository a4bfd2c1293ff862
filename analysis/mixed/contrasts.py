"""Contrast codings for factors, as R writes them, and R's names for the columns they make.

A factor's coefficients are named as lme4 prints them: factor name + contrast column name —
``session2`` (treatment or simple coding: the level's name), ``group2-1`` (successive
differences, ``MASS::contr.sdif`` on the level numbers), ``cond1`` (sum or Helmert coding: the
column number). So a published lme4 table can be compared line by line.

* ``treatment`` (R's default): each level against the first.
* ``simple``: treatment minus 1/k — each level against the first, intercept = grand mean.
* ``sum`` (``contr.sum``): each level but the last against the grand mean.
* ``sdif`` (``MASS::contr.sdif``): each level against the one before; intercept = grand mean.
* ``helmert`` (``contr.helmert``): each level against the mean of those before it.
"""

from __future__ import annotations

import numpy as np

from analysis.errors import AnalysisInputError

CODINGS = ("treatment", "simple", "sum", "sdif", "helmert")


def contrast_matrix(coding: str, levels: list[str]) -> tuple[np.ndarray, list[str]]:
    """(k × (k−1) matrix, column names) of ``coding`` for the ordered ``levels``."""
    k = len(levels)
    if k < 2:
        raise AnalysisInputError(f"a factor needs at least two levels, found {levels}")
    if coding == "treatment":
        return np.eye(k)[:, 1:], list(levels[1:])
    if coding == "simple":
        return np.eye(k)[:, 1:] - 1.0 / k, list(levels[1:])
    if coding == "sum":
        matrix = np.vstack([np.eye(k - 1), -np.ones(k - 1)])
        return matrix, [str(i + 1) for i in range(k - 1)]
    if coding == "sdif":
        # MASS::contr.sdif: column j (1-based) is −(k−j)/k above row j, j/k from row j+1
        matrix = np.zeros((k, k - 1))
        for j in range(1, k):
            matrix[:j, j - 1] = -(k - j) / k
            matrix[j:, j - 1] = j / k
        return matrix, [f"{j + 1}-{j}" for j in range(1, k)]
    if coding == "helmert":
        matrix = np.zeros((k, k - 1))
        for j in range(1, k):
            matrix[:j, j - 1] = -1.0
            matrix[j, j - 1] = float(j)
        return matrix, [str(j) for j in range(1, k)]
    raise AnalysisInputError(f"unknown contrast coding {coding!r}; choose one of: {', '.join(CODINGS)}")
