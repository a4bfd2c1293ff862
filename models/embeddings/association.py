"""Cosines between each association target and its choices, for a whole trial list at once.

This is the semantic part of the association model, kept apart from the choice/RT part in
``models.embeddings.model`` so that the same scores serve simulation, fitting and reports. Every
distinct text is encoded once (through the cache), then cosines are one vectorised
operation over trials × choices.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from models.base import ModelInputError
from models.embeddings.backend import normalise_text
from models.embeddings.cache import EmbeddingCache, cosine_rows
from models.embeddings.language import detect_language
from models.embeddings.registry import get_backend, resolve_backend_name

REQUIRED_COLUMNS = ("target", "choices")


@dataclass
class AssociationScores:
    """Cosines of a trial list's targets with their choices (rows = trials, in order)."""

    #: choice texts per trial (2 or 4)
    choices: list[list[str]]
    #: (n_trials, max_choices) cosines; NaN where a choice is absent or has no vector
    cosines: np.ndarray
    #: index of the expected response among the choices, -1 when it is not one of them
    answer_index: np.ndarray
    backend: list[str] = field(default_factory=list)
    model_name: list[str] = field(default_factory=list)
    #: texts of each trial with no vector (target or choices), for reports
    oov: list[list[str]] = field(default_factory=list)

    @property
    def valid(self) -> np.ndarray:
        """Choices that exist and have a cosine."""
        return ~np.isnan(self.cosines)

    @property
    def scorable(self) -> np.ndarray:
        """Trials with at least two choices that have a cosine (so a choice can be made)."""
        return self.valid.sum(axis=1) >= 2

    @property
    def best_index(self) -> np.ndarray:
        """The choice with the highest cosine (-1 where the trial is not scorable)."""
        filled = np.where(self.valid, self.cosines, -np.inf)
        return np.where(self.scorable, filled.argmax(axis=1), -1)

    @property
    def margin(self) -> np.ndarray:
        """Highest minus second-highest cosine (NaN where the trial is not scorable)."""
        filled = np.sort(np.where(self.valid, self.cosines, -np.inf), axis=1)
        with np.errstate(invalid="ignore"):
            margin = filled[:, -1] - filled[:, -2]
        return np.where(self.scorable, margin, np.nan)

    @property
    def is_best(self) -> np.ndarray:
        """(n_trials, max_choices) True for every choice tied at the highest cosine.

        Ties are real in the pruned chiVe table of ja_ginza, where words outside the 20,000
        kept vectors share the row of their nearest kept word (門松 and 雛人形).
        """
        filled = np.where(self.valid, self.cosines, -np.inf)
        top = filled.max(axis=1, keepdims=True)
        gap = np.where(self.valid & np.isfinite(top), top - np.where(self.valid, self.cosines, 0.0), np.inf)
        return self.valid & (gap <= 1e-6) & self.scorable[:, None]

    @property
    def model_correct(self) -> np.ndarray:
        """The answer is the model's (first) best choice."""
        return (self.best_index == self.answer_index) & (self.answer_index >= 0)

    @property
    def expected_correct(self) -> np.ndarray:
        """Accuracy of the best choice with ties broken at random: 1/k if the answer is one of
        k tied best choices, else 0 (NaN where the trial is not scorable)."""
        best = self.is_best
        n_best = best.sum(axis=1)
        answer_is_best = np.take_along_axis(best, np.maximum(self.answer_index, 0)[:, None], axis=1)[:, 0]
        answer_is_best &= self.answer_index >= 0
        with np.errstate(invalid="ignore", divide="ignore"):
            value = np.where(answer_is_best, 1.0 / n_best, 0.0)
        return np.where(self.scorable, value, np.nan)

    def accuracy(self) -> float:
        """Mean ``expected_correct`` over scorable trials."""
        values = self.expected_correct
        values = values[~np.isnan(values)]
        return float(values.mean()) if len(values) else float("nan")


