"""Concept–concept link weights for WEAVER++ from an embedding model's relatedness.

By default WEAVER++'s conceptual links follow the stimulus set's categories: weight 1 between
co-members of a category, none across categories. With ``link_weights="<backend>"`` (e.g.
``"glove"``, ``"sentence-transformers"``, ``"auto"``; see ``mirrorlab relatedness``) the weights
come from the cosine relatedness of the words instead:

    weight(a, b) = min(1, max(0, cos(a, b)) / mean cos over the same-category pairs of the list)

for pairs of the same category: a typical co-member keeps weight 1 (the published conceptual
rate), less related co-members get less. Two limits come from stability: the network of
picture, co-member and superordinate already has a growth factor of 0.966 per step at the
published rates, so (1) the published rate is the ceiling (weights above 1 gave 1.09 with GloVe
on the built-in G&D list: activation grows without bound) and (2) no links are created across
categories (an unrelated word linked to the picture with weight ≈ 0.3 gave 1.015). Cross-category
links can still be given explicitly as a dict; the model refuses any that explode. Pairs an embedding does not know (out of vocabulary) keep the category rule.
The embedding code is imported only here, only when asked for.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from models.base import ModelInputError


def _pairs(trials: pd.DataFrame, co_members: dict) -> tuple[list[tuple[str, str]], set]:
    """Word pairs whose concepts can meet in a trial network, and which of them are
    same-category pairs (the normalising set)."""
    pairs, same = [], set()
    for row in trials.to_dict("records"):
        task = str(row.get("task"))
        if task == "picture-word":
            picture = str(row.get("picture"))
            candidates = []
            if str(row.get("condition")) in ("related", "unrelated"):
                candidates.append((str(row.get("distractor")),
                                   str(row.get("condition")) == "related"))
            member = co_members.get(("picture-word", picture), "")
            if member and "~" not in member:
                candidates.append((member, True))
            for word, is_same in candidates:
                if word and word != picture:
                    pairs.append((picture, word))
                    if is_same:
                        same.add((picture, word))
        elif task == "stroop":
            ink = str(row.get("ink") or "")
            others = [str(row.get("word_colour") or ""),
                      co_members.get(("stroop", ink), "")]
            for colour in others:
                if ink and colour and colour != ink and "~" not in colour:
                    pairs.append((ink, colour))
                    same.add((ink, colour))
    return list(dict.fromkeys(pairs)), same


def relatedness_link_weights(trials: pd.DataFrame, backend: str, co_members: dict | None = None,
                             model: str = "weaver") -> dict[tuple[str, str], float]:
    """``{(a, b): weight}`` for the concept pairs a trial list can bring together."""
    from models.embeddings.relatedness import relatedness_lookup

    if "task" in trials.columns and (trials["task"] == "continuous-naming").any():
        from models.embeddings.relatedness import category_member_pairs

        frame = category_member_pairs(trials[trials["task"] == "continuous-naming"])
        pairs = list(zip(frame["word_a"].astype(str), frame["word_b"].astype(str)))
        same = set(pairs)
    else:
        pairs, same = _pairs(trials, co_members or {})
    if not pairs:
        return {}
    options = {"backend": backend}
    if "language" in trials.columns and trials["language"].nunique() == 1:
        options["language"] = str(trials["language"].iloc[0])
    try:
        cosine = relatedness_lookup(pairs, **options)
    except ModelInputError:
        raise
    except Exception as error:  # a backend that cannot load is the user's to fix
        raise ModelInputError(f"model {model}: relatedness backend {backend!r} failed: "
                              f"{str(error).splitlines()[0] if str(error) else type(error).__name__}")
    known = {pair: value for pair, value in cosine.items() if not math.isnan(value)}
    reference = [max(0.0, known[p]) for p in same if p in known]
    if not reference or np.mean(reference) <= 0:
        raise ModelInputError(f"model {model}: relatedness backend {backend!r} knows no "
                              "same-category pair of this trial list; cannot scale link weights")
    scale = float(np.mean(reference))
    return {pair: min(1.0, max(0.0, value) / scale) for pair, value in known.items()
            if pair in same}
