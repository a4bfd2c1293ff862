"""The "dark side" model of Oppenheim, Dell & Schwartz (2010): cumulative semantic interference
from incremental, error-driven learning with competitive selection.

Oppenheim, G. M., Dell, G. S., & Schwartz, M. F. (2010). The dark side of incremental learning:
A model of cumulative semantic interference during lexical access in speech production.
Cognition, 114, 227–252. Their account has three parts:

1. **shared activation** — a picture activates its semantic features; features shared by a
   category activate every co-member's word as well as the target's;
2. **competitive selection** — a *booster* raises the target word's activation step by step
   until it exceeds every other word by a margin; the number of boosts is the latency;
3. **error-driven learning** — after every naming the feature → word weights move by the delta
   rule towards the right answer: weights to the named word grow (priming), weights from the
   shared features to the co-members that were wrongly activated shrink (the "dark side").

Both learning effects make the next co-member slower: the earlier-named words are stronger
competitors and the later word's own shared weights are weaker. Learning never decays, so the
effect grows with ordinal position and not with lag.

The paper's exact feature counts, learning rate and booster values were not recovered here, so
the equations below are written from that description and the parameters are chosen (documented
in ``docs/models/weaver.md``, section 9c); the learning rate (0.0388) and the steps→ms map
(471.5 ms + 6.07 ms per step) are fitted to Howard et al.'s (2006) group curve, as for the
Howard-style model:

    features of item u   x_u = 1 on the category's ``n_shared_features`` and on u's own
                         ``n_distinct_features``, else 0
    initial weights      w(feature → word) = ``base_weight`` where the feature belongs to the
                         word's concept, else 0
    activation           net_j = Σ_i x_i w_ij           (the picture's features x)
    learning (named u)   w_ij ← w_ij + ``learning_rate`` · x_i · ([j = u] − net_j)
    booster              a_target(s) = net_target · ``boost``^s, competitors stay at net_j;
                         selection at the first s with a_target(s) − C ≥ ``margin``, where
                         C = max_j a_j(s) (``competition="max"``: the target must lead every
                         other word) or Σ_j max(a_j(s), 0) (``"sum"``: lead them together)

Noise-free, the latency is the continuous solution s* = ln((C + margin) / net_target)
/ ln(boost) (≥ 0); with ``noise_sd`` > 0 every word's activation gets N(0, noise_sd²) at every
step and the first step that meets the margin counts. RT = ``intercept_ms`` + ``ms_per_unit`` · s
(``models.base.RTMapping``, in ms per step).
A trial's category history is replayed for all trials at once (a loop over the ≤ 4 earlier
namings of the category, vectorised over trials); the booster is vectorised over steps.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pandas as pd

from models.base import FitReport, Model, ModelInputError, fit_rt_mapping, judge
from models.weaver.sequences import human_position_means, naming_contexts

COMPETITIONS = ("max", "sum")


class DarkSide(Model):
    """Oppenheim, Dell & Schwartz (2010)-style incremental learning with competition."""

    name: ClassVar[str] = "dark-side"
    version: ClassVar[str] = "1.0"
    tasks: ClassVar[tuple[str, ...]] = ("continuous-naming",)
    latency_unit: ClassVar[str] = "step"
    summary: ClassVar[str] = ("Oppenheim, Dell & Schwartz (2010) 'dark side' model: error-driven "
                              "learning of feature-word weights, boosted competitive selection")

    def __init__(self, n_shared_features: int = 5, n_distinct_features: int = 5,
                 base_weight: float = 0.05, learning_rate: float = 0.0388, boost: float = 1.02,
                 margin: float = 0.5, competition: str = "max", noise_sd: float = 0.0,
                 max_steps: int = 500, intercept_ms: float = 471.5, ms_per_unit: float = 6.07):
        self.n_shared_features = n_shared_features
        self.n_distinct_features = n_distinct_features
        self.base_weight = base_weight
        self.learning_rate = learning_rate
        self.boost = boost
        self.margin = margin
        self.competition = competition
        self.noise_sd = noise_sd
        self.max_steps = max_steps
        self.intercept_ms = intercept_ms
        self.ms_per_unit = ms_per_unit

    def _check_params(self) -> None:
        if self.competition not in COMPETITIONS:
            raise ModelInputError(f"model {self.name}: competition {self.competition!r} is not "
                                  f"one of {', '.join(COMPETITIONS)}")
        if self.boost <= 1.0:
            raise ModelInputError(f"model {self.name}: boost must be > 1, not {self.boost}")
        if self.n_shared_features < 0 or self.n_distinct_features < 1:
            raise ModelInputError(f"model {self.name}: need n_shared_features ≥ 0 and "
                                  "n_distinct_features ≥ 1")
        if self.margin <= 0 or self.base_weight <= 0 or self.param("learning_rate") < 0:
            raise ModelInputError(f"model {self.name}: margin and base_weight must be > 0 and "
                                  "learning_rate ≥ 0")

    # ------------------------------------------------------------------ network
    def trial_structure(self, trials: pd.DataFrame):
        """Per trial: the category's units (0 = the target), which are real, and the order in
        which earlier co-members were named (unit indices, −1 = none). Independent of the
        weights, so a fit reuses it."""
        self.check_task(trials)
        contexts = naming_contexts(self.name, trials)
        n_units = max(1 + len(c.co_members) for c in contexts)
        depth = max(1, max(len(c.named_before) for c in contexts))
        present = np.zeros((len(contexts), n_units), dtype=bool)
        history = np.full((len(contexts), depth), -1, dtype=np.int64)
        for t, context in enumerate(contexts):
            units = (context.picture,) + context.co_members
            present[t, :len(units)] = True
            for k, item in enumerate(context.named_before):
                history[t, k] = units.index(item)
        return present, history

    def _features(self, n_units: int) -> np.ndarray:
        """(units, features) 0/1 matrix: shared features first, then each unit's own."""
        n_s, n_d = int(self.n_shared_features), int(self.n_distinct_features)
        features = np.zeros((n_units, n_s + n_d * n_units))
        features[:, :n_s] = 1.0
        for u in range(n_units):
            features[u, n_s + n_d * u:n_s + n_d * (u + 1)] = 1.0
        return features

    def net_activation(self, present: np.ndarray, history: np.ndarray) -> np.ndarray:
        """Word activations (trials × units) from the target's features after the category's
        history of namings, each followed by a delta-rule update."""
        rows, n_units = present.shape
        x = self._features(n_units)                                 # (units, features)
        weights = np.where(present[:, None, :], self.base_weight * x.T[None, :, :], 0.0)
        rows_index = np.arange(rows)
        for k in range(history.shape[1]):                           # ≤ 4 earlier namings
            named = history[:, k]
            live = named >= 0
            if not live.any():
                break
            features = x[np.where(live, named, 0)]                  # (trials, features)
            net = np.einsum("tf,tfu->tu", features, weights)
            teacher = np.zeros_like(net)
            teacher[rows_index, np.where(live, named, 0)] = 1.0
            error = np.where(present, teacher - net, 0.0) * live[:, None]
            weights = weights + self.param("learning_rate") * features[:, :, None] * error[:, None, :]
        return np.einsum("f,tfu->tu", x[0], weights)

    def expected_steps(self, net: np.ndarray, present: np.ndarray) -> np.ndarray:
        """Noise-free booster steps (continuous) until the target leads by the margin."""
        target = net[:, 0]
        needed = self._competition(net[:, 1:], present[:, 1:]) + self.margin
        with np.errstate(divide="ignore", invalid="ignore"):
            steps = np.log(needed / target) / np.log(self.boost)
        steps = np.where(target > 0, np.maximum(steps, 0.0), np.inf)
        return np.minimum(steps, float(self.max_steps))

    def _competition(self, rivals: np.ndarray, present: np.ndarray) -> np.ndarray:
        """C over the last axis of the competitors' activations (0 without competitors)."""
        if self.competition == "sum":
            return np.where(present, np.maximum(rivals, 0.0), 0.0).sum(axis=-1)
        strongest = np.where(present, rivals, -np.inf).max(axis=-1, initial=-np.inf)
        return np.where(np.isfinite(strongest), strongest, 0.0)

    def sample_steps(self, net: np.ndarray, present: np.ndarray,
                     rng: np.random.Generator) -> np.ndarray:
        """Booster steps with N(0, noise_sd²) on every word at every step (first step that
        meets the margin; ``max_steps`` if none). Steps are drawn in blocks for the trials
        still undecided, so the cost follows the latencies, not ``max_steps``."""
        out = np.full(len(net), float(self.max_steps))
        pending = np.arange(len(net))
        block = 64
        for first in range(0, int(self.max_steps) + 1, block):
            if len(pending) == 0:
                break
            steps = np.arange(first, min(first + block, int(self.max_steps) + 1))
            noise = rng.normal(0.0, self.noise_sd, size=(len(pending), len(steps), net.shape[1]))
            target = net[pending, 0, None] * self.boost ** steps[None, :] + noise[:, :, 0]
            rivals = self._competition(net[pending, None, 1:] + noise[:, :, 1:],
                                       np.broadcast_to(present[pending, None, 1:],
                                                       noise[:, :, 1:].shape))
            met = target - rivals >= self.margin
            done = met.any(axis=1)
            out[pending[done]] = steps[met[done].argmax(axis=1)]
            pending = pending[~done]
        return out

    def net_activation_reference_loop(self, present: np.ndarray,
                                      history: np.ndarray) -> np.ndarray:
        """:meth:`net_activation` one trial, one feature and one word at a time (plain Python):
        a cross-check of the vectorised replay."""
        n_units = present.shape[1]
        x = self._features(n_units).tolist()
        out = np.zeros(present.shape)
        for t in range(present.shape[0]):
            units = [u for u in range(n_units) if present[t, u]]
            w = {(i, u): self.base_weight * x[u][i] for u in units for i in range(len(x[0]))}
            for named in history[t]:
                if named < 0:
                    break
                net = {u: sum(x[named][i] * w[i, u] for i in range(len(x[0]))) for u in units}
                for u in units:
                    error = (1.0 if u == named else 0.0) - net[u]
                    for i in range(len(x[0])):
                        w[i, u] += self.param("learning_rate") * x[named][i] * error
            for u in units:
                out[t, u] = sum(x[0][i] * w[i, u] for i in range(len(x[0])))
        return out

    def steps(self, trials: pd.DataFrame) -> np.ndarray:
        """Noise-free booster steps per trial (the model's expected latency, in steps)."""
        self._check_params()
        present, history = self.trial_structure(trials.reset_index(drop=True))
        return self.expected_steps(self.net_activation(present, history), present)

    # The shared continuous-naming report treats all three accounts alike.
    expected_retrieval_ms = steps

    # ------------------------------------------------------------------ protocol
    def simulate(self, trials: pd.DataFrame, n: int = 1, seed: int | None = None) -> pd.DataFrame:
        """Shared rows for ``n`` agents (noise-free steps unless ``noise_sd`` > 0); extras keep
        the sampled and the expected steps."""
        n = self.check_n(n)
        self._check_params()
        trials = trials.reset_index(drop=True)
        present, history = self.trial_structure(trials)
        net = self.net_activation(present, history)
        expected = self.expected_steps(net, present)
        rng = np.random.default_rng(seed)
        steps = np.concatenate([self.sample_steps(net, present, rng) if self.noise_sd > 0
                                else expected for _ in range(n)])
        said = trials["picture"].tolist() * n
        target = (trials["expected_response"] if "expected_response" in trials.columns
                  else trials["picture"]).tolist() * n
        timed_out = steps >= self.max_steps
        correct = [None if c is None else (c and not late)
                   for c, late in zip(judge(said, target), timed_out)]
        extras = [{"steps": float(s), "expected_steps": float(e)}
                  for s, e in zip(steps, np.tile(expected, n))]
        return self.shared_rows(trials, n, response=said, correct=correct,
                                rt_ms=self.rt_mapping().to_ms(steps).tolist(), extras=extras)

    def fit(self, human_trials: pd.DataFrame, fit_learning: bool = True,
            fit_scale: bool = False) -> FitReport:
        """Fit the learning rate (bounded 1-D search, 0–0.2) and the intercept (least squares)
        to the human means by ordinal position, into ``fitted_``; ``ms_per_unit`` (ms per step)
        stays at its default (6.07, fitted with the learning rate to Howard et al.'s group
        curve) unless ``fit_scale``: as for ``howard2006``, a free scale lets a noisy curve be
        "explained" by a vanishing learning rate times a huge scale."""
        human, means = human_position_means(self.name, human_trials)
        return fit_dark_side(self, human, means, fit_learning, fit_scale)


