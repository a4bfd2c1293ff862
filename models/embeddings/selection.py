"""Which embedding backend answers association trials in each language: chosen by k-fold
cross-validation on items the tests never check.

Why: a default chosen on the items it is then scored on is an in-sample number (the earlier
defaults were picked from their accuracy on the whole bundled sets). Here the items of each
language's bundled association set are split once, by a salted hash of the item id, into

* **held-out items** (about a quarter, plus every item a test checks by name: the Sato 2022
  course items ja-001–ja-003 and the Howard & Patterson example en-001): never used to choose;
  the tests check the chosen default on these only;
* **selection items** (the rest), split into ``k`` disjoint folds.

Every backend that reads the language (each single backend and each pair ``A+B``) is scored on
each fold after fitting the softmax temperature on the other folds (maximum likelihood of the
answer key, ``models.likelihood.embedding.choice_loglik``): held-out choice accuracy (a tie of
j options including the answer counts 1/j; an item the backend cannot score counts as a guess)
and held-out choice log-likelihood per item. The best backend per language is the one with the
highest cross-validated accuracy, ties broken by cross-validated log-likelihood. The table is
written by ``scripts/select_embedding_backend.py`` to ``backend_selection.json`` beside this
module, and ``models.embeddings.registry`` reads the ``auto`` default of each language from it.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from models.base import ModelInputError

#: The recorded selection (written by scripts/select_embedding_backend.py).
SELECTION_FILE = Path(__file__).with_name("backend_selection.json")
#: The bundled association set of each language.
SETS: dict[str, str] = {"en": "association-en", "ja": "association-ja"}
N_FOLDS = 5
HELD_OUT_FRACTION = 0.25
#: Salt of the item hash: changing it draws a new split (and needs a new selection).
SPLIT_SALT = "mirrorlab backend selection v1"
#: Items some test checks by name: always held out, never used to choose.
ALWAYS_HELD_OUT: dict[str, tuple[str, ...]] = {"en": ("en-001",),
                                                "ja": ("ja-001", "ja-002", "ja-003")}
#: Lapse rate mixed into the choice likelihood (the trial likelihood's default).
LAPSE_RATE = 0.02
RULE = ("highest cross-validated choice accuracy over the selection items; ties broken by "
        "cross-validated choice log-likelihood per item")


@dataclass(frozen=True)
class ItemSplit:
    """Disjoint item sets of one language: held out (never used to choose) and the folds."""

    language: str
    held_out: tuple[str, ...]
    folds: tuple[tuple[str, ...], ...]

    @property
    def selection(self) -> tuple[str, ...]:
        return tuple(item for fold in self.folds for item in fold)


def _item_rank(item_id: str) -> int:
    return int(hashlib.sha256(f"{SPLIT_SALT}|{item_id}".encode()).hexdigest(), 16)


def split_items(item_ids, language: str, k: int = N_FOLDS,
                held_out_fraction: float = HELD_OUT_FRACTION) -> ItemSplit:
    """Held-out items (the named ones, then the lowest hashes up to ``held_out_fraction``) and
    ``k`` folds of the rest (dealt in hash order), all disjoint; same ids, same split."""
    ids = sorted(dict.fromkeys(str(i) for i in item_ids))
    if int(k) < 2:
        raise ModelInputError(f"backend selection needs at least 2 folds, got {k}")
    named = [i for i in ALWAYS_HELD_OUT.get(language, ()) if i in ids]
    ranked = sorted((i for i in ids if i not in named), key=_item_rank)
    n_held = max(len(named), int(round(held_out_fraction * len(ids))))
    held_out = named + ranked[:n_held - len(named)]
    rest = ranked[n_held - len(named):]
    if len(rest) < int(k):
        raise ModelInputError(f"backend selection for {language}: {len(rest)} selection items "
                              f"cannot make {k} folds")
    folds = tuple(tuple(sorted(rest[f::int(k)])) for f in range(int(k)))
    return ItemSplit(language, tuple(sorted(held_out)), folds)


def candidate_backends(language: str) -> list[str]:
    """Every single backend that reads ``language`` and every pair of them (``A+B``, parts in
    alphabetical order)."""
    from models.embeddings.registry import backends_for_language

    singles = sorted(backends_for_language(language))
    pairs = ["+".join(pair) for pair in itertools.combinations(singles, 2)]
    return singles + pairs


def association_items(language: str) -> pd.DataFrame:
    """The bundled set's experimental items as a trial list (practice left out), by item id."""
    from stimuli import load_set

    if language not in SETS:
        raise ModelInputError(f"no bundled association set for language {language!r}; "
                              f"known: {', '.join(SETS)}")
    trials = load_set(SETS[language]).trial_list(seed=0, include_practice=False)
    trials = trials[~trials["is_practice"].astype(bool)]
    return trials.sort_values("item_id").reset_index(drop=True)


@dataclass
class BackendScores:
    """Per item: cosines, the answer's index, accuracy (ties 1/j, unscorable: a guess)."""

    item_ids: np.ndarray
    cosines: np.ndarray
    answer: np.ndarray
    n_options: np.ndarray
    accuracy: np.ndarray
    n_unscorable: int


def backend_scores(trials: pd.DataFrame, backend: str, cache=None) -> BackendScores:
    from models.embeddings.association import score_association

    scores = score_association(trials, backend=backend, cache=cache)
    n_options = np.array([len(c) for c in scores.choices], dtype=float)
    accuracy = np.where(np.isnan(scores.expected_correct), 1.0 / n_options, scores.expected_correct)
    return BackendScores(trials["item_id"].astype(str).to_numpy(), scores.cosines,
                         scores.answer_index, n_options, accuracy,
                         int((~scores.scorable).sum()))


