"""Embedding model of semantic association (Pyramids-and-Palm-Trees-style choices).

The trial list people see goes in unchanged: for each trial the target and each choice are
embedded (``models.embeddings``), and

* the model's choice is the option with the highest cosine to the target;
* choice probabilities are a softmax of the cosines, ``p_j ∝ exp(cos_j / temperature)``;
  ``fit`` sets the temperature by maximum likelihood of the human choices;
* the RT comes from the choice margin (highest minus second-highest cosine: how clearly the
  evidence favours the winner): ``rt_ms = rt_intercept_ms + rt_slope_ms · margin`` plus
  Gaussian trial noise of ``rt_noise_sd_ms``; ``fit`` sets intercept and slope by least
  squares on the human item mean RTs (correct trials) and reports r and RMSE;
* each simulated agent samples its choice from the probabilities (seeded: same seed, same
  rows).

Picture items enter through their names in the stimulus set. Texts a word-vector backend
has no vector for are listed in ``extras["oov"]``; a trial left with fewer than two scorable
choices gets no response (``response`` None, ``extras["scored"]`` False) instead of a guess
dressed up as a model answer.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from models.base import Model, ModelInputError
from models.embeddings.association import AssociationScores, score_association
from models.embeddings.backend import normalise_text
from models.embeddings.cache import EmbeddingCache

#: Human RTs used by ``fit`` (ms): outside this window a response is an anticipation or a lapse.
FIT_RT_WINDOW_MS = (200.0, 10000.0)
#: Simulated RTs are not shorter than this (ms).
MIN_RT_MS = 200.0


def choice_probabilities(cosines: np.ndarray, temperature: float) -> np.ndarray:
    """Softmax over each row's valid (non-NaN) cosines; 0 for absent or out-of-vocabulary choices."""
    if not temperature > 0:
        raise ModelInputError(f"temperature must be > 0, got {temperature}")
    valid = ~np.isnan(cosines)
    scaled = np.where(valid, cosines / temperature, -np.inf)
    top = np.max(np.where(valid, scaled, -np.inf), axis=1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    weights = np.where(valid, np.exp(scaled - top), 0.0)
    totals = weights.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, weights / totals, 0.0)


