"""Posterior-predictive views (``analysis.predictive_views``) on the 38 Pratte et al. (2010)
participants, people plus one model simulated on every person's trials: the grouped, vectorised
computation of quantiles, delta plots and CAFs against the baseline of the same run, a Python
loop over agent × condition cells with ``numpy.quantile`` and ``numpy.array_split``. Same
numbers either way (checked); the ratio and the per-person simulation time are printed.

    .venv/bin/python benchmarks/bench_predictive.py [--repeats 3] [--model exgauss-conditions]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from analysis.predictive_views import QUANTILES, predictive_views


def best_time(function, repeats: int):
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def loop_over_cells(trials: pd.DataFrame) -> tuple[dict, dict]:
    """The baseline: one Python iteration per source × agent × condition."""
    kept = trials[(trials["rt_ms"] >= 200) & (trials["rt_ms"] <= 2000) & ~trials["is_practice"]]
    quantiles, accuracy = {}, {}
    for source in kept["source"].unique():
        rows_s = kept[kept["source"] == source]
        for agent in rows_s["agent"].unique():
            rows_a = rows_s[rows_s["agent"] == agent]
            for condition in rows_a["condition"].unique():
                rows = rows_a[rows_a["condition"] == condition]
                correct = rows[rows["correct"].astype(bool)]["rt_ms"].to_numpy()
                quantiles[source, agent, condition] = np.quantile(correct, QUANTILES)
                ordered = rows.sort_values("rt_ms", kind="stable")["correct"].to_numpy(float)
                accuracy[source, agent, condition] = [b.mean() for b in np.array_split(ordered, 5)]
    return quantiles, accuracy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--model", default="cohen1990")
    args = parser.parse_args()

    from models.fitting.datasets import bundled_trials
    from models.fitting.predictive import predictive_trials

    people = bundled_trials("pratte2010")
    start = time.perf_counter()
    model = predictive_trials(args.model, people, seed=1)
    simulate_s = time.perf_counter() - start
    trials = pd.concat([people, model], ignore_index=True)
    trials["correct"] = trials["correct"].astype(bool)

    predictive_views(trials.head(2000), "stroop")      # warm up: scipy.stats is imported once
    loop_s, (quantiles, accuracy) = best_time(lambda: loop_over_cells(trials), args.repeats)
    views_s, views = best_time(lambda: predictive_views(trials, "stroop"), args.repeats)
    per_agent = views.agent_quantiles.groupby(["source", "agent", "condition"])["rt_ms"].agg(list).to_dict()
    caf = views.agent_caf.groupby(["source", "agent", "condition"])["accuracy"].agg(list).to_dict()
    for key, values in quantiles.items():
        assert np.allclose(per_agent[key], values), key
        assert np.allclose(caf[key], accuracy[key]), key
    n_people = people["agent"].nunique()
    print(f"{len(trials)} trials: {n_people} people + {args.model} on each person's trials "
          f"(simulated in {simulate_s:.1f} s, {simulate_s / n_people * 1000:.0f} ms per person)")
    print(f"loop over agent × condition cells (baseline): {loop_s:.3f} s")
    print(f"predictive_views (grouped, plus cleaning, CIs, deltas, agreement): {views_s:.3f} s")
    print(f"ratio baseline / views: {loop_s / views_s:.2f}")


if __name__ == "__main__":
    main()
