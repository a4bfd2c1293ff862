"""Embedding model of semantic association (Pyramids-and-Palm-Trees-style choices).

The trial list people see goes in unchanged: for each trial the target and each choice are
embedded (``models.embeddings``), and

* the model's choice is the option with the highest cosine to the target;
* choice probabilities are a softmax of the cosines, ``p_j ∝ exp(cos_j / temperature)``;
  ``fit`` fits the temperature by maximum likelihood of the human choices;
* the RT comes from the choice margin (highest minus second-highest cosine: how clearly the
  evidence favours the winner) through the shared line ``models.base.RTMapping``:
  ``rt_ms = intercept_ms + ms_per_unit · margin`` plus Gaussian trial noise of
  ``rt_noise_sd_ms``; ``fit`` sets intercept and slope by least squares on the human item
  mean RTs (the trials the analysis keeps for RTs) and reports r and RMSE;
* each simulated agent samples its choice from the probabilities (seeded: same seed, same
  rows). Fitted values go into ``fitted_``; the constructor's parameters stay as set.

Picture items enter through their names in the stimulus set. Texts a word-vector backend
has no vector for are listed in ``extras["oov"]``; a trial left with fewer than two scorable
choices gets no response (``response`` None, ``extras["scored"]`` False) instead of a guess
dressed up as a model answer.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from models.base import FitReport, Model, ModelInputError, fit_rt_mapping, rt_trials
from models.embeddings.association import AssociationScores, score_association
from models.embeddings.backend import normalise_text
from models.embeddings.cache import EmbeddingCache

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
    latency_unit = "margin"
    uses_store = True
    secret_params = ("store_url",)
    summary = ("semantic association (PPT-style) from embedding cosines: sentence-transformers, "
               "USE multilingual, chiVe, GloVe; offline; English and Japanese")
    #: Fittable parameters (lower, upper, plausible lower, plausible upper); see
    #: ``models.likelihood.embedding`` and docs/models/fitting.md.
    free_parameters = {"temperature": (0.002, 2.0, 0.01, 0.2),
                       "intercept_ms": (0.0, 8000.0, 800.0, 2500.0),
                       "ms_per_unit": (-20000.0, 20000.0, -4000.0, 0.0)}
    default_free = ("temperature", "intercept_ms", "ms_per_unit", "residual_sd_ms",
                    "residual_tau_ms")

    def __init__(self, backend: str = "auto", model_name: str | None = None,
                 temperature: float = 0.05, intercept_ms: float = 1800.0,
                 ms_per_unit: float = -2000.0, rt_noise_sd_ms: float = 250.0,
                 text_template: str = "{text}", force_language: bool = False,
                 store_url: str | None = None):
        """
        backend: ``auto`` (the default backend for each trial's language),
            ``sentence-transformers``, ``use-multilingual``, ``chive`` or ``glove``.
        model_name: the backend's model (None: its offline default); for sentence-transformers
            any model name or folder.
        temperature: softmax temperature over cosines (fitted by ``fit``; no published value).
        intercept_ms, ms_per_unit: RT = intercept_ms + ms_per_unit · margin (ms per unit of
            cosine margin; fitted by ``fit``; the defaults are placeholders of the right order
            for word PPT, not published values).
        rt_noise_sd_ms: SD of the Gaussian trial-to-trial RT noise (fitted by ``fit``).
        text_template: how a word is put to a sentence encoder (``{text}`` = the word).
        force_language: skip the language guard (e.g. an English-only model on Japanese).
        store_url: database whose ``embedding_cache`` to use when ``use_store`` is not called
            (recorded with its password redacted).
        """
        self.backend = backend
        self.model_name = model_name
        self.temperature = float(temperature)
        self.intercept_ms = float(intercept_ms)
        self.ms_per_unit = float(ms_per_unit)
        self.rt_noise_sd_ms = float(rt_noise_sd_ms)
        self.text_template = text_template
        self.force_language = _as_bool(force_language)
        self.store_url = store_url
        self._cache: EmbeddingCache | None = None
        self._cache_url: str | None = None
        self._store_given = False

    # ------------------------------------------------------------------ embedding cache
    def use_store(self, store) -> "EmbeddingModel":
        """Cache embeddings in ``store``'s ``embedding_cache`` table (the CLI calls this)."""
        self._cache = EmbeddingCache(store)
        self._store_given = True
        return self

    @property
    def cache(self) -> EmbeddingCache:
        """The store given to ``use_store``, else one for ``store_url`` (reopened when
        ``store_url`` changes), else an in-memory cache."""
        if self._store_given and self._cache is not None:
            return self._cache
        if self._cache is None or self._cache_url != self.store_url:
            store = None
            if self.store_url:
                from db.store import Store

                store = Store(self.store_url)
            self._cache = EmbeddingCache(store)
            self._cache_url = self.store_url
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
        """``n`` simulated agents answer every trial: shared rows (``Model.shared_rows``)."""
        if int(n) < 1:
            raise ModelInputError(f"model embedding: n must be at least 1, got {n}")
        n = int(n)
        trials = trials.reset_index(drop=True)
        scores = self.score(trials)
        probabilities = choice_probabilities(scores.cosines, float(self.param("temperature")))
        margin = scores.margin
        scorable = scores.scorable
        rng = np.random.default_rng(seed)
        n_trials = len(trials)
        draws = rng.random((n, n_trials))
        cumulative = np.cumsum(probabilities, axis=1)
        chosen = (draws[:, :, None] > cumulative[None, :, :]).sum(axis=2)
        chosen = np.minimum(chosen, probabilities.shape[1] - 1)
        noise = rng.standard_normal((n, n_trials)) * float(self.param("rt_noise_sd_ms"))
        rt_ms = np.maximum(self.rt_mapping().to_ms(margin[None, :]) + noise, MIN_RT_MS)
        rt_ms = np.where(scorable[None, :], rt_ms, np.nan)

        choice_texts = scores.choices
        base_extras = [self._trial_extras(scores, probabilities, i) for i in range(n_trials)]
        expected = trials["expected_response"].tolist() if "expected_response" in trials.columns \
            else [None] * n_trials
        responses, correct = [], []
        for agent in range(n):
            said = [choice_texts[i][chosen[agent, i]] if scorable[i] else None
                    for i in range(n_trials)]
            responses += said
            correct += [None if r is None or e is None or pd.isna(e)
                        else normalise_text(r) == normalise_text(str(e))
                        for r, e in zip(said, expected)]
        return self.shared_rows(trials, n, response=responses, correct=correct,
                                rt_ms=rt_ms.ravel().tolist(),
                                extras=[dict(extras) for _ in range(n) for extras in base_extras])

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
            "temperature": float(self.param("temperature")),
        }

    # ------------------------------------------------------------------ fit
    def fit(self, human_trials: pd.DataFrame) -> FitReport:
        """Fit the temperature to human choices and the margin→RT line to human item RTs.

        The fitted values (temperature, intercept_ms, ms_per_unit, rt_noise_sd_ms) go into
        ``fitted_``. The report gives ``log_likelihood`` per choice trial, ``agreement``
        (model's best choice = human choice), and ``r`` and ``rmse_ms`` of the item mean RTs
        (on the rows ``models.base.rt_trials`` keeps: the analysis' cleaning when the
        pipeline cleaned them).
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
        fitted: dict[str, Any] = {"temperature": float(np.exp(result.x))}
        details: dict[str, Any] = {
            "backend": sorted(set(scores.backend)),
            "model_name": sorted(set(scores.model_name)),
            "n_choice_trials": int(usable.sum()),
            "log_likelihood": -float(result.fun),
            "log_likelihood_per_trial": -float(result.fun) / int(usable.sum()),
            "agreement": float(np.mean(scores.best_index[usable] == picked)),
            "model_accuracy": scores.accuracy(),
            "oov": sorted({t for texts in scores.oov for t in texts}),
        }
        report = FitReport(model=self.name, fitted=fitted, n_trials=int(len(trials)),
                           details=details)
        self._fit_rt(trials, scores, report)
        return self.record_fit(report)

    def _fit_rt(self, trials: pd.DataFrame, scores: AssociationScores, report: FitReport) -> None:
        if "rt_ms" not in trials.columns:
            report.details["rt_fit"] = "no rt_ms column"
            return
        try:
            kept = rt_trials(self.name, trials.assign(_row=np.arange(len(trials))))
        except ModelInputError:
            report.details["rt_fit"] = "no correct human trials with an RT"
            return
        rows = kept["_row"].to_numpy()
        rows = rows[scores.scorable[rows]]
        if len(rows) == 0:
            report.details["rt_fit"] = "no correct human trials with an RT"
            return
        item = trials["item_id"].astype(str) if "item_id" in trials.columns else trials["target"]
        language = trials["language"].astype(str) if "language" in trials.columns else ""
        frame = pd.DataFrame({"item": item, "language": language,
                              "rt_ms": pd.to_numeric(trials["rt_ms"], errors="coerce"),
                              "margin": scores.margin}).iloc[rows]
        items = frame.groupby(["language", "item"]).agg(rt_ms=("rt_ms", "mean"), margin=("margin", "first"),
                                                        n=("rt_ms", "size"))
        if len(items) < 3 or np.ptp(items["margin"]) == 0:
            report.details["rt_fit"] = f"too few items with distinct margins ({len(items)})"
            return
        fit = fit_rt_mapping(items["margin"], items["rt_ms"], unit=self.latency_unit,
                             slope_sign="any")
        residual_trials = frame["rt_ms"] - fit.mapping.to_ms(frame["margin"])
        report.fitted.update({
            "intercept_ms": fit.mapping.intercept_ms, "ms_per_unit": fit.mapping.ms_per_unit,
            "rt_noise_sd_ms": float(np.std(residual_trials, ddof=2)) if len(frame) > 2 else 0.0})
        report.r, report.rmse_ms, report.rt_mapping = fit.r, fit.rmse_ms, fit.mapping
        report.details.update({"n_rt_items": int(len(items)), "n_rt_trials": int(len(frame))})
        report.cells = [{"language": lang, "item_id": it, "human_rt_ms": round(float(h), 1),
                         "model_margin": round(float(m), 5), "model_rt_ms": round(float(p), 1)}
                        for (lang, it), h, m, p in zip(items.index, items["rt_ms"], items["margin"],
                                                       fit.fitted_ms)]


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