class EmbeddingModel(Model):
    """Association choices and RTs from embedding cosines (see module docstring)."""

    name = "embedding"
    version = "1.0"
    tasks = ("association",)
    summary = ("semantic association (PPT-style) from embedding cosines: sentence-transformers, "
               "USE multilingual, chiVe, GloVe; offline; English and Japanese")
    #: Fittable parameters (lower, upper, plausible lower, plausible upper); see
    #: ``models.likelihood.embedding`` and docs/models/fitting.md.
    free_parameters = {"temperature": (0.002, 2.0, 0.01, 0.2),
                       "rt_intercept_ms": (0.0, 8000.0, 800.0, 2500.0),
                       "rt_slope_ms": (-20000.0, 20000.0, -4000.0, 0.0)}
    default_free = ("temperature", "rt_intercept_ms", "rt_slope_ms", "residual_sd_ms",
                    "residual_tau_ms")

    def __init__(self, backend: str = "auto", model_name: str | None = None,
                 temperature: float = 0.05, rt_intercept_ms: float = 1800.0,
                 rt_slope_ms: float = -2000.0, rt_noise_sd_ms: float = 250.0,
                 text_template: str = "{text}", force_language: bool = False,
                 store_url: str | None = None):
        """
        backend: ``auto`` (the default backend for each trial's language),
            ``sentence-transformers``, ``use-multilingual``, ``chive`` or ``glove``.
        model_name: the backend's model (None: its offline default); for sentence-transformers
            any model name or folder.
        temperature: softmax temperature over cosines (fitted by ``fit``; no published value).
        rt_intercept_ms, rt_slope_ms: RT = intercept + slope · margin (fitted by ``fit``; the
            defaults are placeholders of the right order for word PPT, not published values).
        rt_noise_sd_ms: SD of the Gaussian trial-to-trial RT noise (fitted by ``fit``).
        text_template: how a word is put to a sentence encoder (``{text}`` = the word).
        force_language: skip the language guard (e.g. an English-only model on Japanese).
        store_url: database whose ``embedding_cache`` to use when ``use_store`` is not called.
        """
        self.backend = backend
        self.model_name = model_name
        self.temperature = float(temperature)
        self.rt_intercept_ms = float(rt_intercept_ms)
        self.rt_slope_ms = float(rt_slope_ms)
        self.rt_noise_sd_ms = float(rt_noise_sd_ms)
        self.text_template = text_template
        self.force_language = _as_bool(force_language)
        self.store_url = store_url
        self._cache: EmbeddingCache | None = None

    # ------------------------------------------------------------------ embedding cache
    def use_store(self, store) -> "EmbeddingModel":
        """Cache embeddings in ``store``'s ``embedding_cache`` table (the CLI calls this)."""
        self._cache = EmbeddingCache(store)
        return self

    @property
    def cache(self) -> EmbeddingCache:
        if self._cache is None:
            store = None
            if self.store_url:
                from db.store import Store

                store = Store(self.store_url)
            self._cache = EmbeddingCache(store)
        return self._cache

    # ------------------------------------------------------------------ scores
    def score(self, trials: pd.DataFrame) -> AssociationScores:
        """Cosines of each trial's target with its choices (no sampling)."""
        self.check_task(trials)
        return score_association(trials, backend=self.backend, model_name=self.model_name,
                                 cache=self.cache, force_language=self.force_language,
                                 text_template=self.text_template)

    def item_table(self, trials: pd.DataFrame) -> pd.DataFrame:
        """One row per trial: target, the model's choice, whether it is the answer, margin, OOV."""
        scores = self.score(trials)
        trials = trials.reset_index(drop=True)
        best = scores.best_index
        return pd.DataFrame({
            "item_id": trials.get("item_id", pd.Series(range(len(trials)))).astype(str),
            "target": trials["target"],
            "answer": trials.get("expected_response"),
            "model_choice": [c[b] if b >= 0 else None for c, b in zip(scores.choices, best)],
            "correct": np.where(scores.scorable, scores.model_correct, None),
            "expected_correct": scores.expected_correct,
            "n_tied_best": np.where(scores.scorable, scores.is_best.sum(axis=1), 0),
            "margin": scores.margin,
            "cosines": [dict(zip(c, np.round(row[:len(c)], 4).tolist())) for c, row in
                        zip(scores.choices, scores.cosines)],
            "oov": scores.oov,
            "backend": scores.backend,
            "model_name": scores.model_name,
        })

    # ------------------------------------------------------------------ simulate
    def simulate(self, trials: pd.DataFrame, n: int = 1, seed: int | None = None) -> pd.DataFrame:
        """``n`` simulated agents answer every trial; input columns + response, correct, rt_ms…"""
        if int(n) < 1:
            raise ModelInputError(f"model embedding: n must be at least 1, got {n}")
        n = int(n)
        trials = trials.reset_index(drop=True)
        scores = self.score(trials)
        probabilities = choice_probabilities(scores.cosines, self.temperature)
        margin = scores.margin
        scorable = scores.scorable
        rng = np.random.default_rng(seed)
        n_trials = len(trials)
        draws = rng.random((n, n_trials))
        cumulative = np.cumsum(probabilities, axis=1)
        chosen = (draws[:, :, None] > cumulative[None, :, :]).sum(axis=2)
        chosen = np.minimum(chosen, probabilities.shape[1] - 1)
        noise = rng.standard_normal((n, n_trials)) * self.rt_noise_sd_ms
        rt_ms = np.maximum(self.rt_intercept_ms + self.rt_slope_ms * margin[None, :] + noise, MIN_RT_MS)
        rt_ms = np.where(scorable[None, :], rt_ms, np.nan)

        choice_texts = scores.choices
        base_extras = [self._trial_extras(scores, probabilities, i) for i in range(n_trials)]
        frames = []
        for agent in range(n):
            frame = trials.copy()
            responses = [choice_texts[i][chosen[agent, i]] if scorable[i] else None
                         for i in range(n_trials)]
            frame["response"] = responses
            frame["correct"] = [
                (normalise_text(r) == normalise_text(str(e))) if r is not None else None
                for r, e in zip(responses, trials.get("expected_response", [None] * n_trials))]
            frame["rt_ms"] = rt_ms[agent]
            frame["source"] = f"model:{self.name}"
            frame["agent"] = f"sim-{agent + 1:03d}"
            frame["extras"] = [dict(extras) for extras in base_extras]
            frames.append(frame)
        return pd.concat(frames, ignore_index=True)

    def _trial_extras(self, scores: AssociationScores, probabilities: np.ndarray, i: int) -> dict[str, Any]:
        choices = scores.choices[i]
        cosines = scores.cosines[i, :len(choices)]
        best = scores.best_index[i]
        return {
            "backend": scores.backend[i],
            "model_name": scores.model_name[i],
            "cosines": {c: _finite(v) for c, v in zip(choices, cosines)},
            "margin": _finite(scores.margin[i]),
            "choice_probabilities": {c: round(float(p), 6) for c, p in
                                     zip(choices, probabilities[i, :len(choices)])},
            "model_choice": choices[best] if best >= 0 else None,
            "oov": list(scores.oov[i]),
            "scored": bool(scores.scorable[i]),
            "temperature": self.temperature,
        }

    # ------------------------------------------------------------------ fit
    def fit(self, human_trials: pd.DataFrame) -> dict[str, Any]:
        """Fit the temperature to human choices and the margin→RT line to human item RTs.

        Returns the fitted values with goodness of fit: ``log_likelihood`` per choice trial,
        ``agreement`` (model's best choice = human choice), ``r`` and ``rmse_ms`` of the item
        mean RTs (correct trials, RT within ``FIT_RT_WINDOW_MS``).
        """
        from scipy.optimize import minimize_scalar

        if human_trials is None or len(human_trials) == 0:
            raise ModelInputError("model embedding: no human association trials to fit "
                                  "(run the association experiment or import data first)")
        trials = human_trials
        if "task" in trials.columns:
            trials = trials[trials["task"] == "association"]
        if "is_practice" in trials.columns:
            trials = trials[~trials["is_practice"].fillna(False).astype(bool)]
        trials = trials.reset_index(drop=True)
        if len(trials) == 0:
            raise ModelInputError("model embedding: no non-practice human association trials to fit")
        scores = self.score(trials)
        human_index = _human_choice_index(trials, scores)
        usable = (human_index >= 0) & scores.scorable
        usable &= np.take_along_axis(scores.valid, np.maximum(human_index, 0)[:, None], axis=1)[:, 0]
        if usable.sum() == 0:
            raise ModelInputError("model embedding: no human trial has a response that is one of "
                                  "its choices (columns response / correct)")
        cosines = scores.cosines[usable]
        picked = human_index[usable]

        def negative_log_likelihood(log_temperature: float) -> float:
            p = choice_probabilities(cosines, float(np.exp(log_temperature)))
            return -float(np.sum(np.log(np.clip(p[np.arange(len(picked)), picked], 1e-300, None))))

        result = minimize_scalar(negative_log_likelihood, bounds=(np.log(1e-3), np.log(10.0)),
                                 method="bounded", options={"xatol": 1e-6})
        self.temperature = float(np.exp(result.x))
        fitted: dict[str, Any] = {
            "backend": sorted(set(scores.backend)),
            "model_name": sorted(set(scores.model_name)),
            "temperature": self.temperature,
            "n_choice_trials": int(usable.sum()),
            "log_likelihood": -float(result.fun),
            "log_likelihood_per_trial": -float(result.fun) / int(usable.sum()),
            "agreement": float(np.mean(scores.best_index[usable] == picked)),
            "model_accuracy": scores.accuracy(),
            "oov": sorted({t for texts in scores.oov for t in texts}),
        }
        fitted.update(self._fit_rt(trials, scores))
        return fitted

    def _fit_rt(self, trials: pd.DataFrame, scores: AssociationScores) -> dict[str, Any]:
        if "rt_ms" not in trials.columns:
            return {"rt_fit": "no rt_ms column"}
        rt = pd.to_numeric(trials["rt_ms"], errors="coerce").to_numpy(dtype=float)
        correct = trials["correct"].map(lambda v: v is True or v == 1 or v == "True") \
            if "correct" in trials.columns else pd.Series(True, index=trials.index)
        keep = (correct.to_numpy(dtype=bool) & np.isfinite(rt) & scores.scorable
                & (rt >= FIT_RT_WINDOW_MS[0]) & (rt <= FIT_RT_WINDOW_MS[1]))
        item = trials["item_id"].astype(str) if "item_id" in trials.columns else trials["target"]
        language = trials["language"].astype(str) if "language" in trials.columns else ""
        frame = pd.DataFrame({"item": item, "language": language, "rt_ms": rt,
                              "margin": scores.margin})[keep]
        if frame.empty:
            return {"rt_fit": "no correct human trials with an RT"}
        items = frame.groupby(["language", "item"]).agg(rt_ms=("rt_ms", "mean"), margin=("margin", "first"),
                                                        n=("rt_ms", "size"))
        if len(items) < 3 or np.ptp(items["margin"]) == 0:
            return {"rt_fit": f"too few items with distinct margins ({len(items)})"}
        slope, intercept = np.polyfit(items["margin"], items["rt_ms"], 1)
        predicted = intercept + slope * items["margin"]
        residual_trials = frame["rt_ms"] - (intercept + slope * frame["margin"])
        self.rt_intercept_ms = float(intercept)
        self.rt_slope_ms = float(slope)
        self.rt_noise_sd_ms = float(np.std(residual_trials, ddof=2)) if len(frame) > 2 else 0.0
        return {
            "rt_intercept_ms": self.rt_intercept_ms,
            "rt_slope_ms": self.rt_slope_ms,
            "rt_noise_sd_ms": self.rt_noise_sd_ms,
            "r": float(np.corrcoef(items["margin"], items["rt_ms"])[0, 1]),
            "rmse_ms": float(np.sqrt(np.mean((items["rt_ms"] - predicted) ** 2))),
            "n_rt_items": int(len(items)),
            "n_rt_trials": int(len(frame)),
        }


def _human_choice_index(trials: pd.DataFrame, scores: AssociationScores) -> np.ndarray:
    """Index of each human response among the trial's choices (-1: unknown).

    From ``response`` when it is one of the choices; else from ``correct`` (the answer if
    correct; the other option of a 2-choice trial if not).
    """
    responses = trials["response"] if "response" in trials.columns else [None] * len(trials)
    corrects = trials["correct"] if "correct" in trials.columns else [None] * len(trials)
    index = np.full(len(trials), -1)
    for i, (response, correct) in enumerate(zip(responses, corrects)):
        options = [normalise_text(c) for c in scores.choices[i]]
        if isinstance(response, str) and normalise_text(response) in options:
            index[i] = options.index(normalise_text(response))
        elif scores.answer_index[i] >= 0 and correct is not None and not pd.isna(correct):
            if bool(correct):
                index[i] = scores.answer_index[i]
            elif len(options) == 2:
                index[i] = 1 - scores.answer_index[i]
    return index


def _finite(value: float) -> float | None:
    return round(float(value), 6) if np.isfinite(value) else None


def _as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)
