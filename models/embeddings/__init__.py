"""Embedding backends, their cache and language guard, and what is computed from them.

* ``registry``: backends by name (``sentence-transformers``, ``use-multilingual``, ``chive``,
  ``glove``), the default per language, ``get_backend`` (one loaded copy per process);
* ``selection``: how that default is chosen — k-fold cross-validation on items the tests never
  check, recorded in ``backend_selection.json`` (``scripts/select_embedding_backend.py``);
* ``backend`` / ``word_vectors``: the interface (``encode(texts) -> ndarray``, ``name``,
  ``model_name``, ``languages``) and the word-vector lookup with OOV reporting;
* ``language``: script detection and the guard that refuses text a model cannot read;
* ``cache``: (backend, model, text) → vector in memory and in the database;
* ``association``: target–choice cosines for association trial lists;
* ``relatedness``: cosines of word pairs, picture–distractor pairs, category co-members.

Nothing heavy is imported here: models load on first use.
"""

from models.embeddings.cache import EmbeddingCache
from models.embeddings.registry import BACKENDS, DEFAULT_BACKEND_BY_LANGUAGE, get_backend

__all__ = ["BACKENDS", "DEFAULT_BACKEND_BY_LANGUAGE", "EmbeddingCache", "get_backend"]