def choice_loglik_of(scores: BackendScores, rows: np.ndarray, temperature: float) -> np.ndarray:
    from models.likelihood.embedding import choice_loglik

    return choice_loglik(scores.cosines[rows], scores.answer[rows], temperature,
                         lapse_rate=LAPSE_RATE, n_options=scores.n_options[rows])


def fit_temperature(scores: BackendScores, rows: np.ndarray) -> float:
    """Maximum-likelihood temperature of the answer choices on ``rows`` (bounded 1-D search
    over log temperature within the embedding model's hard bounds)."""
    from scipy.optimize import minimize_scalar

    from models.embeddings.model import EmbeddingModel

    lower, upper = EmbeddingModel.free_parameters["temperature"][:2]
    result = minimize_scalar(lambda log_t: -float(np.sum(choice_loglik_of(scores, rows, np.exp(log_t)))),
                             bounds=(np.log(lower), np.log(upper)), method="bounded",
                             options={"xatol": 1e-5})
    return float(np.exp(result.x))


def cross_validate(scores: BackendScores, split: ItemSplit) -> dict[str, Any]:
    """Held-out accuracy and log-likelihood per fold (temperature fitted on the other folds),
    pooled over the selection items; and, for information only, the held-out items' numbers
    with the temperature fitted on all selection items."""
    row_of = {item: i for i, item in enumerate(scores.item_ids)}
    fold_rows = [np.array([row_of[i] for i in fold]) for fold in split.folds]
    accuracy, loglik, folds = [], [], []
    for f, test_rows in enumerate(fold_rows):
        train_rows = np.concatenate([rows for g, rows in enumerate(fold_rows) if g != f])
        temperature = fit_temperature(scores, train_rows)
        fold_accuracy = scores.accuracy[test_rows]
        fold_loglik = choice_loglik_of(scores, test_rows, temperature)
        accuracy.append(fold_accuracy)
        loglik.append(fold_loglik)
        folds.append({"n_items": int(len(test_rows)), "temperature": round(temperature, 6),
                      "accuracy": round(float(fold_accuracy.mean()), 6),
                      "loglik_per_item": round(float(fold_loglik.mean()), 6)})
    selection_rows = np.concatenate(fold_rows)
    held_rows = np.array([row_of[i] for i in split.held_out])
    temperature_all = fit_temperature(scores, selection_rows)
    return {
        "cv_accuracy": round(float(np.concatenate(accuracy).mean()), 6),
        "cv_loglik_per_item": round(float(np.concatenate(loglik).mean()), 6),
        "folds": folds,
        "n_unscorable_items": scores.n_unscorable,
        "temperature_all_selection_items": round(temperature_all, 6),
        "held_out_accuracy": round(float(scores.accuracy[held_rows].mean()), 6),
        "held_out_loglik_per_item": round(float(choice_loglik_of(scores, held_rows,
                                                                 temperature_all).mean()), 6),
    }


def best_backend(results: dict[str, dict[str, Any]]) -> str:
    """The winner under :data:`RULE`."""
    return max(results, key=lambda name: (results[name]["cv_accuracy"],
                                          results[name]["cv_loglik_per_item"]))


def select_backends(languages=tuple(SETS), *, k: int = N_FOLDS, cache=None,
                    progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """The whole selection table (what ``backend_selection.json`` holds)."""
    from models.embeddings.cache import EmbeddingCache
    from stimuli import load_set

    cache = cache or EmbeddingCache()
    table: dict[str, Any] = {"rule": RULE, "n_folds": int(k), "held_out_fraction": HELD_OUT_FRACTION,
                             "split_salt": SPLIT_SALT, "lapse_rate": LAPSE_RATE,
                             "defaults": {}, "languages": {}}
    for language in languages:
        trials = association_items(language)
        split = split_items(trials["item_id"], language, k)
        results: dict[str, dict[str, Any]] = {}
        for backend in candidate_backends(language):
            if progress:
                progress(f"{language}: {backend}")
            scores = backend_scores(trials, backend, cache)
            results[backend] = cross_validate(scores, split)
        winner = best_backend(results)
        table["defaults"][language] = winner
        stimulus_set = load_set(SETS[language])
        table["languages"][language] = {
            "stimulus_set": stimulus_set.name, "stimulus_set_hash": stimulus_set.hash,
            "held_out_items": list(split.held_out), "folds": [list(f) for f in split.folds],
            "selected": winner, "backends": results}
    return table


def write_selection(table: dict[str, Any], path: Path | str = SELECTION_FILE) -> Path:
    path = Path(path)
    partial = path.with_suffix(".json.part")
    partial.write_text(json.dumps(table, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    partial.replace(path)
    return path


def load_selection(path: Path | str = SELECTION_FILE) -> dict[str, Any]:
    """The recorded selection; a missing or malformed file is a one-line ``ModelInputError``."""
    path = Path(path)
    try:
        table = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelInputError(f"{path}: no embedding backend selection (run "
                              "scripts/select_embedding_backend.py)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelInputError(f"{path}: unreadable embedding backend selection ({exc})") from None
    defaults = table.get("defaults") if isinstance(table, dict) else None
    if not isinstance(defaults, dict) or not all(isinstance(v, str) for v in defaults.values()):
        raise ModelInputError(f"{path}: embedding backend selection has no 'defaults' "
                              "{language: backend} table")
    return table


def held_out_items(language: str, path: Path | str = SELECTION_FILE) -> list[str]:
    """The item ids of ``language`` that did not take part in choosing its default."""
    return list(load_selection(path)["languages"][language]["held_out_items"])
