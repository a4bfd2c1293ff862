"""Two or more backends as one: ``chive+use-multilingual``.

Each part's vector is L2-normalised and the parts are concatenated and scaled by
1/sqrt(number of parts), so the cosine of two combined vectors is exactly the *mean of the
parts' cosines*. This lets a static word-vector table (chiVe: word co-occurrence in web text)
and a sentence encoder (USE: trained on question–answer and translation pairs) vote together,
through the same interface as any backend, for association choices and relatedness alike.

A text that is out of vocabulary for any part is out of vocabulary for the combination (NaN
row, reported), so a combined cosine is never a mixture of one model's cosine with a hole.
The cache stores each part's vectors under the part's own name, so they are shared with runs
that use that part alone.
"""

from __future__ import annotations

import numpy as np

from models.embeddings.backend import EmbeddingBackend
from models.embeddings.language import ANY_LANGUAGE

SEPARATOR = "+"


def combine_vectors(part_vectors: list[np.ndarray]) -> np.ndarray:
    """Concatenate unit-normalised part vectors / sqrt(k): cosine = mean of part cosines."""
    scaled = []
    for vectors in part_vectors:
        vectors = np.asarray(vectors, dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            scaled.append(np.where(norms > 0, vectors / norms, np.nan))
    return (np.concatenate(scaled, axis=1) / np.sqrt(len(part_vectors))).astype(np.float32)


class CombinedBackend(EmbeddingBackend):
    """The parts' cosines averaged (see module docstring)."""

    is_word_vectors = True  # text templates are for a single sentence encoder; parts get the word

    def __init__(self, parts: list[EmbeddingBackend]):
        if len(parts) < 2:
            raise ValueError("a combined backend needs at least two parts")
        self.parts = list(parts)
        self.name = SEPARATOR.join(part.name for part in self.parts)  # type: ignore[misc]
        super().__init__(SEPARATOR.join(part.model_name for part in self.parts))

    @property
    def languages(self) -> tuple[str, ...]:  # type: ignore[override]
        readable = None
        for part in self.parts:
            langs = set(part.languages)
            if ANY_LANGUAGE in langs:
                continue
            readable = langs if readable is None else readable & langs
        return tuple(sorted(readable)) if readable is not None else (ANY_LANGUAGE,)

    def _load(self) -> None:
        for part in self.parts:
            part.load()

    @property
    def dimension(self) -> int:
        return sum(part.dimension for part in self.parts)

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        return combine_vectors([part.encode(texts, progress=False) for part in self.parts])

    def describe(self) -> dict[str, object]:
        info = super().describe()
        info["parts"] = [part.describe() for part in self.parts]
        return info
