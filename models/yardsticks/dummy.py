"""The dummy predictor: Stroop condition codes times a slope, plus an intercept.

Issue 13 measured that a predictor with no process at all — colour naming congruent 1,
neutral 2, incongruent 4, word reading 0 — scores r 0.996 over pooled condition means, so r
cannot tell models apart. This yardstick makes that predictor a *likelihood* model on the
same footing as the process models, so that the claim "a process model explains people
better than the dummy" can be tested on held-out trials (``analysis.model_selection``):

    rt_ms = intercept_ms + ms_per_unit · code(instruction, condition) + residual

with the residual every process model gets (``models.likelihood``: ex-Gaussian N(0, σ²) +
Exp(τ), a ``lapse_rate`` contaminant uniform over the scored RT window). Like WEAVER++, the
dummy always names the target, so an error is scored by the lapse process only. Its free
parameters (``intercept_ms``, ``ms_per_unit``, σ, τ) are the same four WEAVER++ frees by
default; there are no published values, so the constructor's defaults are None and it refuses
to simulate before it is given (or fitted) a slope and an intercept.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd

from models.base import Model, ModelInputError
from models.likelihood.families import TrialLikelihood
from models.likelihood.residuals import ExGaussianResidual

#: The codes of issue 13's dummy predictor, (instruction, condition) → code.
COLOUR_NAMING_CODES = {"congruent": 1.0, "neutral": 2.0, "incongruent": 4.0}
WORD_READING_CODE = 0.0


def condition_codes(trials: pd.DataFrame) -> np.ndarray:
    """The dummy code of every trial: colour naming 1/2/4 by condition, word reading 0."""
    instruction = (trials["instruction"].astype(str) if "instruction" in trials.columns
                   else pd.Series("colour_naming", index=trials.index))
    condition = trials["condition"].astype(str)
    codes = condition.map(COLOUR_NAMING_CODES)
    codes = codes.where(instruction != "word_reading", WORD_READING_CODE)
    if codes.isna().any():
        unknown = sorted(set(condition[codes.isna()]))
        raise ModelInputError(f"model dummy-conditions: no code for Stroop condition {unknown[0]!r}; "
                              f"expected {', '.join(COLOUR_NAMING_CODES)}")
    return codes.to_numpy(float)


class DummyLikelihood(TrialLikelihood):
    """Analytic: the residual density around intercept + slope · code (all parameters map
    time to ms, so no evaluation simulates anything)."""

    mapping_params = ("intercept_ms", "ms_per_unit")

    def __init__(self, model, human_trials, **options):
        super().__init__(model, human_trials, **options)
        self.codes = condition_codes(self.scored.trials)

    def _mean_rt_ms(self, model_params) -> np.ndarray:
        intercept, slope = model_params.get("intercept_ms"), model_params.get("ms_per_unit")
        if intercept is None or slope is None:
            raise ModelInputError("model dummy-conditions: intercept_ms and ms_per_unit have no "
                                  "published values; fit them (they are its default free parameters)")
        return float(intercept) + float(slope) * self.codes

    def _log_choice_rt(self, model_params, noise: ExGaussianResidual) -> np.ndarray:
        log_rt = noise.logpdf(self.scored.rt_ms - self._mean_rt_ms(model_params))
        # it always names the target: an error has probability 0 outside the lapse process
        return np.where(self.scored.correct, log_rt, -np.inf)

    def _sample_model(self, model_params, rng) -> tuple[np.ndarray, np.ndarray]:
        return self._mean_rt_ms(model_params), np.ones(len(self.codes), dtype=bool)


class DummyConditionsYardstick(Model):
    """Condition codes (1/2/4, word reading 0) × a fitted slope + intercept, with the process
    models' residual: the predictor that wins r over condition means without any process."""

    name: ClassVar[str] = "dummy-conditions"
    version: ClassVar[str] = "1.0"
    tasks: ClassVar[tuple[str, ...]] = ("stroop",)
    latency_unit: ClassVar[str] = "code"
    summary: ClassVar[str] = ("yardstick: dummy predictor, colour naming congruent/neutral/"
                              "incongruent 1/2/4, word reading 0, × a fitted ms slope + intercept, "
                              "ex-Gaussian residual (no process at all)")
    likelihood_class: ClassVar[type] = DummyLikelihood
    free_parameters: ClassVar[dict] = {"intercept_ms": (0.0, 2000.0, 400.0, 900.0),
                                       "ms_per_unit": (-200.0, 500.0, 0.0, 60.0)}
    default_free: ClassVar[tuple] = ("intercept_ms", "ms_per_unit", "residual_sd_ms",
                                     "residual_tau_ms")
    identifiable_parameters: ClassVar[tuple] = ()

    def __init__(self, intercept_ms: float | None = None, ms_per_unit: float | None = None):
        self.intercept_ms = intercept_ms
        self.ms_per_unit = ms_per_unit

    def simulate(self, trials: pd.DataFrame, n: int = 1, seed: int | None = None) -> pd.DataFrame:
        """Mean RT per trial plus an ex-Gaussian residual with the defaults of
        ``models.likelihood`` (only once a slope and an intercept are set)."""
        self.check_task(trials)
        if self.param("intercept_ms") is None or self.param("ms_per_unit") is None:
            raise ModelInputError(f"model {self.name}: no intercept_ms and ms_per_unit (no published "
                                  "values exist); fit it first or set them")
        from models.likelihood.families import residual_defaults

        n = self.check_n(n)
        rng = np.random.default_rng(seed)
        base = trials.reset_index(drop=True)
        mean = float(self.param("intercept_ms")) + float(self.param("ms_per_unit")) * condition_codes(base)
        residual = residual_defaults()
        noise = ExGaussianResidual(residual["residual_sd_ms"], residual["residual_tau_ms"])
        rt = np.concatenate([mean + noise.sample(rng, len(base)) for _ in range(n)])
        expected = list(base.get("expected_response", pd.Series([None] * len(base)))) * n
        return self.shared_rows(base, n, response=expected, correct=[True] * len(rt), rt_ms=rt,
                                extras=[{"code": float(c)} for c in np.tile(condition_codes(base), n)])
