"""WEAVER++ spreading activation and the Luce-ratio selection hazard, batched over trials.

Activation rule (Roelofs 1992, Eq. 1), per time step Δt:

    a(m, t + Δt) = a(m, t) · (1 − d) + Σ_n r_nm · a(n, t) + x(m, t)

with decay d and rate r_nm per step (the published per-ms values × Δt) and external input x.
All trials' networks are one array (trials × nodes); the loop runs over time steps only.

Selection (Roelofs 1992, 2003 mathematical characterisation): at step s after target onset the
flagged target node may be selected only if its activation exceeds that of every competitor by the
critical difference; then the hazard is the Luce ratio

    h(s) = a(target, s) / Σ_{c ∈ candidates ∪ {target}} a(c, s),

else h(s) = 0 (and 0 until the rules have flagged the node: ``selection_onset_column``).
The hazard feeds ``models.weaver.hazard`` (survival, E[T], sampling).

Timing (``HAZARD_TIMINGS``). Roelofs' programs (2016 ``ERP_bilingual_lemret.c``, 2018
``CONCEPTUAL BIAS.C``; transcribed in the public notebooks of project-ccap/project-ccap.github.io)
compute the hazard *before* each update, from the state reached at the previous step (Roelofs
1992, Eq. 2): h(s) uses the activation after s − 1 updates, so a selection on the state after
k updates takes (k + 1)·Δt. That is the default, ``"before_update"``. mirrorlab's earlier
``"after_update"`` used the state after s updates (latencies one step, 25 ms, shorter).

``hazard_reference_loop`` is the same computation written as a plain per-trial, per-node Python
loop; it exists to check the vectorised code and to measure its speed-up (benchmarks).
"""

from __future__ import annotations

import numpy as np

from models.weaver.network import NetworkBatch

HAZARD_TIMINGS = ("before_update", "after_update")


def external_input_at(batch: NetworkBatch, step: int) -> np.ndarray:
    """External input (trials × nodes) during grid step ``step``."""
    active = (batch.input_onset_step <= step) & (step < batch.input_offset_step)
    x = batch.constant_input.copy()
    rows = np.arange(batch.n_trials)
    for e in range(batch.input_node.shape[1]):  # a handful of input events, not trials
        x[rows, batch.input_node[:, e]] += active[:, e] * batch.input_amount[:, e]
    return x


def selection_hazard(target_act: np.ndarray, competitor_act: np.ndarray,
                     competitor_mask: np.ndarray, critical_difference: float,
                     luce: np.ndarray | None = None) -> np.ndarray:
    """Luce-ratio hazard of selecting the target now, 0 unless it leads by the critical difference.

    target_act: (trials,); competitor_act / competitor_mask: (trials, competitors), the mask
    marking real competitors (rows are padded to the same width). Where ``luce`` is False the
    hazard is 1 as soon as the target leads (button responses, Roelofs 2018).
    """
    strongest = np.where(competitor_mask, competitor_act, -np.inf).max(axis=1, initial=-np.inf)
    strongest = np.where(np.isfinite(strongest), strongest, 0.0)
    pool = target_act + np.where(competitor_mask, np.maximum(competitor_act, 0.0), 0.0).sum(axis=1)
    # "exceeds by the critical difference" (Roelofs 1992; the programs test a − b > CD)
    eligible = (target_act - strongest > critical_difference) & (pool > 0)
    ratio = target_act / np.where(pool > 0, pool, 1.0)
    if luce is not None:
        ratio = np.where(luce, ratio, 1.0)
    return np.where(eligible, ratio, 0.0)


