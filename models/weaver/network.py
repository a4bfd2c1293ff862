"""WEAVER++ lexical networks, one small network per trial, stacked into one batch.

Roelofs (1992, 2003) simulated each experimental condition with a small network holding the
nodes that the stimuli on a trial reach: the concepts of the picture and of the word, their
superordinate concepts (IS-A links), the lemmas of all these concepts, the written input forms
of the words and the output forms (morphemes) of the lemmas. This module builds exactly such a
network for every trial of a trial list and pads them to one shape, so that the dynamics can step
all trials at once (``models.weaver.dynamics``).

Why not one big network for the whole stimulus set? With the published rates (conceptual rate
0.0101/ms = 0.2525 per 25-ms step, decay 0.6 per step) a concept connected to more than three or
four co-members amplifies activation without bound (the largest eigenvalue of the update exceeds
1). Roelofs' own larger networks scale the conceptual rate down for that reason (e.g. by 0.2 in the
WEAVER++/ARC programs). Per-trial networks keep the published rates exact and make the result
independent of how many items a stimulus set happens to contain.

Node kinds: ``concept``, ``lemma``, ``output_form`` (morpheme), ``input_form`` (orthographic
input form of a written word or nonword), ``button`` (a manual response node fed by a category
concept, as in Roelofs' 2018 picture classification).

Links (rates are per 25-ms step, i.e. the published per-ms value × Δt):

* concept ↔ concept: category co-members with each other and with their superordinate concept
  (IS-A), rate ``conceptual`` × link weight (1 by default; a relatedness table can set it);
* concept ↔ lemma (both directions, so a written word reaches its concept): ``concept_lemma``;
* input form → lemma, input form → output form (reading route b of Roelofs 2003, Fig. 7),
  lemma → output form: ``form``.

External input enters a node for a time window (onset, duration) with a fixed amount per step.
The goal-referenced enhancement of the target concept (Roelofs 2003, rule P1; both of Roelofs'
published programs) is such an input too: a second dose of the external input on the target
concept, from one verification (25 ms) after the target appears.

Two things decide *when* the flagged node may be selected: ``selection_onset_ms`` (the
verifications the condition–action rules need before the node is flagged, as in Roelofs' 2016
and 2018 programs) and, in the hazard, which nodes compete (``non_competitors``: superordinate
lemmas and other-language lemmas are in the network but, as in the programs, neither block
selection nor enter the Luce ratio).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

NODE_KINDS = ("concept", "lemma", "output_form", "input_form", "button")


@dataclass
class TrialNetwork:
    """The nodes, links, inputs and selection goal of one trial's network (built by rules)."""

    labels: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    #: (from_index, to_index, rate per step)
    links: list[tuple[int, int, float]] = field(default_factory=list)
    #: (node_index, onset_ms, offset_ms or None = until the end, amount per step)
    inputs: list[tuple[int, float, float | None, float]] = field(default_factory=list)
    #: (node_index, amount per step) for constant inputs present from the start of the run
    constant_inputs: list[tuple[int, float]] = field(default_factory=list)
    target: int = -1
    #: node kind among which the target is selected (Luce ratio and critical difference)
    selection_kind: str = "lemma"
    #: which response the selected node stands for (the word that will be said)
    response: str = ""
    #: nodes of the selection kind that neither block selection nor enter the Luce ratio
    non_competitors: set[int] = field(default_factory=set)
    #: ms after target onset before the rules have flagged the target node (verifications)
    selection_onset_ms: float = 0.0
    #: hazard = Luce ratio (True) or 1 once the critical difference is reached (False: the
    #: button responses of Roelofs' 2018 classification task)
    luce_selection: bool = True

    def node(self, label: str, kind: str) -> int:
        """Index of the node ``kind:label`` (created on first use)."""
        key = f"{kind}:{label}"
        if key in self.labels:
            return self.labels.index(key)
        if kind not in NODE_KINDS:
            raise ValueError(f"unknown node kind {kind!r}")
        self.labels.append(key)
        self.kinds.append(kind)
        return len(self.labels) - 1

    def has(self, label: str, kind: str) -> bool:
        return f"{kind}:{label}" in self.labels

    def link(self, a: int, b: int, rate: float, both_ways: bool = False) -> None:
        if rate == 0 or a == b:
            return
        self.links.append((a, b, rate))
        if both_ways:
            self.links.append((b, a, rate))

    def add_input(self, node: int, onset_ms: float, duration_ms: float | None,
                  amount: float) -> None:
        offset = None if duration_ms is None else onset_ms + duration_ms
        self.inputs.append((node, onset_ms, offset, amount))

    def candidates(self) -> list[int]:
        """The nodes the target competes with: the nodes of the selection kind, less the
        non-competitors (the target itself is among them; callers drop it)."""
        return [i for i, kind in enumerate(self.kinds)
                if kind == self.selection_kind and i not in self.non_competitors]


