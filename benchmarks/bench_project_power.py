"""Power simulation speed: the vectorised simulation against a loop over data sets, and
Dask with 2 workers against 1 — ratios within this run, never absolute times.

1. One grid cell (38 participants × 2 levels × 40 trials, Pratte 2010 components) simulated
   ``--simulations`` times: vectorised over data sets (``analysis.project.power``) and, as the
   baseline, one data set at a time in a Python loop (same model, same estimator).
2. A 3 × 2 grid on a local Dask cluster (threads) with 1 and with 2 workers; the tables must be
   identical (same seed), the ratio is the speed-up.

    .venv/bin/python benchmarks/bench_project_power.py [--simulations 2000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from analysis.project.power import (PowerCell, estimate_and_test, power_grid,  # noqa: E402
                                    simulate_cell, simulate_trials)
from mirrorlab.distributed import map_calls  # noqa: E402
from mirrorlab.project.targets import target, variance_components  # noqa: E402


def looped_cell(components, x, cell: PowerCell, seed: int) -> float:
    rng = np.random.default_rng(seed)
    hits = 0
    for _ in range(cell.n_simulations):
        rts = simulate_trials(components, x, cell.n_participants, cell.trials_per_level, rng, 1)
        hits += int(estimate_and_test(rts, x, cell.alpha)[1][0])
    return hits / cell.n_simulations


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--simulations", type=int, default=2000)
    args = parser.parse_args()
    components = variance_components(target("pratte2010-stroop"))
    x = np.array([0.0, 1.0])
    cell = PowerCell(38, 40, args.simulations)
    simulate_cell(components, tuple(x), PowerCell(5, 5, 5), 0)     # warm-up: imports, caches
    looped_cell(components, x, PowerCell(5, 5, 5), 0)
    started = time.perf_counter()
    simulate_cell(components, tuple(x), cell, 1)
    vectorised_s = time.perf_counter() - started
    started = time.perf_counter()
    looped_cell(components, x, cell, 1)
    looped_s = time.perf_counter() - started
    print(f"one cell, {args.simulations} data sets: loop/vectorised = {looped_s / vectorised_s:.1f}×")
    timings, tables = {}, {}
    map_calls(pow, [(2, 3)], workers=1, processes=False)            # warm-up: dask imports
    for workers in (1, 2, 1, 2, 1, 2):              # best of three each, interleaved
        started = time.perf_counter()
        tables[workers] = power_grid(components, x, [10, 20, 38], [20, 40], n_simulations=args.simulations,
                                     seed=3, map_calls=lambda f, c, w=workers: map_calls(
                                         f, c, workers=w, processes=False))
        elapsed = time.perf_counter() - started
        timings[workers] = min(timings.get(workers, elapsed), elapsed)
    pd.testing.assert_frame_equal(tables[1], tables[2])
    print(f"3×2 grid on Dask: 1 worker / 2 workers = {timings[1] / timings[2]:.2f}× (tables identical)")


if __name__ == "__main__":
    main()
