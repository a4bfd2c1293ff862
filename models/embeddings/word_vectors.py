"""Static word vectors: a table of words → vectors, and how a text is looked up in it.

A multi-word text ("palm tree", "麦わら帽子" when the dictionary splits it) gets the mean of
its tokens' vectors. A text none of whose tokens has a vector is out of vocabulary (OOV): its
row is NaN, and it is listed wherever results are shown — it is never scored as cosine 0.
``lookup(text)`` says how each text was found, for reports and the docs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from models.embeddings.backend import EmbeddingBackend, normalise_text


@dataclass
class WordLookup:
    """How one text was found in a word-vector table."""

    text: str
    #: ``surface``, ``normalised``, ``reading``, ``lowercase``, ``token_mean`` or ``oov``.
    method: str
    #: The table keys whose vectors were used.
    keys: list[str] = field(default_factory=list)
    #: Tokens of a multi-token text that had no vector (left out of the mean).
    missing_tokens: list[str] = field(default_factory=list)
    vector: np.ndarray | None = None

    @property
    def is_oov(self) -> bool:
        return self.vector is None


class WordVectorBackend(EmbeddingBackend):
    """Base for static word-vector tables; subclasses implement ``lookup``."""

    is_word_vectors = True
    default_batch_size = 256

    def lookup(self, text: str) -> WordLookup:
        raise NotImplementedError

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        rows = np.full((len(texts), self.dimension), np.nan, dtype=np.float32)
        for index, text in enumerate(texts):
            found = self.lookup(text)
            if found.vector is not None:
                rows[index] = found.vector
        return rows

    def lookups(self, texts) -> list[WordLookup]:
        self.load()
        return [self.lookup(normalise_text(text)) for text in texts]

    def oov(self, texts) -> list[str]:
        """The texts with no vector at all, in order, without repeats."""
        return list(dict.fromkeys(found.text for found in self.lookups(texts) if found.is_oov))