@dataclass
class NetworkBatch:
    """Many trial networks padded to ``n_nodes``; arrays indexed [trial, ...].

    ``weights[t, i, j]`` is the rate per step from node j to node i on trial t. Input windows are
    given in steps of the common time grid, which starts at ``grid_start_ms`` (≤ 0, the earliest
    distractor onset) and in which the target stimulus appears at step ``target_onset_step``.
    """

    weights: np.ndarray            # (trials, nodes, nodes)
    input_node: np.ndarray         # (trials, events) int
    input_onset_step: np.ndarray   # (trials, events) int, grid steps
    input_offset_step: np.ndarray  # (trials, events) int, grid steps (exclusive)
    input_amount: np.ndarray       # (trials, events) float
    constant_input: np.ndarray     # (trials, nodes) float
    target: np.ndarray             # (trials,) int
    candidates: np.ndarray         # (trials, nodes) bool, target excluded
    grid_start_ms: float
    step_ms: float
    target_onset_step: int
    n_steps_after_onset: int
    networks: list[TrialNetwork]
    #: (trials,) first hazard column at which the target may be selected (verifications)
    selection_onset_column: np.ndarray | None = None
    #: (trials,) bool: Luce-ratio hazard (True) or hazard 1 at the critical difference
    luce_selection: np.ndarray | None = None

    @property
    def n_trials(self) -> int:
        return self.weights.shape[0]

    @property
    def n_nodes(self) -> int:
        return self.weights.shape[1]

    @property
    def n_steps_total(self) -> int:
        return self.target_onset_step + self.n_steps_after_onset


def stack_networks(networks: list[TrialNetwork], step_ms: float,
                   max_latency_ms: float) -> NetworkBatch:
    """Pad the trial networks to one array shape and convert input windows to grid steps.

    Onsets are rounded to the nearest step (SOAs in the literature are multiples of 25 ms).
    """
    n_trials = len(networks)
    n_nodes = max(len(net.labels) for net in networks)
    n_events = max(1, max(len(net.inputs) for net in networks))
    earliest_ms = min([0.0] + [onset for net in networks for (_, onset, _, _) in net.inputs])
    grid_start_ms = step_ms * np.floor(earliest_ms / step_ms)
    target_onset_step = int(round(-grid_start_ms / step_ms))
    n_after = int(round(max_latency_ms / step_ms))
    n_total = target_onset_step + n_after

    weights = np.zeros((n_trials, n_nodes, n_nodes))
    input_node = np.zeros((n_trials, n_events), dtype=np.int64)
    onset = np.zeros((n_trials, n_events), dtype=np.int64)
    offset = np.zeros((n_trials, n_events), dtype=np.int64)
    amount = np.zeros((n_trials, n_events))
    constant = np.zeros((n_trials, n_nodes))
    target = np.zeros(n_trials, dtype=np.int64)
    candidates = np.zeros((n_trials, n_nodes), dtype=bool)
    for t, net in enumerate(networks):
        for a, b, rate in net.links:
            weights[t, b, a] += rate
        for e, (node, on_ms, off_ms, value) in enumerate(net.inputs):
            input_node[t, e] = node
            onset[t, e] = int(round((on_ms - grid_start_ms) / step_ms))
            offset[t, e] = n_total if off_ms is None else int(round((off_ms - grid_start_ms) / step_ms))
            amount[t, e] = value
        for node, value in net.constant_inputs:
            constant[t, node] += value
        target[t] = net.target
        for c in net.candidates():
            if c != net.target:
                candidates[t, c] = True
    selection_onset = np.array([int(round(net.selection_onset_ms / step_ms)) for net in networks],
                               dtype=np.int64)
    luce = np.array([net.luce_selection for net in networks], dtype=bool)
    return NetworkBatch(weights, input_node, onset, offset, amount, constant, target, candidates,
                        float(grid_start_ms), float(step_ms), target_onset_step, n_after, networks,
                        selection_onset, luce)


#: The most the network's own feedback may amplify activation within the simulated window.
#: Roelofs' own 2018 network (six concepts in one clique at half the conceptual rate, growth
#: factor 1.081 per step) amplifies 1.081^40 ≈ 23-fold over its 1000 ms and is accepted; a
#: network whose feedback multiplies activation more than a thousand-fold within the window
#: makes the Luce ratio a matter of which node runs away first and is refused.
MAX_AMPLIFICATION = 1000.0


def largest_growth_factor(weights: np.ndarray, decay_per_step: float) -> float:
    """Largest |eigenvalue| of the linear update a ← a(1−d) + W a over all trials.

    Above 1 activation grows geometrically; within a finite window that is harmless as long as
    the growth stays modest (:func:`amplification_within`).
    """
    eigenvalues = np.linalg.eigvals((1.0 - decay_per_step) * np.eye(weights.shape[1]) + weights)
    return float(np.abs(eigenvalues).max())


def amplification_within(growth_per_step: float, n_steps: int) -> float:
    """How much the feedback can amplify activation over ``n_steps`` (growth^steps, ≥ 1)."""
    return float(max(1.0, growth_per_step) ** n_steps)
