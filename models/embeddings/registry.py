"""Backends by name, the default backend for each language, and one loaded copy per process.

Loading a model takes seconds (all-MiniLM about 10 s on a laptop CPU); ``get_backend``
keeps one instance per (backend, model) so a command, a test session or a notebook loads
each model once.
"""

from __future__ import annotations

import importlib

from models.base import ModelInputError
from models.embeddings.language import reads_language

SEPARATOR = "+"  # "chive+use-multilingual": the parts' cosines averaged (models.embeddings.combined)

#: backend name -> "module:Class" (imported only when that backend is asked for).
BACKENDS: dict[str, str] = {
    "sentence-transformers": "models.embeddings.sentence_transformers_backend:SentenceTransformersBackend",
    "use-multilingual": "models.embeddings.use_backend:UseMultilingualBackend",
    "chive": "models.embeddings.chive_backend:ChiveBackend",
    "glove": "models.embeddings.glove_backend:GloveBackend",
}

#: The languages each backend reads with its default model (without loading it).
DEFAULT_LANGUAGES: dict[str, tuple[str, ...]] = {
    "sentence-transformers": ("en",),
    "use-multilingual": ("en", "ja"),
    "chive": ("ja",),
    "glove": ("en",),
}

#: ``backend="auto"``: the backend used for a trial list in each language, read from
#: ``backend_selection.json`` (written by ``scripts/select_embedding_backend.py``): the backend
#: with the best cross-validated choice accuracy on disjoint folds of the bundled association
#: items, never on the held-out items the tests check (``models.embeddings.selection``;
#: the numbers of every backend are in docs/models/embedding.md).
def _selected_defaults() -> dict[str, str]:
    from models.embeddings.selection import load_selection

    try:
        return dict(load_selection()["defaults"])
    except ModelInputError as exc:       # reported when a default is asked for
        _SELECTION_ERROR.append(str(exc))
        return {}


_SELECTION_ERROR: list[str] = []
DEFAULT_BACKEND_BY_LANGUAGE: dict[str, str] = _selected_defaults()

AUTO = "auto"
_LOADED: dict[tuple[str, str | None], object] = {}


def backend_class(name: str):
    if SEPARATOR in name:
        from models.embeddings.combined import CombinedBackend

        for part in name.split(SEPARATOR):
            backend_class(part)
        return CombinedBackend
    if name not in BACKENDS:
        raise ModelInputError(f"unknown embedding backend {name!r}; known: {AUTO}, {', '.join(BACKENDS)} "
                              "(or parts joined by +, e.g. chive+use-multilingual)")
    module_name, class_name = BACKENDS[name].split(":")
    return getattr(importlib.import_module(module_name), class_name)


def default_backend_name(language: str) -> str:
    """The ``auto`` backend for a language (``en``/``ja``)."""
    if _SELECTION_ERROR:
        raise ModelInputError(_SELECTION_ERROR[0])
    if language not in DEFAULT_BACKEND_BY_LANGUAGE:
        raise ModelInputError(f"no default embedding backend for language {language!r}; "
                              f"known: {', '.join(DEFAULT_BACKEND_BY_LANGUAGE)} (or name --backend)")
    return DEFAULT_BACKEND_BY_LANGUAGE[language]


def resolve_backend_name(backend: str | None, language: str) -> str:
    """``auto``/None → the language's default; a name → itself (checked)."""
    if backend in (None, "", AUTO):
        return default_backend_name(language)
    backend_class(backend)
    return backend


def get_backend(name: str, model_name: str | None = None):
    """The process-wide instance of backend ``name`` with ``model_name`` (None: its default).

    Building it is cheap; the model itself loads on first use.
    """
    key = (name, model_name or None)
    if key not in _LOADED:
        cls = backend_class(name)
        if SEPARATOR in name:
            if model_name:
                raise ModelInputError(f"combined backend {name} takes no model name (got {model_name!r})")
            _LOADED[key] = cls([get_backend(part) for part in name.split(SEPARATOR)])
        else:
            _LOADED[key] = cls(model_name)
    return _LOADED[key]


def backends_for_language(language: str) -> list[str]:
    return [name for name, languages in DEFAULT_LANGUAGES.items() if reads_language(languages, language)]


def known_backend_names() -> list[str]:
    """For help texts: auto, the single backends, and the combinations used as defaults."""
    combined = [name for name in DEFAULT_BACKEND_BY_LANGUAGE.values() if SEPARATOR in name]
    return [AUTO, *BACKENDS, *dict.fromkeys(combined)]
