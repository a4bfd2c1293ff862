"""The association report's embedding-space figure, from what the database already holds.

For a task whose card asks for the item-by-item choice view (``AnalysisDesign.choice_agreement``),
the compared model runs whose trials record an embedding ``backend`` and ``model_name`` (in
their extras, as ``models.embeddings`` writes them) have their word vectors in the store's
embedding cache. This module reads those vectors — it never encodes anything or loads a model,
so a report never downloads weights — and projects each item's target and choices
(``analysis.projection.project_items``), with people's most frequent choice per item, onto
``result.embedding_projection`` for the report to draw. It lives in the ``mirrorlab`` layer
because it needs both the analysis and the embedding model's text normalisation.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

SEPARATOR = "+"


def stored_vectors(store, backend: str, model_name: str, texts: Iterable[str]) -> dict[str, np.ndarray]:
    """Text → the vector the model used, from the store's cache only (combined backends such as
    ``chive+use-multilingual``: the parts combined as the model combines them); texts with no
    stored vector (or an out-of-vocabulary NaN row) are left out."""
    from models.embeddings.backend import normalise_text
    from models.embeddings.combined import combine_vectors

    texts = [str(t) for t in dict.fromkeys(texts) if t is not None and str(t).strip()]
    normalised = {text: normalise_text(text) for text in texts}
    backends = backend.split(SEPARATOR)
    names = model_name.split(SEPARATOR) if len(model_name.split(SEPARATOR)) == len(backends) else [model_name]
    if len(names) != len(backends):
        return {}
    parts = [store.cached_embeddings(b, m, set(normalised.values())) for b, m in zip(backends, names)]
    out = {}
    for text, key in normalised.items():
        if not all(key in part for part in parts):
            continue
        vector = parts[0][key] if len(parts) == 1 else combine_vectors([part[key][None, :] for part in parts])[0]
        if np.all(np.isfinite(vector)):
            out[text] = vector
    return out


def _embedding_run(trials: pd.DataFrame) -> tuple[str, str] | None:
    """The (backend, model_name) a model run's trials record, or None (not an embedding model)."""
    for extras in trials["extras"]:
        if isinstance(extras, dict) and extras.get("backend") and extras.get("model_name"):
            return str(extras["backend"]), str(extras["model_name"])
    return None


def _choices(value) -> list[str]:
    if isinstance(value, str):
        import json

        try:
            value = json.loads(value)
        except ValueError:
            return [value]
    return [str(v) for v in (value or []) if v is not None]


def embedding_projection(store, result) -> pd.DataFrame | None:
    """The projection for one comparison result, or None where the card does not ask for the
    choice view or no compared model is an embedding model with stored vectors (a note is
    added to ``result.messages`` in the last case, saying why the figure is missing)."""
    from analysis.design import design_for
    from analysis.projection import project_items

    if not design_for(result.task).analysis.choice_agreement:
        return None
    human = store.trials_frame(task=result.task, source="human")
    if human.empty or not {"target", "choices"} <= set(human.columns):
        return None
    for model, run_id in result.models.items():
        if run_id is None:
            continue
        model_trials = store.trials_frame(model_run_id=run_id)
        if model_trials.empty or "extras" not in model_trials:
            continue
        used = _embedding_run(model_trials)
        if used is None:
            continue
        items = human.dropna(subset=["target"]).drop_duplicates("item_id")
        items = pd.DataFrame({"item": items["item_id"].astype(str), "target": items["target"].astype(str),
                              "choices": items["choices"].map(_choices),
                              "answer": items["expected_response"].astype(str)})
        modal = human.dropna(subset=["response"]).groupby("item_id")["response"].agg(
            lambda s: s.astype(str).value_counts().sort_index().idxmax())
        words = [*items["target"], *[w for choices in items["choices"] for w in choices]]
        vectors = stored_vectors(store, *used, words)
        if len(vectors) < 2:
            result.messages.append(f"model {model}: no word vectors stored for its {used[0]} run, so the "
                                   "report has no embedding-space figure (run the model again with this "
                                   "database to store them).")
            return None
        projection = project_items(items, vectors, {str(k): v for k, v in modal.items()},
                                   model=f"{model} ({used[0]})")
        missing = sorted(set(words) - set(vectors))
        if missing:
            shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
            result.messages.append(f"embedding projection: {len(missing)} word(s) without a stored vector "
                                   f"are not drawn ({shown}).")
        return projection
    return None


def attach_embedding_projections(store, results) -> None:
    """Set ``result.embedding_projection`` on each result that gets one (see ``embedding_projection``)."""
    for result in results:
        if getattr(result, "section_html", None):   # published aggregates, pilots: no items
            continue
        projection = embedding_projection(store, result)
        if projection is not None:
            result.embedding_projection = projection
