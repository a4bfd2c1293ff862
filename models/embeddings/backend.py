"""The one interface every embedding backend follows.

A backend turns texts into vectors: ``encode(texts) -> np.ndarray`` of shape
``(len(texts), dimension)``, float32, one row per text, in order. A text the backend has no
vector for (a word missing from a static word-vector table) gets a row of NaN, so that it
is *reported* as out of vocabulary and can never be scored as if its cosine were 0.

The heavy model is loaded lazily, on the first ``encode`` call: a backend object is cheap
to build, which lets a run whose texts are all in the cache finish without loading any
model at all. ``encode_calls`` and ``texts_encoded`` count what the real encoder did (the
cache tests and the benchmark read them).
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Sequence
from typing import ClassVar

import numpy as np

_SPACES = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """NFKC-normalise and collapse white space (full-width ＡＢＣ→ABC, half-width ｶﾀｶﾅ→カタカナ).

    Every backend sees, and the cache stores, the normalised text, so "ヘルメット" typed with
    half-width kana and with full-width kana is the same entry.
    """
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", str(text))).strip()


class EmbeddingBackend:
    """Base class: subclasses set ``name`` and implement ``_load`` and ``_encode_batch``."""

    #: Backend name used on the command line and in the cache (``--backend``).
    name: ClassVar[str] = "backend"
    #: Languages (ISO 639-1) the backend's model can read; see ``models.embeddings.language``.
    languages: tuple[str, ...] = ()
    #: True for static word vectors (texts may be out of vocabulary), False for sentence encoders.
    is_word_vectors: ClassVar[bool] = False
    #: Texts per batch handed to the model.
    default_batch_size: ClassVar[int] = 64

    def __init__(self, model_name: str):
        self.model_name = model_name
        self.encode_calls = 0
        self.texts_encoded = 0
        self._loaded = False

    # ------------------------------------------------------------------ loading
    def load(self) -> "EmbeddingBackend":
        """Load the model now (otherwise the first ``encode`` does)."""
        if not self._loaded:
            self._load()
            self._loaded = True
        return self

    @property
    def is_loaded(self) -> bool:
        return self._loaded

    def _load(self) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------------ encoding
    def encode(self, texts: Sequence[str], *, batch_size: int | None = None,
               progress: bool | None = None) -> np.ndarray:
        """Vectors for ``texts`` (normalised with ``normalise_text``), NaN rows for unknown words.

        ``batch_size=1`` encodes one text at a time (the benchmark's baseline). A progress
        bar on stderr appears for long lists (more than 4 batches) unless ``progress=False``.
        """
        texts = [normalise_text(text) for text in texts]
        self.load()
        self.encode_calls += 1
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        size = max(1, int(batch_size or self.default_batch_size))
        starts = range(0, len(texts), size)
        show = progress if progress is not None else len(starts) > 4
        bar = None
        if show:
            from tqdm import tqdm

            bar = tqdm(total=len(texts), desc=f"encoding ({self.name})", unit="text",
                       file=sys.stderr, leave=False)
        parts = []
        for start in starts:
            batch = texts[start:start + size]
            parts.append(np.asarray(self._encode_batch(batch), dtype=np.float32).reshape(len(batch), -1))
            self.texts_encoded += len(batch)
            if bar is not None:
                bar.update(len(batch))
        if bar is not None:
            bar.close()
        return np.concatenate(parts, axis=0)

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    @property
    def dimension(self) -> int:
        raise NotImplementedError

    # ------------------------------------------------------------------ description
    def describe(self) -> dict[str, object]:
        """What a run records about the backend (extras, model-run parameters, docs)."""
        return {"backend": self.name, "model_name": self.model_name,
                "languages": list(self.languages)}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(model_name={self.model_name!r})"
