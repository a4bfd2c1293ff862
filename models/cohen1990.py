"""Cohen, Dunbar & McClelland (1990): the cascaded PDP model of the Stroop effect.

Colour and word inputs reach the response units through two pathways of hidden units. Task-
demand units (colour naming / word reading) add +4 to the hidden units of the attended pathway,
cancelling their bias of −4. Units are logistic and *cascaded*: each unit's net input is a
running average of its input,

    net_j(t) = τ·(Σ_i w_ij a_i(t−1) + b_j) + (1 − τ)·net_j(t−1) + ε_j(t),   a_j = 1/(1 + e^(−net_j)),

with Gaussian noise ε (SD ``noise_sd``). A trial first settles with only the task unit on
(noise-free, ``settle_cycles`` cycles), then the stimulus comes on. One evidence accumulator per
response adds, every cycle, N(α·(a_i − max_{j≠i} a_j), σ²); the first to reach θ gives the
response and the cycle count its RT. RT in ms = ``intercept_ms`` + ``ms_per_cycle``·cycles.

The simulation runs all trials (× agents) as one batch: a trial × unit array per cycle, a loop
over cycles only, finished trials dropped from the batch as it goes. Word reading is faster and
nearly immune to the ink because its pathway is stronger (Fig. 3 weights, or weights trained by
back-propagation with words 10× as frequent: ``weights="trained"``, see ``models.pdp_training``).
See ``docs/models/pdp-stroop.md``.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from models.base import ModelInputError
from models.pdp_base import NetworkResult, PDPStroopModel, logistic
from models.pdp_stimuli import EncodedTrials
from models.pdp_weights import StroopWeights, fig3_weights


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


def run_cascade(weights: StroopWeights, encoded: EncodedTrials, *, rate: float, noise_sd: float,
                accumulator_rate: float, accumulator_noise_sd: float, threshold: float,
                settle_cycles: int, max_cycles: int, ms_per_cycle: float,
                rng: np.random.Generator, repeats: int = 1) -> NetworkResult:
    """Simulate every trial of ``encoded`` ``repeats`` times, all at once (see module doc)."""
    colour_w, word_w, _, out = weights.hidden_inputs()
    task = np.tile(encoded.task, repeats)
    ink = np.tile(encoded.ink, repeats)
    word = np.tile(encoded.word, repeats)
    colour_onset, word_onset, relevant_onset = (np.tile(a, repeats) for a in encoded.onsets_cycles(ms_per_cycle))
    total = len(task)
    settled_h, settled_r = settle_states(weights, rate, settle_cycles)
    _, _, task_w, _ = weights.hidden_inputs()

    # Active batch (shrinks as trials respond); `ids` maps batch rows to trial numbers.
    ids = np.arange(total)
    net_h = settled_h[task].copy()
    net_r = settled_r[task].copy()
    accumulators = np.zeros((total, weights.n_colours))
    drive = task_w[task] + weights.hidden_bias           # hidden input from task units + bias
    colour_part, word_part = colour_w[ink], word_w[word]
    c_on, w_on, r_on = colour_onset, word_onset, relevant_onset
    last_cycle = int(r_on.max()) + max_cycles

    response_unit = np.full(total, -1, dtype=np.int64)
    rt_cycles = np.full(total, np.nan)
    n_hidden, n_resp = net_h.shape[1], net_r.shape[1]
    step_drive = rate * drive
    done = np.zeros(total, dtype=bool)
    for cycle in range(last_cycle):
        # stimulus onsets: add a dimension's input on its onset cycle
        starting_c, starting_w = c_on == cycle, w_on == cycle
        if starting_c.any():
            step_drive[starting_c] += rate * colour_part[starting_c]
        if starting_w.any():
            step_drive[starting_w] += rate * word_part[starting_w]
        act_h = logistic(net_h)
        act_r_input = act_h @ out
        noise = rng.standard_normal((len(ids), n_hidden + 2 * n_resp))
        net_r = rate * act_r_input + (1 - rate) * net_r + noise_sd * noise[:, n_hidden:n_hidden + n_resp]
        net_h = step_drive + (1 - rate) * net_h + noise_sd * noise[:, :n_hidden]
        act_r = logistic(net_r)
        # evidence for each response: its activation minus the strongest competitor's
        ordered = np.sort(act_r, axis=1)
        best, second = ordered[:, -1:], ordered[:, -2:-1]
        evidence = act_r - np.where(act_r >= best, second, best)
        accumulating = (cycle >= r_on)[:, None]
        accumulators += accumulating * (accumulator_rate * evidence
                                        + accumulator_noise_sd * noise[:, n_hidden + n_resp:])
        crossed = (accumulators.max(axis=1) >= threshold) & ~done
        if crossed.any():
            rows = np.flatnonzero(crossed)
            response_unit[ids[rows]] = accumulators[rows].argmax(axis=1)
            rt_cycles[ids[rows]] = cycle - r_on[rows] + 1
            done[rows] = True
        done |= cycle - r_on + 1 >= max_cycles     # past its own limit: no response
        n_done = int(done.sum())
        if n_done == len(ids):
            break
        if n_done * 4 >= len(ids):                 # drop finished trials from the batch
            keep = ~done
            ids, net_h, net_r, accumulators = ids[keep], net_h[keep], net_r[keep], accumulators[keep]
            step_drive, colour_part, word_part = step_drive[keep], colour_part[keep], word_part[keep]
            c_on, w_on, r_on, done = c_on[keep], w_on[keep], r_on[keep], done[keep]
    return NetworkResult(response_unit=response_unit, rt_cycles=rt_cycles)


class Cohen1990(PDPStroopModel):
    """The cascaded PDP Stroop model of Cohen, Dunbar & McClelland (1990)."""

    name = "cohen1990"
    version = "1.0"
    tasks = ("stroop",)
    summary = ("Cohen, Dunbar & McClelland (1990) cascaded PDP Stroop model: two pathways, "
               "task-demand units, evidence accumulators (Fig. 3 weights or back-prop training)")

    def __init__(self, *, colours: Sequence[str] | str | None = None, weights: str = "fig3",
                 rate: float = 0.1, noise_sd: float = 0.01, accumulator_rate: float = 0.1,
                 accumulator_noise_sd: float = 0.1, threshold: float = 1.0,
                 settle_cycles: int = 100, max_cycles: int = 1000,
                 ms_per_cycle: float = 14.0, intercept_ms: float = 300.0,
                 word_reading_frequency: float = 10.0, training_epochs: int = 150,
                 training_learning_rate: float = 0.1, training_seed: int = 0,
                 fit_agents: int = 40, fit_seed: int = 0):
        self.colours = colours
        self.weights = weights
        self.rate = rate
        self.noise_sd = noise_sd
        self.accumulator_rate = accumulator_rate
        self.accumulator_noise_sd = accumulator_noise_sd
        self.threshold = threshold
        self.settle_cycles = settle_cycles
        self.max_cycles = max_cycles
        self.ms_per_cycle = ms_per_cycle
        self.intercept_ms = intercept_ms
        self.word_reading_frequency = word_reading_frequency
        self.training_epochs = training_epochs
        self.training_learning_rate = training_learning_rate
        self.training_seed = training_seed
        self.fit_agents = fit_agents
        self.fit_seed = fit_seed
        self._weights_cache: dict[int, StroopWeights] = {}

    # ---------------------------------------------------------------- weights
    def network_weights(self, n_colours: int) -> StroopWeights:
        """Fig. 3 weights, or weights learned by back-propagation (cached per colour count)."""
        if n_colours not in self._weights_cache:
            if self.weights == "fig3":
                self._weights_cache[n_colours] = fig3_weights(n_colours)
            elif self.weights == "trained":
                from models.pdp_training import train_weights
                self._weights_cache[n_colours] = train_weights(
                    n_colours, word_reading_frequency=self.word_reading_frequency,
                    epochs=self.training_epochs, learning_rate=self.training_learning_rate,
                    seed=self.training_seed)
            else:
                raise ModelInputError(f"model {self.name}: weights must be 'fig3' or 'trained', "
                                      f"not {self.weights!r}")
        return self._weights_cache[n_colours]

    def run_network(self, encoded: EncodedTrials, repeats: int, rng: np.random.Generator) -> NetworkResult:
        return run_cascade(
            self.network_weights(encoded.n_colours), encoded, rate=float(self.rate),
            noise_sd=float(self.noise_sd), accumulator_rate=float(self.accumulator_rate),
            accumulator_noise_sd=float(self.accumulator_noise_sd), threshold=float(self.threshold),
            settle_cycles=int(self.settle_cycles), max_cycles=int(self.max_cycles),
            ms_per_cycle=float(self.ms_per_cycle), rng=rng, repeats=repeats)
