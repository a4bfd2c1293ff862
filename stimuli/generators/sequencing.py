"""Ordering tools shared by the trial-list generators: constrained shuffles and Latin squares.

Pure Python/numpy, deterministic for a given ``numpy.random.Generator``.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np

from stimuli.errors import StimulusError

MAX_RESTARTS = 2000


def rng_for(seed: int, participant_index: int) -> np.random.Generator:
    """One random stream per (seed, participant): same arguments, same stream."""
    return np.random.default_rng(np.random.SeedSequence([int(seed), int(participant_index)]))


def constrained_order(n: int, rng: np.random.Generator, *,
                      run_limits: Sequence[tuple[Sequence[Hashable], int]] = (),
                      no_repeat: Sequence[Hashable] | None = None,
                      what: str = "trial list") -> list[int]:
    """A random order of ``range(n)`` obeying the constraints.

    ``run_limits``: pairs ``(keys, max_run)`` — no more than ``max_run`` consecutive trials
    with the same key (e.g. the condition). ``no_repeat``: keys that may not occur on two
    consecutive trials (e.g. the item id). Built position by position, drawing uniformly
    among the trials that keep every constraint, with restarts on a dead end; every order
    that obeys the constraints can come out.
    """
    for keys, max_run in run_limits:
        if len(keys) != n or max_run < 1:
            raise ValueError("run_limits keys must have one key per trial and max_run >= 1")
    for _ in range(MAX_RESTARTS):
        order = _attempt(n, rng, run_limits, no_repeat)
        if order is not None:
            return order
    raise StimulusError(f"cannot order the {what} under its constraints",
                        value={"trials": n, "max_runs": [m for _, m in run_limits]},
                        expected="more conditions/items or a larger max_same_condition_in_row "
                                 "in set.toml [design]")


def _attempt(n, rng, run_limits, no_repeat) -> list[int] | None:
    remaining = list(range(n))
    order: list[int] = []
    runs = [0] * len(run_limits)
    while remaining:
        candidates = []
        for index in remaining:
            if order:
                last = order[-1]
                if no_repeat is not None and no_repeat[index] == no_repeat[last]:
                    continue
                if any(keys[index] == keys[last] and runs[k] >= max_run
                       for k, (keys, max_run) in enumerate(run_limits)):
                    continue
            candidates.append(index)
        if not candidates:
            return None
        chosen = candidates[int(rng.integers(len(candidates)))]
        for k, (keys, _) in enumerate(run_limits):
            runs[k] = runs[k] + 1 if order and keys[chosen] == keys[order[-1]] else 1
        order.append(chosen)
        remaining.remove(chosen)
    return order


def longest_run(keys: Sequence[Hashable]) -> int:
    """Length of the longest run of equal consecutive keys (0 for an empty sequence)."""
    best = run = 0
    previous = object()
    for key in keys:
        run = run + 1 if key == previous else 1
        best = max(best, run)
        previous = key
    return best


def latin_square_row(n: int, row: int) -> list[int]:
    """Row ``row`` (mod n) of the cyclic Latin square: each element in each position once."""
    return [(row + j) % n for j in range(n)]


def williams_row(n: int, row: int) -> list[int]:
    """Row of a Williams (balanced Latin) square: each element precedes each other element
    equally often across rows. ``n`` rows for even ``n``, ``2n`` for odd ``n`` (the second
    half are the reversed rows); ``row`` is taken modulo that number."""
    if n <= 0:
        return []
    first = [0]
    low, high = 1, n - 1
    take_low = True
    while len(first) < n:
        if take_low:
            first.append(low)
            low += 1
        else:
            first.append(high)
            high -= 1
        take_low = not take_low
    rows = n if n % 2 == 0 else 2 * n
    row %= rows
    shifted = [(value + row % n) % n for value in first]
    return shifted if row < n else shifted[::-1]


def balanced_repeats(items: Sequence[Hashable], count: int, rng: np.random.Generator) -> list:
    """``count`` draws from ``items`` where every item appears ⌊count/len⌋ or ⌈count/len⌉
    times (which items get the extra draw is random)."""
    if not items:
        return []
    whole, extra = divmod(count, len(items))
    chosen = list(items) * whole
    if extra:
        chosen += [items[i] for i in rng.permutation(len(items))[:extra]]
    return chosen