def parse_choices(value, where: str) -> list[str]:
    """A trial's ``choices`` as a list of strings (a list, a JSON list or ``a|b|c``)."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except json.JSONDecodeError:
                raise ModelInputError(f"{where}: choices {text!r} is not a JSON list") from None
        else:
            value = text.split("|")
    if value is None or (isinstance(value, float) and np.isnan(value)):
        raise ModelInputError(f"{where}: no choices")
    choices = [str(choice).strip() for choice in list(value)]
    if len(choices) < 2 or any(not choice for choice in choices):
        raise ModelInputError(f"{where}: needs at least 2 non-empty choices, got {choices!r}")
    return choices


def trial_language(row: pd.Series) -> str:
    """The trial's ``language`` column, else detected from the target's script."""
    language = row.get("language")
    if isinstance(language, str) and language.strip():
        return language.strip()
    return detect_language(row["target"])


def score_association(trials: pd.DataFrame, *, backend: str = "auto", model_name: str | None = None,
                      cache: EmbeddingCache | None = None, force_language: bool = False,
                      text_template: str = "{text}") -> AssociationScores:
    """Cosines of every target with each of its choices.

    ``backend="auto"`` picks each language's default backend (English and Japanese trials in
    one list each get theirs). ``text_template`` wraps each word before a *sentence* encoder
    sees it (e.g. ``"a picture of {text}"``); word vectors always get the bare word.
    """
    missing = [column for column in REQUIRED_COLUMNS if column not in trials.columns]
    if missing:
        raise ModelInputError(f"association trials lack column(s) {', '.join(missing)}; "
                              f"have {', '.join(map(str, trials.columns))}")
    if "{text}" not in text_template:
        raise ModelInputError(f"text_template {text_template!r} must contain {{text}}")
    cache = cache or EmbeddingCache()
    trials = trials.reset_index(drop=True)
    n_trials = len(trials)
    choices: list[list[str]] = []
    for index, row in trials.iterrows():
        where = f"trial {row.get('trial_index', index)} (item {row.get('item_id', '?')})"
        if not isinstance(row["target"], str) or not row["target"].strip():
            raise ModelInputError(f"{where}: empty target")
        choices.append(parse_choices(row["choices"], where))
    width = max(len(c) for c in choices)
    cosines = np.full((n_trials, width), np.nan)
    backends = [""] * n_trials
    model_names = [""] * n_trials
    oov: list[list[str]] = [[] for _ in range(n_trials)]
    languages = [trial_language(row) for _, row in trials.iterrows()]
    for language in dict.fromkeys(languages):
        rows = [i for i in range(n_trials) if languages[i] == language]
        encoder = get_backend(resolve_backend_name(backend, language), model_name)
        template = "{text}" if encoder.is_word_vectors else text_template
        words = [trials.at[i, "target"] for i in rows] + [c for i in rows for c in choices[i]]
        words = list(dict.fromkeys(normalise_text(w) for w in words))
        matrix = cache.vectors(encoder, [template.format(text=w) for w in words],
                               force_language=force_language, declared_languages=[language],
                               where=f"{language} association trials")
        vector_of = dict(zip(words, matrix))
        for i in rows:
            target = vector_of[normalise_text(trials.at[i, "target"])]
            options = np.stack([vector_of[normalise_text(c)] for c in choices[i]])
            cosines[i, :len(choices[i])] = cosine_rows(target[None, :], options)
            backends[i], model_names[i] = encoder.name, encoder.model_name
            texts = [trials.at[i, "target"], *choices[i]]
            oov[i] = [t for t in texts if np.isnan(vector_of[normalise_text(t)]).all()]
    if "expected_response" in trials.columns:
        answers = [normalise_text(a) if isinstance(a, str) else None for a in trials["expected_response"]]
    else:
        answers = [None] * n_trials
    answer_index = np.array([
        [normalise_text(c) for c in choices[i]].index(answers[i])
        if answers[i] in [normalise_text(c) for c in choices[i]] else -1
        for i in range(n_trials)])
    return AssociationScores(choices, cosines, answer_index, backends, model_names, oov)
