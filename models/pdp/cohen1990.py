"""Cohen, Dunbar & McClelland (1990): the cascaded PDP model of the Stroop effect.

Colour and word inputs reach the response units through two pathways of hidden units. Task-
demand units (colour naming / word reading) add +4 to the hidden units of the attended pathway,
cancelling their bias of −4. Units are logistic and *cascaded*: each unit's net input is a
running average of its input,

    net_j(t) = τ·(Σ_i w_ij a_i(t−1) + b_j) + (1 − τ)·net_j(t−1) + ε_j(t),   a_j = 1/(1 + e^(−net_j)),

with Gaussian noise ε (SD ``noise_sd``). A trial first settles with only the task unit on
(noise-free, ``settle_cycles`` cycles), then the stimulus comes on. One evidence accumulator per
response adds, every cycle, N(α·(a_i − max_{j≠i} a_j), σ²); the first to reach θ gives the
response and the cycle count its RT. RT in ms = ``intercept_ms`` + ``ms_per_unit``·cycles (``models.base.RTMapping``).

The simulation runs all trials (× agents) as one batch: a trial × unit array per cycle, a loop
over cycles only, finished trials dropped from the batch as it goes. Word reading is faster and
nearly immune to the ink because its pathway is stronger (Fig. 3 weights, or weights trained by
back-propagation with words 10× as frequent: ``weights="trained"``, see ``models.pdp.training``).
See ``docs/models/pdp-stroop.md``.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from models.base import ModelInputError
from models.pdp.base import NetworkResult, PDPStroopModel, logistic
from models.pdp.stimuli import EncodedTrials
from models.pdp.weights import StroopWeights, fig3_weights


def settle_states(weights: StroopWeights, rate: float, settle_cycles: int) -> tuple[np.ndarray, np.ndarray]:
    """Net inputs of hidden and response units after settling with only a task unit on
    (row 0: colour naming, row 1: word reading). Deterministic: at rest the network sits at a
    fixed point and noise would only jitter it."""
    _, _, task, out = weights.hidden_inputs()
    drive = task + weights.hidden_bias
    net_h = np.zeros_like(drive)
    net_r = np.zeros((2, out.shape[1]))
    for _ in range(settle_cycles):
        act_h = logistic(net_h)
        net_r = rate * (act_h @ out) + (1 - rate) * net_r
        net_h = rate * drive + (1 - rate) * net_h
    return net_h, net_r


#: Trials simulated together: big enough to amortise Python's per-cycle overhead, small
#: enough that a batch's arrays stay in the CPU cache.
BATCH_TRIALS = 16384


def run_cascade(weights: StroopWeights, encoded: EncodedTrials, *, rate: float, noise_sd: float,
                accumulator_rate: float, accumulator_noise_sd: float, threshold: float,
                settle_cycles: int, max_cycles: int, ms_per_cycle: float,
                rng: np.random.Generator, repeats: int = 1,
                batch_trials: int = BATCH_TRIALS) -> NetworkResult:
    """Simulate every trial of ``encoded`` ``repeats`` times, ``batch_trials`` at a time (one
    trial × unit array per batch and cycle; see the module doc). ``batch_trials=1`` runs the
    same code one trial at a time (the benchmark's baseline)."""
    task = np.tile(encoded.task, repeats)
    ink = np.tile(encoded.ink, repeats)
    word = np.tile(encoded.word, repeats)
    onsets = [np.tile(a, repeats) for a in encoded.onsets_cycles(ms_per_cycle)]
    settled = settle_states(weights, rate, settle_cycles)
    total = len(task)
    response_unit = np.full(total, -1, dtype=np.int64)
    rt_cycles = np.full(total, np.nan)
    options = dict(rate=rate, noise_sd=noise_sd, accumulator_rate=accumulator_rate,
                   accumulator_noise_sd=accumulator_noise_sd, threshold=threshold,
                   max_cycles=max_cycles, rng=rng)
    for start in range(0, total, max(1, int(batch_trials))):
        part = slice(start, start + max(1, int(batch_trials)))
        response_unit[part], rt_cycles[part] = _run_batch(
            weights, settled, task[part], ink[part], word[part], *(o[part] for o in onsets), **options)
    return NetworkResult(response_unit=response_unit, rt_cycles=rt_cycles)


def _run_batch(weights: StroopWeights, settled: tuple[np.ndarray, np.ndarray], task: np.ndarray,
               ink: np.ndarray, word: np.ndarray, colour_onset: np.ndarray, word_onset: np.ndarray,
               relevant_onset: np.ndarray, *, rate: float, noise_sd: float, accumulator_rate: float,
               accumulator_noise_sd: float, threshold: float, max_cycles: int,
               rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    from scipy.special import expit

    dtype = np.float32
    colour_w, word_w, task_w, out = (m.astype(dtype) for m in weights.hidden_inputs())
    total = len(task)
    # The batch shrinks as trials respond; `ids` maps its rows to the trials.
    ids = np.arange(total)
    net_h = settled[0][task].astype(dtype)
    net_r = settled[1][task].astype(dtype)
    n_hidden, n_resp = net_h.shape[1], net_r.shape[1]
    accumulators = np.zeros((total, n_resp), dtype=dtype)
    step_drive = (rate * (task_w[task] + weights.hidden_bias)).astype(dtype)   # τ·(task input + bias)
    colour_step, word_step = rate * colour_w[ink], rate * word_w[word]
    c_on, w_on, r_on = colour_onset, word_onset, relevant_onset
    noise_scale = np.r_[np.full(n_hidden + n_resp, noise_sd),
                        np.full(n_resp, accumulator_noise_sd)].astype(dtype)
    decay = dtype(1 - rate)
    last_onset = int(max(c_on.max(), w_on.max()))
    last_cycle = int(r_on.max()) + max_cycles

    response_unit = np.full(total, -1, dtype=np.int64)
    rt_cycles = np.full(total, np.nan)
    done = np.zeros(total, dtype=bool)
    for cycle in range(last_cycle):
        if cycle <= last_onset:       # a dimension's input comes on at its onset cycle
            starting = c_on == cycle
            step_drive[starting] += colour_step[starting]
            starting = w_on == cycle
            step_drive[starting] += word_step[starting]
        noise = rng.standard_normal((len(ids), n_hidden + 2 * n_resp), dtype=dtype)
        noise *= noise_scale
        act_h = expit(net_h)
        net_r *= decay
        net_r += rate * (act_h @ out)
        net_r += noise[:, n_hidden:n_hidden + n_resp]
        net_h *= decay
        net_h += step_drive
        net_h += noise[:, :n_hidden]
        act_r = expit(net_r)
        # evidence for each response: its activation minus the strongest competitor's
        ordered = np.sort(act_r, axis=1)
        best, second = ordered[:, -1:], ordered[:, -2:-1]
        evidence = act_r - np.where(act_r >= best, second, best)
        evidence *= accumulator_rate
        evidence += noise[:, n_hidden + n_resp:]
        if cycle < last_onset:
            evidence *= (cycle >= r_on)[:, None]   # accumulate from the relevant onset on
        accumulators += evidence
        crossed = accumulators.max(axis=1) >= threshold
        crossed &= ~done
        if crossed.any():
            rows = np.flatnonzero(crossed)
            response_unit[ids[rows]] = accumulators[rows].argmax(axis=1)
            rt_cycles[ids[rows]] = cycle - r_on[rows] + 1
            done[rows] = True
        if cycle + 1 >= max_cycles:
            done |= cycle - r_on + 1 >= max_cycles     # past its own limit: no response
        n_done = int(np.count_nonzero(done))
        if n_done == len(ids):
            break
        if n_done * 4 >= len(ids):                 # drop finished trials from the batch
            keep = ~done
            ids, net_h, net_r, accumulators = ids[keep], net_h[keep], net_r[keep], accumulators[keep]
            step_drive, colour_step, word_step = step_drive[keep], colour_step[keep], word_step[keep]
            c_on, w_on, r_on, done = c_on[keep], w_on[keep], r_on[keep], done[keep]
    return response_unit, rt_cycles


class Cohen1990(PDPStroopModel):
    """The cascaded PDP Stroop model of Cohen, Dunbar & McClelland (1990).

    Parameters (sources in ``docs/models/pdp-stroop.md``):

    * ``colours`` — colour keys with units; None: the trial list's colours (at least red, green).
    * ``weights`` — ``"fig3"`` (published) or ``"trained"`` (back-propagation, see
      ``word_reading_frequency``, ``training_epochs``, ``training_learning_rate``, ``training_seed``).
    * ``rate`` τ of the cascade (0.1: re-implementations; the paper's 0.01 needs the accumulator
      rate and noise rescaled to match), ``noise_sd`` (net-input noise per cycle),
      ``accumulator_rate`` α, ``accumulator_noise_sd`` σ, ``threshold`` θ.
    * ``settle_cycles`` before stimulus onset, ``max_cycles`` after it (no response → NaN RT).
    * ``ms_per_unit`` (ms per cycle), ``intercept_ms`` — the cycles→ms line
      (``models.base.RTMapping``); defaults fitted to Dunbar & MacLeod (1984) with the
      two-colour network (``fit`` puts its own into ``fitted_``).
    * ``soa_ms_per_cycle`` — the model's own time scale, which turns ``soa_ms`` (defined in ms at
      the stimulus) into cycles: the Dunbar & MacLeod calibration, as Cohen et al. (1990) used
      for their SOA simulation. ``fit`` never changes it, so an SOA means the same number of
      cycles whatever data the RT line was fitted to last.
    * ``fit_agents``, ``fit_seed`` — simulated repetitions of the balanced design in ``fit``.
    """

    name = "cohen1990"
    version = "1.0"
    tasks = ("stroop",)
    summary = ("Cohen, Dunbar & McClelland (1990) cascaded PDP Stroop model: two pathways, "
               "task-demand units, evidence accumulators (Fig. 3 weights or back-prop training)")
    #: Fittable parameters: (lower, upper, plausible lower, plausible upper); see
    #: ``models.fitting.parameters`` and docs/models/fitting.md.
    free_parameters = {"threshold": (0.3, 3.0, 0.6, 1.6),
                       "ms_per_unit": (1.0, 60.0, 8.0, 20.0),
                       "intercept_ms": (0.0, 1500.0, 150.0, 450.0),
                       "accumulator_noise_sd": (0.01, 0.5, 0.05, 0.2),
                       "accumulator_rate": (0.01, 0.5, 0.05, 0.2)}
    #: residual_sd_ms is not among them: the accumulators' own noise spreads the RTs so much
    #: that its recovery r was 0.68 (docs/models/fitting.md); τ of the residual recovers.
    default_free = ("threshold", "ms_per_unit", "intercept_ms", "residual_tau_ms")
    identifiable_parameters = default_free

    def __init__(self, *, colours: Sequence[str] | str | None = None, weights: str = "fig3",
                 rate: float = 0.1, noise_sd: float = 0.01, accumulator_rate: float = 0.1,
                 accumulator_noise_sd: float = 0.1, threshold: float = 1.0,
                 settle_cycles: int = 100, max_cycles: int = 1000,
                 ms_per_unit: float = 13.86, intercept_ms: float = 152.3,
                 soa_ms_per_cycle: float = 13.86, word_reading_frequency: float = 10.0, training_epochs: int = 150,
                 training_learning_rate: float = 0.1, training_seed: int = 0,
                 fit_agents: int = 2000, fit_seed: int = 0):
        self.colours = colours
        self.weights = weights
        self.rate = rate
        self.noise_sd = noise_sd
        self.accumulator_rate = accumulator_rate
        self.accumulator_noise_sd = accumulator_noise_sd
        self.threshold = threshold
        self.settle_cycles = settle_cycles
        self.max_cycles = max_cycles
        self.ms_per_unit = ms_per_unit
        self.intercept_ms = intercept_ms
        self.soa_ms_per_cycle = soa_ms_per_cycle
        self.word_reading_frequency = word_reading_frequency
        self.training_epochs = training_epochs
        self.training_learning_rate = training_learning_rate
        self.training_seed = training_seed
        self.fit_agents = fit_agents
        self.fit_seed = fit_seed
        self._weights_cache: dict[tuple, StroopWeights] = {}

    # ---------------------------------------------------------------- weights
    def network_weights(self, n_colours: int) -> StroopWeights:
        """Fig. 3 weights, or weights learned by back-propagation. Cached under every
        parameter that decides them, so ``set_params`` (or an assignment) never leaves a
        stale network behind."""
        if self.weights == "fig3":
            key: tuple = ("fig3", n_colours)
        elif self.weights == "trained":
            key = ("trained", n_colours, float(self.word_reading_frequency),
                   int(self.training_epochs), float(self.training_learning_rate),
                   int(self.training_seed))
        else:
            raise ModelInputError(f"model {self.name}: weights must be 'fig3' or 'trained', "
                                  f"not {self.weights!r}")
        if key not in self._weights_cache:
            if key[0] == "fig3":
                self._weights_cache[key] = fig3_weights(n_colours)
            else:
                from models.pdp.training import train_weights
                self._weights_cache[key] = train_weights(
                    n_colours, word_reading_frequency=self.word_reading_frequency,
                    epochs=self.training_epochs, learning_rate=self.training_learning_rate,
                    seed=self.training_seed)
        return self._weights_cache[key]

    def run_network(self, encoded: EncodedTrials, repeats: int, rng: np.random.Generator) -> NetworkResult:
        return run_cascade(
            self.network_weights(encoded.n_colours), encoded, rate=float(self.rate),
            noise_sd=float(self.noise_sd), accumulator_rate=float(self.accumulator_rate),
            accumulator_noise_sd=float(self.accumulator_noise_sd), threshold=float(self.threshold),
            settle_cycles=int(self.settle_cycles), max_cycles=int(self.max_cycles),
            ms_per_cycle=float(self.soa_ms_per_cycle), rng=rng, repeats=repeats)
