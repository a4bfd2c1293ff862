"""Cohen & Huston (1994): the bidirectional (interactive) variant of the PDP Stroop model.

Differences from the 1990 network (``models.pdp.cohen1990``):

* every layer — task units, colour hidden, word hidden, response — has lateral inhibition −2
  between its units (with more than two colours the inhibition is shared among the extra
  competitors: −2·(competitors in the two-colour net)/(competitors here), so each unit's
  total inhibition is unchanged, and the hidden → task feedback is scaled by 3/(n+1) for the
  same reason; with two colours both scalings are 1, i.e. the published network);
* hidden ↔ task (4.0) and hidden ↔ response (colour 1.5, word 2.5) connections are
  symmetric, so activation flows both ways;
* inputs reach their hidden units one-to-one (weight 1); hidden units have bias −4; each
  pathway has a neutral unit (XXXX, neutral words) that is not connected to the responses;
* the response is the first response unit whose activation reaches ``threshold`` (0.6); no
  accumulators.

All units are logistic and cascaded, updated synchronously from the previous cycle's
activations: net(t) = (1 − τ)·net(t−1) + τ·(Σ w a(t−1) + input), a = logistic(net + bias),
plus optional Gaussian noise (SD ``noise_sd``) on net. A trial settles for ``settle_cycles``
cycles with the task input on and the hidden↔response weights at 0, then the weights are set
and the stimulus comes on; the RT is the number of cycles from the relevant dimension's onset
until the threshold is reached (the cycle that reaches it counts).

With no noise, τ = 0.1 and 50 settling cycles this gives exactly colour naming 25 / 37 / 55 and
word reading 17 / 19 / 19 cycles (congruent / neutral / incongruent); with τ = 0.01 and 500
settling cycles 249 / 365 / 548 and 171 / 184 / 188 (``published_targets.md``, section 1).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from models.pdp.base import NetworkResult, PDPStroopModel, logistic
from models.pdp.stimuli import EncodedTrials


class BidirectionalNetwork:
    """Weight matrix and biases of the bidirectional network for ``n`` colours.

    Units, in order: task (colour naming, word reading), colour hidden (n colours + neutral),
    word hidden (n + neutral), response (n).
    """

    def __init__(self, n_colours: int, *, task_weight: float, colour_weight: float,
                 word_weight: float, inhibition: float, hidden_bias: float):
        n, size = n_colours, n_colours + 1
        self.n_colours = n
        self.task = slice(0, 2)
        self.colour = slice(2, 2 + size)
        self.word = slice(2 + size, 2 + 2 * size)
        self.response = slice(2 + 2 * size, 2 + 2 * size + n)
        units = 2 + 2 * size + n
        weights = np.zeros((units, units))
        # With more colours, a unit's inhibition is shared among more competitors so that its
        # total (all competitors equally active) equals the published two-colour network's.
        published_competitors = ((self.task, 1), (self.colour, 2), (self.word, 2), (self.response, 1))
        for layer, competitors_2 in published_competitors:
            size_layer = layer.stop - layer.start
            block = np.full((size_layer, size_layer), inhibition * competitors_2 / (size_layer - 1))
            np.fill_diagonal(block, 0.0)
            weights[layer, layer] = block
        # Task ↔ hidden: +task_weight both ways. The feedback a task unit receives sums over
        # the n+1 hidden units of its pathway, so it is scaled by 3/(n+1) (3 = the published
        # pathway's size) to keep the task unit's total input as in the published network.
        feedback = task_weight * 3 / size
        weights[0, self.colour] = weights[1, self.word] = task_weight
        weights[self.colour, 0] = weights[self.word, 1] = feedback
        self.settle_weights = weights.copy()
        for pathway, w in ((self.colour, colour_weight), (self.word, word_weight)):
            for i in range(n):
                weights[pathway.start + i, self.response.start + i] = w
                weights[self.response.start + i, pathway.start + i] = w
        self.weights = weights
        self.bias = np.zeros(units)
        self.bias[self.colour] = hidden_bias
        self.bias[self.word] = hidden_bias
        self.units = units

    def settle(self, rate: float, cycles: int) -> np.ndarray:
        """Net inputs after settling with only a task input on (row 0: colour naming, 1: word
        reading), hidden↔response weights at 0. Deterministic."""
        net = np.zeros((2, self.units))
        external = np.zeros((2, self.units))
        external[0, 0] = external[1, 1] = 1.0
        for _ in range(cycles):
            act = logistic(net + self.bias)
            net = (1 - rate) * net + rate * (act @ self.settle_weights + external)
        return net


def run_bidirectional(network: BidirectionalNetwork, encoded: EncodedTrials, *, rate: float,
                      noise_sd: float, threshold: float, settle_cycles: int, max_cycles: int,
                      ms_per_cycle: float, rng: np.random.Generator, repeats: int = 1) -> NetworkResult:
    """All trials × ``repeats`` at once: a trial × unit net-input array, a loop over cycles."""
    task = np.tile(encoded.task, repeats)
    ink = np.tile(encoded.ink, repeats)
    word = np.tile(encoded.word, repeats)
    colour_on, word_on, relevant_on = (np.tile(a, repeats) for a in encoded.onsets_cycles(ms_per_cycle))
    total = len(task)
    rows = np.arange(total)
    net = network.settle(rate, settle_cycles)[task]
    external = np.zeros((total, network.units))
    external[rows, task] = 1.0                     # the task input stays on
    colour_unit = network.colour.start + ink
    word_unit = network.word.start + word
    resp = network.response

    from scipy.special import expit

    response_unit = np.full(total, -1, dtype=np.int64)
    rt_cycles = np.full(total, np.nan)
    done = np.zeros(total, dtype=bool)
    ids = np.arange(total)                         # batch rows -> trials (the batch shrinks)
    decay = 1 - rate
    step_weights = rate * network.weights
    last_onset = int(max(colour_on.max(), word_on.max()))
    last_cycle = int(relevant_on.max()) + max_cycles
    for cycle in range(last_cycle):
        if cycle <= last_onset:                    # a dimension's input comes on at its onset
            starting = colour_on == cycle
            external[rows[starting], colour_unit[starting]] = 1.0
            starting = word_on == cycle
            external[rows[starting], word_unit[starting]] = 1.0
        act = expit(net + network.bias)
        net *= decay
        net += act @ step_weights
        net += rate * external
        if noise_sd > 0:
            net += noise_sd * rng.standard_normal(net.shape)
        response_act = expit(net[:, resp])
        crossed = response_act.max(axis=1) >= threshold
        crossed &= ~done
        if cycle < last_onset:
            crossed &= cycle >= relevant_on
        if crossed.any():
            hit = np.flatnonzero(crossed)
            response_unit[ids[hit]] = response_act[hit].argmax(axis=1)
            rt_cycles[ids[hit]] = cycle - relevant_on[hit] + 1
            done[hit] = True
        if cycle + 1 >= max_cycles:
            done |= cycle - relevant_on + 1 >= max_cycles
        n_done = int(np.count_nonzero(done))
        if n_done == len(ids):
            break
        if n_done * 4 >= len(ids):                 # drop finished trials from the batch
            keep = ~done
            ids, net, external, done = ids[keep], net[keep], external[keep], done[keep]
            colour_on, word_on, relevant_on = colour_on[keep], word_on[keep], relevant_on[keep]
            colour_unit, word_unit = colour_unit[keep], word_unit[keep]
            rows = np.arange(len(ids))
    return NetworkResult(response_unit=response_unit, rt_cycles=rt_cycles)


class CohenHuston1994(PDPStroopModel):
    """The bidirectional PDP Stroop model of Cohen & Huston (1994).

    Defaults are the deterministic configuration of the correctness anchor (no noise, rate 0.1,
    50 settling cycles, threshold 0.6); ``noise_sd`` > 0 adds Gaussian noise to every net
    input each cycle (then agents differ and errors appear, mostly on incongruent trials).
    ``ms_per_unit`` (ms per cycle) / ``intercept_ms`` default to the line fitted to Dunbar &
    MacLeod (1984); ``soa_ms_per_cycle`` (the same calibration, never changed by ``fit``) turns
    ``soa_ms`` into cycles.
    """

    name = "cohen-huston1994"
    version = "1.0"
    tasks = ("stroop",)
    summary = ("Cohen & Huston (1994) bidirectional PDP Stroop model: lateral inhibition, "
               "symmetric hidden↔response weights, response threshold 0.6")
    #: Fittable parameters (lower, upper, plausible lower, plausible upper), see
    #: docs/models/fitting.md; no recovery study yet, so none is declared identifiable.
    free_parameters = {"threshold": (0.2, 0.95, 0.45, 0.8),
                       "ms_per_unit": (1.0, 60.0, 5.0, 15.0),
                       "intercept_ms": (0.0, 1500.0, 200.0, 500.0)}
    default_free = ("threshold", "ms_per_unit", "intercept_ms", "residual_sd_ms",
                    "residual_tau_ms")
    identifiable_parameters = ()

    def __init__(self, *, colours: Sequence[str] | str | None = None, rate: float = 0.1,
                 settle_cycles: int = 50, threshold: float = 0.6, noise_sd: float = 0.0,
                 task_weight: float = 4.0, colour_weight: float = 1.5, word_weight: float = 2.5,
                 inhibition: float = -2.0, hidden_bias: float = -4.0, max_cycles: int = 1000,
                 ms_per_unit: float = 9.29, intercept_ms: float = 336.4,
                 soa_ms_per_cycle: float = 9.29, fit_agents: int = 200, fit_seed: int = 0):
        self.colours = colours
        self.rate = rate
        self.settle_cycles = settle_cycles
        self.threshold = threshold
        self.noise_sd = noise_sd
        self.task_weight = task_weight
        self.colour_weight = colour_weight
        self.word_weight = word_weight
        self.inhibition = inhibition
        self.hidden_bias = hidden_bias
        self.max_cycles = max_cycles
        self.ms_per_unit = ms_per_unit
        self.intercept_ms = intercept_ms
        self.soa_ms_per_cycle = soa_ms_per_cycle
        self.fit_agents = fit_agents
        self.fit_seed = fit_seed

    def network(self, n_colours: int) -> BidirectionalNetwork:
        return BidirectionalNetwork(n_colours, task_weight=float(self.task_weight),
                                    colour_weight=float(self.colour_weight),
                                    word_weight=float(self.word_weight),
                                    inhibition=float(self.inhibition),
                                    hidden_bias=float(self.hidden_bias))

    def fit_repeats(self) -> int:
        return int(self.fit_agents) if float(self.noise_sd) > 0 else 1

    def run_network(self, encoded: EncodedTrials, repeats: int, rng: np.random.Generator) -> NetworkResult:
        return run_bidirectional(
            self.network(encoded.n_colours), encoded, rate=float(self.rate),
            noise_sd=float(self.noise_sd), threshold=float(self.threshold),
            settle_cycles=int(self.settle_cycles), max_cycles=int(self.max_cycles),
            ms_per_cycle=float(self.soa_ms_per_cycle), rng=rng, repeats=repeats)
