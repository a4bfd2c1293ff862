"""The embedding model's trial likelihood: a softmax choice and an RT tied to the choice margin.

p(choice j) = softmax(cos_j / temperature) over the trial's scorable options (the model's own
``choice_probabilities``); RT = ``intercept_ms`` + ``ms_per_unit`` · margin + residual, the
margin being the best minus the second-best cosine (a clearer winner, a faster answer). The
embeddings are computed once per trial list; every parameter here is a mapping parameter, so a
fit never re-embeds. A trial whose choice cannot be placed among the options, or with fewer than
two scorable options, is scored by the lapse process alone.
"""

from __future__ import annotations

import numpy as np

from models.likelihood.families import TrialLikelihood


class EmbeddingLikelihood(TrialLikelihood):
    mapping_params = ("temperature", "intercept_ms", "ms_per_unit", "rt_noise_sd_ms")
    cell_columns = ("task", "condition")

    def __init__(self, model, human_trials, **options):
        from models.embeddings.model import _human_choice_index

        super().__init__(model, human_trials, **options)
        self.scores = self.model.score(self.scored.trials)
        self.chosen = _human_choice_index(self.scored.trials, self.scores)
        self.options = np.array([len(c) for c in self.scores.choices])

    def n_choices(self):
        return np.maximum(self.options, 2)

    def _log_choice_rt(self, model_params, noise) -> np.ndarray:
        from models.embeddings.model import choice_probabilities

        p = choice_probabilities(self.scores.cosines, float(model_params["temperature"]))
        usable = (self.chosen >= 0) & self.scores.scorable
        rows = np.arange(len(p))
        p_chosen = np.where(usable, p[rows, np.maximum(self.chosen, 0)], 0.0)
        margin = np.nan_to_num(self.scores.margin, nan=0.0)
        predicted = float(model_params["intercept_ms"]) + float(model_params["ms_per_unit"]) * margin
        with np.errstate(divide="ignore"):
            out = np.log(p_chosen) + noise.logpdf(self.scored.rt_ms - predicted)
        return np.where(usable, out, -np.inf)

    def _sample_model(self, model_params, rng):
        from models.embeddings.model import choice_probabilities

        p = choice_probabilities(self.scores.cosines, float(model_params["temperature"]))
        cumulative = np.cumsum(p, axis=1)
        u = rng.random(len(p))[:, None] * cumulative[:, -1:]
        choice = (cumulative < u).sum(axis=1)
        margin = np.nan_to_num(self.scores.margin, nan=0.0)
        rt = float(model_params["intercept_ms"]) + float(model_params["ms_per_unit"]) * margin
        named = np.array([c[k] if k < len(c) else None for c, k in zip(self.scores.choices, choice)],
                         dtype=object)
        return rt, choice == self.scores.answer_index, named


def choice_loglik(cosines: np.ndarray, chosen: np.ndarray, temperature: float,
                  lapse_rate: float = 0.02, n_options: np.ndarray | None = None) -> np.ndarray:
    """Per trial: log p(chosen option) under the softmax of the cosines, with the lapse process
    of the trial likelihood mixed in (with probability ``lapse_rate`` a guess among the trial's
    options), so that an option without a vector (probability 0) costs a bounded amount.

    ``cosines`` is trials × options (NaN: absent or no vector), ``chosen`` the index of the
    option chosen (the answer key, when no person chose); a trial with ``chosen`` < 0 or fewer
    than two scorable options is scored as a pure guess. Used for choices alone (no RT) by the
    cross-validated backend selection (``models.embeddings.selection``). ``n_options``: the
    number of options of each trial (default: those with a cosine, at least 2)."""
    from models.embeddings.model import choice_probabilities

    cosines = np.asarray(cosines, dtype=float)
    chosen = np.asarray(chosen, dtype=int)
    present = np.isfinite(cosines).sum(axis=1)
    scorable = present >= 2
    p = choice_probabilities(cosines, float(temperature))
    rows = np.arange(len(p))
    usable = scorable & (chosen >= 0)
    p_chosen = np.where(usable, p[rows, np.maximum(chosen, 0)], 0.0)
    n_options = np.maximum(present, 2) if n_options is None else np.asarray(n_options, dtype=float)
    lapse_rate = float(lapse_rate)
    mixed = np.where(usable, (1 - lapse_rate) * p_chosen + lapse_rate / n_options, 1.0 / n_options)
    return np.log(mixed)
