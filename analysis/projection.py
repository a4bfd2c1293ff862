"""Association items in the embedding space, in two dimensions (as the course's word2vec figures).

``project_items`` takes each item's target, choices and answer, the model's vector for every
word, and people's most frequent choice per item, and returns one row per (item, word) with
the word's coordinates on the first two principal components of the model's vectors of all the
words shown (centred; computed by SVD, so no fitting and no randomness). Words without a vector
(out of vocabulary) are left out and listed in ``oov``. The report draws the result
(``analysis.figures.embedding_figure``) and writes it as CSV; set it on a comparison result as
``result.embedding_projection``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from analysis.errors import AnalysisInputError

COLUMNS = ("model", "item", "word", "role", "chosen", "pc1", "pc2", "explained_variance_1",
           "explained_variance_2")


def principal_components(matrix: np.ndarray, n: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates of the rows of ``matrix`` on its first ``n`` principal components, and the
    share of the variance each explains. Signs are fixed so each component's largest loading
    is positive (the same data always give the same picture)."""
    centred = matrix - matrix.mean(axis=0, keepdims=True)
    _, singular, components = np.linalg.svd(centred, full_matrices=False)
    components = components[:n]
    signs = np.sign(components[np.arange(len(components)), np.abs(components).argmax(axis=1)])
    components = components * signs[:, None]
    total = float((singular ** 2).sum())
    explained = (singular[:n] ** 2) / total if total > 0 else np.zeros(n)
    coordinates = centred @ components.T
    if coordinates.shape[1] < n:  # fewer distinct words than components
        coordinates = np.pad(coordinates, ((0, 0), (0, n - coordinates.shape[1])))
        explained = np.pad(explained, (0, n - len(explained)))
    return coordinates, explained


def project_items(items: pd.DataFrame, vectors: Mapping[str, np.ndarray],
                  human_choices: Mapping[str, str] | None = None, model: str = "embedding") -> pd.DataFrame:
    """One row per item × word (role ``target``, ``answer`` or ``foil``; ``chosen``: people's
    most frequent choice), with ``pc1``/``pc2`` (see the module docstring). ``items`` needs
    columns ``item``, ``target``, ``choices`` (a list of words) and ``answer``."""
    missing = {"item", "target", "choices", "answer"} - set(items.columns)
    if missing:
        raise AnalysisInputError(f"embedding projection: item table lacks column(s) {', '.join(sorted(missing))}")
    human_choices = human_choices or {}
    rows = []
    for item in items.itertuples(index=False):
        rows.append((str(item.item), str(item.target), "target", False))
        for choice in list(item.choices):
            role = "answer" if choice == item.answer else "foil"
            rows.append((str(item.item), str(choice), role, human_choices.get(str(item.item)) == choice))
    frame = pd.DataFrame(rows, columns=["item", "word", "role", "chosen"])
    known = frame["word"].map(lambda w: w in vectors and np.all(np.isfinite(np.asarray(vectors[w], float))))
    frame = frame[known].reset_index(drop=True)
    words = list(dict.fromkeys(frame["word"]))
    if len(words) < 2:
        raise AnalysisInputError("embedding projection: fewer than two words have vectors")
    matrix = np.vstack([np.asarray(vectors[w], dtype=float) for w in words])
    coordinates, explained = principal_components(matrix)
    position = {w: i for i, w in enumerate(words)}
    index = frame["word"].map(position).to_numpy()
    frame["pc1"] = coordinates[index, 0]
    frame["pc2"] = coordinates[index, 1]
    frame["explained_variance_1"] = float(explained[0])
    frame["explained_variance_2"] = float(explained[1])
    frame.insert(0, "model", model)
    return frame[list(COLUMNS)]