def _competitor_index(candidates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(trials, max competitors) node indices and mask from the boolean candidate matrix."""
    counts = candidates.sum(axis=1)
    width = max(1, int(counts.max()) if len(counts) else 1)
    order = np.argsort(~candidates, axis=1, kind="stable")[:, :width]
    mask = np.arange(width)[None, :] < counts[:, None]
    return order, mask


def _selection_open(batch: NetworkBatch, column: int) -> np.ndarray | bool:
    """Whether the rules have flagged each trial's target by hazard column ``column``."""
    if batch.selection_onset_column is None:
        return True
    return column >= batch.selection_onset_column


def _state_column(step: int, target_onset_step: int) -> int:
    """Hazard column (0-based; column c is a latency of (c+1)·Δt) filled at grid step ``step``:
    from the state before that step's update (``before_update``) or after it."""
    return step - target_onset_step


def run_hazard(batch: NetworkBatch, decay_per_step: float, critical_difference: float,
               record_activation: bool = False, timing: str = "before_update"):
    """Step all trial networks over the common time grid; return the hazard after target onset.

    Returns ``hazard`` (trials × steps after onset; column s−1 is the hazard of selection at
    s·Δt ms after the target appeared) and, if asked, the activation that hazard was computed
    from (trials × steps × nodes). ``timing`` says which state that is (module docstring).
    """
    if timing not in HAZARD_TIMINGS:
        raise ValueError(f"hazard timing {timing!r} is not one of {', '.join(HAZARD_TIMINGS)}")
    activation = np.zeros((batch.n_trials, batch.n_nodes))
    hazard = np.zeros((batch.n_trials, batch.n_steps_after_onset))
    trace = (np.zeros((batch.n_trials, batch.n_steps_after_onset, batch.n_nodes))
             if record_activation else None)
    keep = 1.0 - decay_per_step
    # The networks are sparse (a few dozen links among ≤ 20 nodes): spread along the links,
    # all trials at once, instead of multiplying padded nodes × nodes matrices.
    trial, to_node, from_node = np.nonzero(batch.weights)
    rates = batch.weights[trial, to_node, from_node]
    source = trial * batch.n_nodes + from_node
    destination = trial * batch.n_nodes + to_node
    size = batch.n_trials * batch.n_nodes
    rows = np.arange(batch.n_trials)
    competitor, competitor_mask = _competitor_index(batch.candidates)
    def record(column: int) -> None:
        if 0 <= column < batch.n_steps_after_onset:
            hazard[:, column] = np.where(_selection_open(batch, column), selection_hazard(
                activation[rows, batch.target], np.take_along_axis(activation, competitor, 1),
                competitor_mask, critical_difference, batch.luce_selection), 0.0)
            if trace is not None:
                trace[:, column] = activation

    for step in range(batch.n_steps_total):
        if timing == "before_update":
            record(_state_column(step, batch.target_onset_step))
        spread = np.bincount(destination, weights=rates * activation.ravel()[source],
                             minlength=size).reshape(activation.shape)
        activation = activation * keep + spread + external_input_at(batch, step)
        if timing == "after_update":
            record(_state_column(step, batch.target_onset_step))
    return (hazard, trace) if record_activation else hazard


def hazard_reference_loop(batch: NetworkBatch, decay_per_step: float,
                          critical_difference: float, timing: str = "before_update") -> np.ndarray:
    """The same equations as :func:`run_hazard`, one trial and one node at a time (no numpy
    vector operations): the baseline the benchmark compares against and a cross-check in tests."""
    hazard = np.zeros((batch.n_trials, batch.n_steps_after_onset))
    keep = 1.0 - decay_per_step
    for t, net in enumerate(batch.networks):
        n_nodes = len(net.labels)
        incoming: list[list[tuple[int, float]]] = [[] for _ in range(n_nodes)]
        for a, b, rate in net.links:
            incoming[b].append((a, rate))
        act = [0.0] * n_nodes
        candidates = [c for c in net.candidates() if c != net.target]
        opens = int(round(net.selection_onset_ms / batch.step_ms))

        def record(column: int) -> None:
            if 0 <= column < batch.n_steps_after_onset and column >= opens:
                target_act = act[net.target]
                strongest = max((act[c] for c in candidates), default=0.0)
                pool = target_act + sum(max(act[c], 0.0) for c in candidates)
                if target_act - strongest > critical_difference and pool > 0:
                    hazard[t, column] = target_act / pool if net.luce_selection else 1.0

        for step in range(batch.n_steps_total):
            if timing == "before_update":
                record(step - batch.target_onset_step)
            ext = [0.0] * n_nodes
            for node, value in net.constant_inputs:
                ext[node] += value
            for e in range(len(net.inputs)):
                node = int(batch.input_node[t, e])
                if batch.input_onset_step[t, e] <= step < batch.input_offset_step[t, e]:
                    ext[node] += float(batch.input_amount[t, e])
            new = [0.0] * n_nodes
            for m in range(n_nodes):
                total = act[m] * keep + ext[m]
                for n, rate in incoming[m]:
                    total += rate * act[n]
                new[m] = total
            act = new
            if timing == "after_update":
                record(step - batch.target_onset_step)
    return hazard