def fit_dark_side(model: DarkSide, trials: pd.DataFrame, human_means: pd.Series,
                  fit_learning: bool = True, fit_scale: bool = True) -> FitReport:
    """Choose ``learning_rate`` and the steps→ms map minimising the RMSE between mapped model
    steps by ordinal position on ``trials`` and ``human_means``. The search runs on copies
    (``with_params``); the result goes into the model's ``fitted_``."""
    from scipy.optimize import minimize_scalar

    model._check_params()
    positions = list(human_means.index)
    human = human_means.to_numpy(float)
    trials = trials.reset_index(drop=True)
    base = model.with_params()
    present, history = base.trial_structure(trials)
    position = pd.to_numeric(trials["ordinal_position"], errors="coerce").where(
        trials["condition"].astype(str) == "experimental")

    def mapped(rate: float):
        candidate = base.with_params(learning_rate=float(rate))
        steps = candidate.expected_steps(candidate.net_activation(present, history), present)
        by_position = pd.Series(steps).groupby(position).mean().reindex(positions).to_numpy(float)
        return by_position, fit_rt_mapping(by_position, human, unit=model.latency_unit,
                                           fit_slope=fit_scale,
                                           ms_per_unit=float(model.ms_per_unit))

    rate = float(model.learning_rate)
    if fit_learning:
        best = minimize_scalar(lambda x: mapped(x)[1].rmse_ms, bounds=(0.0, 0.2),
                               method="bounded", options={"xatol": 1e-4})
        rate = round(float(best.x), 4)
    steps, fit = mapped(rate)
    fitted = fit.fitted_ms
    return model.record_fit(FitReport(
        model=model.name,
        fitted={"learning_rate": rate, "intercept_ms": fit.mapping.intercept_ms,
                "ms_per_unit": fit.mapping.ms_per_unit},
        r=fit.r, rmse_ms=fit.rmse_ms, n_trials=int(len(trials)), rt_mapping=fit.mapping,
        details={"ms_per_position": float(np.polyfit(positions, fitted, 1)[0])},
        cells=[{"ordinal_position": int(p), "model_steps": round(float(s), 3),
                "fitted_ms": round(float(f), 1), "human_ms": round(float(h), 1)}
               for p, s, f, h in zip(positions, steps, fitted, human)]))


