"""The embedding cache: (backend, model, text) → vector, in memory and in the database.

A repeated run over the same items encodes nothing: vectors come from memory, then from the
store's ``embedding_cache`` table (``Store.cached_embeddings`` / ``Store.cache_embeddings``),
and only the texts found in neither go to the backend, in batches. Out-of-vocabulary words
are cached too (as their NaN row), so they are not looked up again either.

Without a store the cache lives in memory for the life of the object.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from models.embeddings.backend import normalise_text
from models.embeddings.language import check_language


class EmbeddingCache:
    """Vectors for texts, encoding only what neither memory nor the store has."""

    def __init__(self, store=None):
        self.store = store
        self._memory: dict[tuple[str, str, str], np.ndarray] = {}
        #: Counts since creation: texts served from memory, from the store, and encoded.
        self.memory_hits = 0
        self.store_hits = 0
        self.encoded = 0

    def vectors(self, backend, texts: Sequence[str], *, force_language: bool = False,
                declared_languages: Iterable[str] = (), where: str = "",
                progress: bool | None = None) -> np.ndarray:
        """A ``(len(texts), dim)`` float32 matrix (NaN rows: out of vocabulary), rows in order.

        The language guard runs first (``check_language``), on every text, cached or not.
        """
        prepared = [normalise_text(text) for text in texts]
        check_language(backend, prepared, declared_languages=declared_languages,
                       force=force_language, where=where)
        if getattr(backend, "parts", None):  # a combination: each part cached under its own name
            from models.embeddings.combined import combine_vectors

            return combine_vectors([self.vectors(part, prepared, force_language=True, progress=progress)
                                    for part in backend.parts])
        unique = list(dict.fromkeys(prepared))
        key = (backend.name, backend.model_name)
        found: dict[str, np.ndarray] = {}
        for text in unique:
            vector = self._memory.get((*key, text))
            if vector is not None:
                found[text] = vector
        self.memory_hits += len(found)
        missing = [text for text in unique if text not in found]
        if missing and self.store is not None:
            from_store = self.store.cached_embeddings(backend.name, backend.model_name, missing)
            self.store_hits += len(from_store)
            found.update(from_store)
            missing = [text for text in missing if text not in from_store]
            for text, vector in from_store.items():
                self._memory[(*key, text)] = vector
        if missing:
            encoded = backend.encode(missing, progress=progress)
            self.encoded += len(missing)
            new = {text: encoded[row] for row, text in enumerate(missing)}
            found.update(new)
            for text, vector in new.items():
                self._memory[(*key, text)] = vector
            if self.store is not None:
                self.store.cache_embeddings(backend.name, backend.model_name, new)
        if not prepared:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([np.asarray(found[text], dtype=np.float32) for text in prepared])

    def clear_memory(self) -> None:
        """Forget the in-memory copies (the store keeps its own)."""
        self._memory.clear()


def cosine_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosine of each row of ``a`` with the same row of ``b``; NaN where either is NaN or zero."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    norms = np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        cosine = np.einsum("...d,...d->...", a, b) / norms
    return np.where(norms > 0, cosine, np.nan)
