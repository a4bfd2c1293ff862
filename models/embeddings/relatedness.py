"""Semantic relatedness (cosine) of word pairs: any list, picture–distractor pairs of a
picture–word trial list, and category co-members of a continuous-naming set.

The analysis uses these as item covariates (``Store.put_item_covariates``); WEAVER++ uses
``{(word_a, word_b): cosine}`` as link weights between concept nodes.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

import numpy as np
import pandas as pd

from models.base import ModelInputError
from models.embeddings.backend import normalise_text
from models.embeddings.cache import EmbeddingCache, cosine_rows
from models.embeddings.language import detect_language
from models.embeddings.registry import get_backend, resolve_backend_name

#: Covariate name used when relatedness is stored per item.
COVARIATE_NAME = "relatedness"


def _language_of(words: Iterable[str], language: str | None) -> str:
    if language:
        return language
    detected = {detect_language(word) for word in words}
    return "ja" if "ja" in detected else "en"


def pair_relatedness(pairs: pd.DataFrame, *, backend: str = "auto", model_name: str | None = None,
                     cache: EmbeddingCache | None = None, language: str | None = None,
                     force_language: bool = False, text_template: str = "{text}",
                     where: str = "word pairs") -> pd.DataFrame:
    """Cosine of ``word_a`` and ``word_b`` on every row (NaN, with ``oov`` listed, when a word
    has no vector).

    ``pairs`` has columns ``word_a``, ``word_b`` and optionally ``item_id``. ``backend="auto"``
    uses the default backend of ``language`` (detected from the script when None).
    Returns the input columns + ``relatedness``, ``oov``, ``backend``, ``model_name``.
    """
    for column in ("word_a", "word_b"):
        if column not in pairs.columns:
            raise ModelInputError(f"{where}: missing column {column} (expected word_a, word_b[, item_id]); "
                                  f"have {', '.join(map(str, pairs.columns))}")
    pairs = pairs.reset_index(drop=True).copy()
    if len(pairs) == 0:
        raise ModelInputError(f"{where}: no word pairs")
    for column in ("word_a", "word_b"):
        blank = pairs[column].isna() | (pairs[column].astype(str).str.strip() == "")
        if blank.any():
            raise ModelInputError(f"{where}: row {int(np.flatnonzero(blank)[0]) + 1}: empty {column}")
        pairs[column] = pairs[column].astype(str)
    words = list(dict.fromkeys(normalise_text(w) for w in [*pairs["word_a"], *pairs["word_b"]]))
    encoder = get_backend(resolve_backend_name(backend, _language_of(words, language)), model_name)
    template = "{text}" if encoder.is_word_vectors else text_template
    cache = cache or EmbeddingCache()
    matrix = cache.vectors(encoder, [template.format(text=w) for w in words],
                           force_language=force_language,
                           declared_languages=[language] if language else [], where=where)
    vector_of = dict(zip(words, matrix))
    a = np.stack([vector_of[normalise_text(w)] for w in pairs["word_a"]])
    b = np.stack([vector_of[normalise_text(w)] for w in pairs["word_b"]])
    pairs["relatedness"] = cosine_rows(a, b)
    missing = {w for w, v in vector_of.items() if np.isnan(v).all()}
    pairs["oov"] = [", ".join(w for w in (normalise_text(x), normalise_text(y)) if w in missing)
                    for x, y in zip(pairs["word_a"], pairs["word_b"])]
    pairs["backend"] = encoder.name
    pairs["model_name"] = encoder.model_name
    return pairs


def relatedness_lookup(pairs: Iterable[tuple[str, str]], **options) -> dict[tuple[str, str], float]:
    """``{(word_a, word_b): cosine}`` for the given pairs (NaN for out-of-vocabulary words)."""
    pairs = list(dict.fromkeys((str(a), str(b)) for a, b in pairs))
    if not pairs:
        return {}
    frame = pair_relatedness(pd.DataFrame(pairs, columns=["word_a", "word_b"]), **options)
    return {(a, b): float(r) for a, b, r in zip(frame["word_a"], frame["word_b"], frame["relatedness"])}


def picture_distractor_pairs(trial_list: pd.DataFrame) -> pd.DataFrame:
    """The distinct (picture, distractor) pairs of a picture–word trial list, with their
    item ids and conditions; nonword distractors are left out (they have no meaning)."""
    for column in ("picture", "distractor"):
        if column not in trial_list.columns:
            raise ModelInputError(f"picture-word trial list lacks column {column}")
    frame = trial_list
    if "condition" in frame.columns:
        frame = frame[frame["condition"] != "nonword"]
    frame = frame.dropna(subset=["picture", "distractor"])
    frame = frame[(frame["picture"].astype(str) != "") & (frame["distractor"].astype(str) != "")]
    columns = [c for c in ("item_id", "condition", "language") if c in frame.columns]
    out = frame[["picture", "distractor", *columns]].drop_duplicates(["picture", "distractor"])
    return out.rename(columns={"picture": "word_a", "distractor": "word_b"}).reset_index(drop=True)


def picture_distractor_relatedness(trial_list: pd.DataFrame, **options) -> dict[tuple[str, str], float]:
    """``{(picture, distractor): cosine}`` for a picture–word trial list (nonwords left out)."""
    pairs = picture_distractor_pairs(trial_list)
    if "language" in pairs.columns and "language" not in options and pairs["language"].nunique() == 1:
        options["language"] = str(pairs["language"].iloc[0])
    frame = pair_relatedness(pairs, where="picture-word trial list", **options)
    return {(a, b): float(r) for a, b, r in zip(frame["word_a"], frame["word_b"], frame["relatedness"])}


def category_member_pairs(trial_list: pd.DataFrame) -> pd.DataFrame:
    """Every ordered pair of distinct pictures that share a category (continuous naming;
    fillers, which have no category, are left out)."""
    for column in ("picture", "category"):
        if column not in trial_list.columns:
            raise ModelInputError(f"continuous-naming trial list lacks column {column}")
    frame = trial_list
    if "condition" in frame.columns:
        frame = frame[frame["condition"] != "filler"]
    frame = frame.dropna(subset=["picture", "category"])
    frame = frame[frame["category"].astype(str) != ""]
    rows = []
    for category, members in frame.groupby("category", sort=True):
        names = list(dict.fromkeys(members["picture"].astype(str)))
        for a, b in itertools.permutations(names, 2):
            rows.append({"word_a": a, "word_b": b, "category": category})
    if not rows:
        raise ModelInputError("continuous-naming trial list has no category with two members")
    return pd.DataFrame(rows)


def category_member_relatedness(trial_list: pd.DataFrame, **options) -> dict[tuple[str, str], float]:
    """``{(member_a, member_b): cosine}`` for all pairs of co-members (both orders)."""
    pairs = category_member_pairs(trial_list)
    if "language" in trial_list.columns and "language" not in options and trial_list["language"].nunique() == 1:
        options["language"] = str(trial_list["language"].iloc[0])
    frame = pair_relatedness(pairs, where="continuous-naming trial list", **options)
    return {(a, b): float(r) for a, b, r in zip(frame["word_a"], frame["word_b"], frame["relatedness"])}


def covariate_rows(frame: pd.DataFrame, *, stimulus_set: str, stimulus_set_hash: str,
                   name: str = COVARIATE_NAME) -> list[dict]:
    """Rows for ``Store.put_item_covariates`` from a ``pair_relatedness`` result with ``item_id``
    (covariate ``name``) or from a ``stimulus_set_relatedness`` result (its own names).

    ``source`` is ``embedding:<backend>:<model>`` so relatedness from different backends sits
    side by side; ``details`` keeps the words and any OOV word.
    """
    if "item_id" not in frame.columns:
        raise ModelInputError("storing relatedness per item needs an item_id column in the word pairs")
    per_set = "value" in frame.columns and "name" in frame.columns
    rows = []
    for _, row in frame.iterrows():
        value = float(row["value"] if per_set else row["relatedness"])
        details = ({"word": row["word_a"], "pairs": row["pairs"]} if per_set
                   else {"word_a": row["word_a"], "word_b": row["word_b"]})
        details["oov"] = row["oov"] or None
        rows.append({
            "stimulus_set": stimulus_set, "stimulus_set_hash": stimulus_set_hash,
            "item_id": str(row["item_id"]), "name": row["name"] if per_set else name,
            "value": value if np.isfinite(value) else None,
            "source": f"embedding:{row['backend']}:{row['model_name']}",
            "details": details,
        })
    return rows


def stimulus_set_relatedness(trial_list: pd.DataFrame, **options) -> pd.DataFrame:
    """Per-item relatedness covariates of a picture–word or continuous-naming trial list.

    Picture–word: for each picture (``item_id``) and distractor condition, the mean cosine of
    the picture name with its distractors of that condition — covariate names
    ``relatedness_related``, ``relatedness_unrelated`` (``identical`` and ``nonword`` are left
    out). Continuous naming: for each experimental picture, the mean cosine with the other
    members of its category — ``relatedness_category``. Returns columns item_id, name, value,
    pairs (``{other word: cosine}``), oov, backend, model_name.
    """
    task = str(trial_list["task"].iloc[0]) if "task" in trial_list.columns and len(trial_list) else ""
    language = options.pop("language", None)
    if language is None and "language" in trial_list.columns and trial_list["language"].nunique() == 1:
        language = str(trial_list["language"].iloc[0])
    if task == "picture-word":
        for column in ("item_id", "picture", "distractor", "condition"):
            if column not in trial_list.columns:
                raise ModelInputError(f"picture-word trial list lacks column {column}")
        chosen = trial_list[trial_list["condition"].isin(["related", "unrelated"])]
        pairs = (chosen[["item_id", "picture", "distractor", "condition"]].drop_duplicates()
                 .rename(columns={"picture": "word_a", "distractor": "word_b"}))
        pairs["name"] = "relatedness_" + pairs["condition"].astype(str)
    elif task == "continuous-naming":
        pairs = category_member_pairs(trial_list)
        item_of: dict[str, str] = {}
        if "item_id" in trial_list.columns:
            for picture, item_id in zip(trial_list["picture"], trial_list["item_id"]):
                item_of.setdefault(str(picture), str(item_id))
        pairs["item_id"] = [item_of.get(word, word) for word in pairs["word_a"]]
        pairs["name"] = "relatedness_category"
    else:
        raise ModelInputError(f"relatedness covariates are for picture-word and continuous-naming "
                              f"trial lists, not {task or 'a list without a task column'}")
    if pairs.empty:
        raise ModelInputError(f"{task} trial list has no word pairs to relate")
    scored = pair_relatedness(pairs.reset_index(drop=True), language=language, where=f"{task} trial list",
                              **options)
    rows = []
    for (item_id, name), group in scored.groupby(["item_id", "name"], sort=True):
        values = group["relatedness"].to_numpy(dtype=float)
        finite = values[np.isfinite(values)]
        rows.append({
            "item_id": str(item_id), "name": name,
            "value": float(finite.mean()) if len(finite) else np.nan,
            "pairs": {b: (round(float(v), 6) if np.isfinite(v) else None)
                      for b, v in zip(group["word_b"], values)},
            "oov": ", ".join(sorted({w for cell in group["oov"] for w in cell.split(", ") if w})),
            "backend": group["backend"].iloc[0], "model_name": group["model_name"].iloc[0],
            "word_a": group["word_a"].iloc[0],
        })
    return pd.DataFrame(rows)