def dark_side_fit_report(model: DarkSide | None = None, n_sequences: int = 8) -> dict[str, Any]:
    """Ordinal-position curve (map fitted) and lag curve (same map) against Howard et al.
    (2006) on the built-in Howard-style sequences, beside the other two accounts."""
    from models.weaver.cumulative import cumulative_curves, report_against_howard

    model = model or DarkSide()
    trials = cumulative_curves(model, n_sequences)
    howard = report_against_howard(model, trials, "steps")
    summary = [
        {"task": "continuous-naming by position", "model": model.name,
         "comparison": "Howard et al. (2006) means, intercept + ms/step fitted",
         "r": howard["mapping"]["r"], "rmse_ms": howard["mapping"]["rmse_ms"], "n": 5},
        {"task": "continuous-naming by lag", "model": model.name,
         "comparison": "Howard et al. (2006) means by lag, same mapping", "r": None,
         "rmse_ms": howard["lag_rmse_ms"], "n": 4},
    ]
    return {"summary": summary,
            "tables": {"dark_side_position": howard["position"], "dark_side_lag": howard["lag"]},
            "ms_per_position": howard["ms_per_position"], "lag_range_ms": howard["lag_range_ms"],
            "mapping": howard["mapping"], "learning_rate": model.param("learning_rate")}
