"""A Howard, Nickels, Coltheart & Cole-Virtue (2006)-style model of cumulative semantic inhibition.

Howard et al. (2006) named three principles that together produce the cumulative semantic
inhibition of continuous picture naming — latency rises linearly, about 30 ms, with every
preceding member of the picture's category, whatever the lag:

1. **shared activation** — a picture activates its own semantic unit strongly and the semantic
   units of its category co-members weakly;
2. **competition** — lexical units inhibit each other; the first lexical unit to reach threshold
   is said;
3. **priming** — after an item is named, the connection from its semantic unit to its lexical
   unit is strengthened, and the strengthening does not decay.

The paper gives no equations or parameter values, so this module chooses them (documented, with
reasons, in ``docs/models/weaver.md``) and fits the priming increment and the cycles→ms mapping to
the published human curve (table ``howard2006-ordinal-position``, about 30 ms slower per
ordinal position; flat by lag).

Equations, per processing cycle c, for the lexical units i of the target's category (the target
and its co-members in the sequence; a filler has only its own unit):

    s_i        = 1 for the picture's concept, ``shared_activation`` for its co-members
    w_i        = ``base_weight`` + ``priming_increment`` · (times item i was named before)
    net_i(c)   = w_i · s_i − ``inhibition`` · Σ_{j≠i} max(l_j(c), 0)
    l_i(c + 1) = l_i(c) + ``rate`` · (net_i(c) − l_i(c)) + ε,   ε ~ N(0, ``noise_sd``²)

The response is the first unit whose activation reaches ``threshold``; its cycle count is the
latency, RT = ``intercept_ms`` + ``ms_per_unit`` · cycles (``models.base.RTMapping``). All
trials × simulated participants run as one array; the loop is over cycles only.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pandas as pd

from models.base import FitReport, Model, ModelInputError, fit_rt_mapping, judge
from models.weaver.sequences import human_position_means, naming_contexts


class Howard2006(Model):
    """Howard et al. (2006)-style competition + shared activation + priming model."""

    name: ClassVar[str] = "howard2006"
    version: ClassVar[str] = "1.0"
    tasks: ClassVar[tuple[str, ...]] = ("continuous-naming",)
    latency_unit: ClassVar[str] = "cycle"
    summary: ClassVar[str] = ("Howard et al. (2006)-style model: shared semantic activation, "
                              "lexical competition, non-decaying priming (continuous naming)")
    #: Fittable parameters (lower, upper, plausible lower, plausible upper); see
    #: ``models.fitting.parameters`` and docs/models/fitting.md. The paper gives no values; the
    #: defaults are this module's choices (priming increment and ms/cycle fitted to Howard et
    #: al.'s curve), and the plausible ranges bracket them.
    free_parameters: ClassVar[dict] = {"priming_increment": (0.0, 3.0, 0.3, 2.0),
                                       "intercept_ms": (0.0, 1500.0, 100.0, 500.0),
                                       "ms_per_unit": (0.5, 40.0, 3.0, 9.0),
                                       "shared_activation": (0.0, 0.9, 0.1, 0.5),
                                       "inhibition": (0.0, 1.0, 0.1, 0.5),
                                       "noise_sd": (0.001, 0.1, 0.005, 0.03)}
    #: ms_per_unit is not among them: free, it recovered with r 0.48 from 8 synthetic
    #: participants of 4 sessions (660 trials) each — ms/cycle trades off with the intercept
    #: and the priming increment (docs/models/fitting.md); it stays at 5.27 ms/cycle.
    default_free: ClassVar[tuple] = ("priming_increment", "intercept_ms", "residual_sd_ms",
                                     "residual_tau_ms")
    #: recovered with r ≥ 0.9 (tests/test_likelihood_cnn_howard.py, docs/models/fitting.md)
    identifiable_parameters: ClassVar[tuple] = default_free

    def __init__(self, shared_activation: float = 0.3, inhibition: float = 0.3,
                 base_weight: float = 1.0, priming_increment: float = 1.103,
                 rate: float = 0.01, threshold: float = 0.5, noise_sd: float = 0.01,
                 max_cycles: int = 1000, intercept_ms: float = 203.5,
                 ms_per_unit: float = 5.27):
        self.shared_activation = shared_activation
        self.inhibition = inhibition
        self.base_weight = base_weight
        self.priming_increment = priming_increment
        self.rate = rate
        self.threshold = threshold
        self.noise_sd = noise_sd
        self.max_cycles = max_cycles
        self.intercept_ms = intercept_ms
        self.ms_per_unit = ms_per_unit

    # ------------------------------------------------------------------ network
    def trial_structure(self, trials: pd.DataFrame):
        """Per trial (rows × units, unit 0 = the target): semantic input, times each item was
        named before, a mask of real units and the unit names. Independent of the weights, so
        fitting can reuse it."""
        self.check_task(trials)
        contexts = naming_contexts(self.name, trials)
        n_units = max(1 + len(c.co_members) for c in contexts)
        semantic = np.zeros((len(contexts), n_units))
        named_count = np.zeros((len(contexts), n_units))
        present = np.zeros((len(contexts), n_units), dtype=bool)
        names = np.empty((len(contexts), n_units), dtype=object)
        for t, context in enumerate(contexts):
            for u, item in enumerate((context.picture,) + context.co_members):
                semantic[t, u] = 1.0 if u == 0 else self.shared_activation
                named_count[t, u] = context.named_before.count(item)
                present[t, u] = True
                names[t, u] = item
        return semantic, named_count, present, names

    def drive(self, semantic: np.ndarray, named_count: np.ndarray) -> np.ndarray:
        """Semantic input × semantic→lexical weight (primed by every earlier naming)."""
        return (self.base_weight + float(self.param("priming_increment")) * named_count) * semantic

    def run_cycles(self, drive: np.ndarray, present: np.ndarray, noise_sd: float,
                   rng: np.random.Generator | None = None):
        """Cycles to threshold and the winning unit, for every row (rows × units)."""
        if not (0 < self.rate <= 1):
            raise ModelInputError(f"model {self.name}: rate {self.rate} must lie in (0, 1]")
        rows = drive.shape[0]
        cycles = np.full(rows, float(self.max_cycles))
        winner = np.zeros(rows, dtype=np.int64)
        # Rows still running; finished rows are dropped so late cycles cost little.
        active = np.arange(rows)
        act = np.zeros_like(drive)
        live_drive, live_present = drive, present
        for cycle in range(1, self.max_cycles + 1):
            previous = act
            positive = np.where(live_present, np.clip(act, 0.0, None), 0.0)
            others = positive.sum(axis=1, keepdims=True) - positive
            act = act + self.rate * (live_drive - self.inhibition * others - act)
            if noise_sd and rng is not None:
                act = act + rng.normal(0.0, noise_sd, size=act.shape)
            act = np.where(live_present, act, 0.0)
            masked = np.where(live_present, act, -np.inf)
            reached = masked.max(axis=1) >= self.threshold
            if reached.any():
                local = np.flatnonzero(reached)
                best = masked[local].argmax(axis=1)
                now, before = act[local, best], previous[local, best]
                # linear interpolation of the crossing inside the cycle: a continuous latency
                fraction = np.clip((self.threshold - before) / np.maximum(now - before, 1e-12),
                                   0.0, 1.0)
                cycles[active[local]] = cycle - 1 + fraction
                winner[active[local]] = best
                keep = ~reached
                active, act = active[keep], act[keep]
                live_drive, live_present = live_drive[keep], live_present[keep]
                if len(active) == 0:
                    break
        return cycles, winner

    def cycles_reference_loop(self, drive: np.ndarray, present: np.ndarray) -> np.ndarray:
        """The noise-free equations of :meth:`run_cycles` one row and one unit at a time
        (plain Python): the baseline of the benchmark and a cross-check in the tests."""
        cycles = np.full(drive.shape[0], float(self.max_cycles))
        for row in range(drive.shape[0]):
            units = [u for u in range(drive.shape[1]) if present[row, u]]
            act = {u: 0.0 for u in units}
            for cycle in range(1, self.max_cycles + 1):
                new = {}
                for u in units:
                    others = sum(max(act[v], 0.0) for v in units if v != u)
                    net = float(drive[row, u]) - self.inhibition * others
                    new[u] = act[u] + self.rate * (net - act[u])
                best = max(units, key=lambda u: new[u])
                if new[best] >= self.threshold:
                    before, now = act[best], new[best]
                    fraction = min(max((self.threshold - before) / max(now - before, 1e-12),
                                       0.0), 1.0)
                    cycles[row] = cycle - 1 + fraction
                    break
                act = new
        return cycles

    def cycles(self, trials: pd.DataFrame) -> np.ndarray:
        """Noise-free cycles to threshold per trial (the model's expected latency)."""
        semantic, named_count, present, _ = self.trial_structure(trials.reset_index(drop=True))
        cycles, _ = self.run_cycles(self.drive(semantic, named_count), present, noise_sd=0.0)
        return cycles

    # Lets the shared continuous-naming report treat both accounts alike.
    expected_retrieval_ms = cycles

    # ------------------------------------------------------------------ protocol
    def simulate(self, trials: pd.DataFrame, n: int = 1, seed: int | None = None) -> pd.DataFrame:
        """Shared rows for ``n`` agents; extras keep the cycles (noisy and noise-free)."""
        if n < 1:
            raise ModelInputError(f"model {self.name}: n must be at least 1, not {n}")
        trials = trials.reset_index(drop=True)
        semantic, named_count, present, names = self.trial_structure(trials)
        drive = self.drive(semantic, named_count)
        rng = np.random.default_rng(seed)
        tiled_drive = np.tile(drive, (n, 1))
        tiled_present = np.tile(present, (n, 1))
        cycles, winner = self.run_cycles(tiled_drive, tiled_present, self.noise_sd, rng)
        expected, _ = self.run_cycles(drive, present, 0.0)
        said = names[np.tile(np.arange(len(trials)), n), winner].tolist()
        target = (trials["expected_response"] if "expected_response" in trials.columns
                  else trials["picture"]).tolist()
        timed_out = cycles >= self.max_cycles
        correct = [None if c is None else (c and not late)
                   for c, late in zip(judge(said, target * n), timed_out)]
        extras = [{"cycles": float(c), "expected_cycles": float(e)}
                  for c, e in zip(cycles, np.tile(expected, n))]
        return self.shared_rows(trials, n, response=said, correct=correct,
                                rt_ms=self.rt_mapping().to_ms(cycles).tolist(), extras=extras)

    @property
    def likelihood_class(self):
        """Its trial likelihood (``models.likelihood.likelihood_for`` asks; imported lazily)."""
        from models.likelihood.simulators import HowardLikelihood

        return HowardLikelihood

    def loglik(self, human_trials: pd.DataFrame, params: dict | None = None, **options):
        """Each scored human trial's log p(choice, rt_ms): simulation-based per network
        configuration (``models.likelihood.simulators.HowardLikelihood``)."""
        from models.likelihood import loglik

        return loglik(self, human_trials, params, **options)

    def fit(self, human_trials: pd.DataFrame, fit_priming: bool = True,
            fit_scale: bool = False) -> FitReport:
        """Fit the priming increment (bounded 1-D search) and the intercept (least squares) to
        the human means by ordinal position, into ``fitted_``; ``ms_per_unit`` (ms per cycle)
        stays as set (5.27, fitted to Howard et al.'s curve) unless ``fit_scale``. With the scale free, a participant whose
        curve is flat or noisy can be "fitted" by a tiny priming effect times a huge scale, so
        the scale is only freed for smooth group curves."""
        human, means = human_position_means(self.name, human_trials)
        return fit_to_position_means(self, human, means, fit_priming, fit_scale)


def fit_to_position_means(model: Howard2006, trials: pd.DataFrame, human_means: pd.Series,
                          fit_priming: bool = True, fit_scale: bool = True) -> FitReport:
    """Choose ``priming_increment`` (0–3) and the map RT = intercept_ms + ms_per_unit · cycles
    (ms_per_unit kept unless ``fit_scale``) that minimise the RMSE between mapped model
    cycles and ``human_means`` (indexed by ordinal position) on ``trials``. The search runs on
    copies (``with_params``); the result goes into the model's ``fitted_``."""
    from scipy.optimize import minimize_scalar

    positions = list(human_means.index)
    human = human_means.to_numpy(float)
    trials = trials.reset_index(drop=True)
    base = model.with_params()
    semantic, named_count, present, _ = base.trial_structure(trials)
    position = pd.to_numeric(trials["ordinal_position"], errors="coerce").where(
        trials["condition"].astype(str) == "experimental")

    def mapped(increment: float):
        candidate = base.with_params(priming_increment=float(increment))
        cycles, _ = candidate.run_cycles(candidate.drive(semantic, named_count), present,
                                         noise_sd=0.0)
        cycles = pd.Series(cycles).groupby(position).mean().reindex(positions).to_numpy(float)
        return cycles, fit_rt_mapping(cycles, human, unit=model.latency_unit,
                                      fit_slope=fit_scale, ms_per_unit=float(model.ms_per_unit))

    increment = float(model.priming_increment)
    if fit_priming:
        best = minimize_scalar(lambda x: mapped(x)[1].rmse_ms, bounds=(0.0, 3.0),
                               method="bounded", options={"xatol": 1e-3})
        increment = round(float(best.x), 4)
    cycles, fit = mapped(increment)
    fitted = fit.fitted_ms
    return model.record_fit(FitReport(
        model=model.name,
        fitted={"priming_increment": increment, "intercept_ms": fit.mapping.intercept_ms,
                "ms_per_unit": fit.mapping.ms_per_unit},
        r=fit.r, rmse_ms=fit.rmse_ms, n_trials=int(len(trials)), rt_mapping=fit.mapping,
        details={"ms_per_position": float(np.polyfit(positions, fitted, 1)[0])},
        cells=[{"ordinal_position": int(p), "model_cycles": round(float(c), 2),
                "fitted_ms": round(float(f), 1), "human_ms": round(float(h), 1)}
               for p, c, f, h in zip(positions, cycles, fitted, human)]))


def howard_fit_report(model: Howard2006 | None = None, n_sequences: int = 8,
                      refit: bool = False) -> dict[str, Any]:
    """r and RMSE against Howard et al. (2006) by position (mapping fitted) and by lag."""
    from models.weaver.cumulative import cumulative_curves, report_against_howard
    from stimuli.published import published_table

    HOWARD_2006_BY_POSITION = published_table("howard2006-ordinal-position").mapping("ordinal_position", "rt_ms")

    model = model or Howard2006()
    trials = cumulative_curves(model, n_sequences)
    if refit:
        fit_to_position_means(model, trials.drop(columns="model_ms"),
                              pd.Series(HOWARD_2006_BY_POSITION, dtype=float))
        trials["model_ms"] = model.cycles(trials)
    howard = report_against_howard(model, trials, "cycles")
    summary = [
        {"task": "continuous-naming by position", "model": model.name,
         "comparison": "Howard et al. (2006) means, intercept + ms/cycle fitted",
         "r": howard["mapping"]["r"], "rmse_ms": howard["mapping"]["rmse_ms"], "n": 5},
        {"task": "continuous-naming by lag", "model": model.name,
         "comparison": "Howard et al. (2006) means by lag, same mapping", "r": None,
         "rmse_ms": howard["lag_rmse_ms"], "n": 4},
    ]
    return {"summary": summary,
            "tables": {"howard2006_position": howard["position"], "howard2006_lag": howard["lag"]},
            "ms_per_position": howard["ms_per_position"], "lag_range_ms": howard["lag_range_ms"],
            "mapping": howard["mapping"], "priming_increment": model.param("priming_increment")}
