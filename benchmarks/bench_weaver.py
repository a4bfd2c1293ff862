"""Vectorised WEAVER++ (and the Howard et al. 2006-style model) against a straightforward
per-node Python loop of the same equations, measured in the same run.

Workloads (from issue 5):

1. the full picture-naming grid of Glaser & Düngelhoff: 9 SOAs × 4 distractor relations × 40
   items = 1440 trial networks, stepped −400…+1000 ms;
2. 100 simulated participants × a 165-trial continuous-naming sequence (a different random
   sequence each) = 16 500 trials, for the WEAVER++ conceptual-bias account (one network per
   trial, no de-duplication) and for the Howard-style model (cycles to threshold).

The loop baselines (``models.weaver.dynamics.hazard_reference_loop``,
``Howard2006.cycles_reference_loop``) run on the first ``--loop-trials`` trials of each workload
(all of them with ``--full``); their time is scaled linearly to the whole workload, which is
exact for a loop whose cost per trial is constant, and printed as such. The results of both
implementations are compared on the trials the loop ran.

    .venv/bin/python benchmarks/bench_weaver.py [--loop-trials 600] [--full] [--repeats 3]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from models.weaver.howard2006 import Howard2006
from models.weaver.model import Weaver
from models.weaver.cumulative import WeaverCumulative
from models.weaver.dynamics import hazard_reference_loop, run_hazard
from models.weaver.lists import continuous_naming_sequence, picture_word_grid
from models.weaver.network import stack_networks
from models.weaver.rules import picture_naming_network
from models.weaver.sequences import naming_contexts


def best_time(function, repeats: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def report(name: str, n_trials: int, vector_s: float, loop_s: float, loop_trials: int,
           max_difference: float) -> None:
    loop_full_s = loop_s * n_trials / loop_trials
    measured = "measured" if loop_trials == n_trials else f"scaled from {loop_trials} trials"
    print(f"{name}: {n_trials} trials")
    print(f"  vectorised  {vector_s * 1000:10.1f} ms   ({vector_s / n_trials * 1e6:8.2f} µs/trial)")
    print(f"  loop        {loop_full_s * 1000:10.1f} ms   ({loop_s / loop_trials * 1e6:8.2f} "
          f"µs/trial, {measured})")
    print(f"  speed-up    {loop_full_s / vector_s:10.1f} ×   max |difference| {max_difference:.2e}")


def bench_picture_naming(args) -> None:
    model = Weaver()
    trials = picture_word_grid(n_items=40)
    networks, _ = model.trial_networks(trials)
    batch = stack_networks(networks, model.step_ms, model.max_latency_ms)
    vector_s, fast = best_time(
        lambda: run_hazard(batch, model.decay_per_step, model.critical_difference), args.repeats)
    n_loop = len(networks) if args.full else min(args.loop_trials, len(networks))
    sub = stack_networks(networks[:n_loop], model.step_ms, model.max_latency_ms)
    loop_s, slow = best_time(
        lambda: hazard_reference_loop(sub, model.decay_per_step, model.critical_difference), 1)
    report("picture naming grid (9 SOAs × 4 relations × 40 items), hazard over "
           f"{batch.n_steps_total} steps", len(networks), vector_s, loop_s, n_loop,
           float(np.abs(fast[:n_loop] - slow).max()))
    end_to_end_s, _ = best_time(lambda: model.simulate(trials, n=1, seed=1), args.repeats)
    print(f"  whole simulate() incl. building networks and sampling: {end_to_end_s * 1000:.1f} ms")


def continuous_trials(n_participants: int) -> pd.DataFrame:
    frames = [continuous_naming_sequence(seed=p).assign(agent=f"P{p:03d}")
              for p in range(n_participants)]
    return pd.concat(frames, ignore_index=True)


def bench_weaver_cumulative(args, trials: pd.DataFrame) -> None:
    model = WeaverCumulative()
    rates = model.step_rates()
    networks = [picture_naming_network(c.picture, c.category, c.co_members, c.named_before,
                                       rates, model.conceptual_bias,
                                       model.conceptual_bias_duration_ms)
                for c in naming_contexts(model.name, trials)]
    batch = stack_networks(networks, model.step_ms, model.max_latency_ms)
    vector_s, fast = best_time(
        lambda: run_hazard(batch, model.decay_per_step, model.critical_difference), args.repeats)
    n_loop = len(networks) if args.full else min(args.loop_trials, len(networks))
    sub = stack_networks(networks[:n_loop], model.step_ms, model.max_latency_ms)
    loop_s, slow = best_time(
        lambda: hazard_reference_loop(sub, model.decay_per_step, model.critical_difference), 1)
    report("weaver-cumulative, 100 participants × 165 trials (one network per trial)",
           len(networks), vector_s, loop_s, n_loop, float(np.abs(fast[:n_loop] - slow).max()))
    end_to_end_s, _ = best_time(lambda: model.simulate(trials, n=1, seed=1), args.repeats)
    print(f"  whole simulate() (identical networks shared): {end_to_end_s * 1000:.1f} ms")


def bench_howard(args, trials: pd.DataFrame) -> None:
    model = Howard2006()
    semantic, named_count, present, _ = model.trial_structure(trials)
    drive = model.drive(semantic, named_count)
    vector_s, (fast, _) = best_time(lambda: model.run_cycles(drive, present, 0.0), args.repeats)
    n_loop = len(drive) if args.full else min(args.loop_trials, len(drive))
    loop_s, slow = best_time(lambda: model.cycles_reference_loop(drive[:n_loop],
                                                                 present[:n_loop]), 1)
    report("howard2006, 100 participants × 165 trials (cycles to threshold)", len(drive),
           vector_s, loop_s, n_loop, float(np.abs(fast[:n_loop] - slow).max()))
    end_to_end_s, _ = best_time(lambda: model.simulate(trials, n=1, seed=1), args.repeats)
    print(f"  whole simulate() with noise: {end_to_end_s * 1000:.1f} ms")


def bench_dark_side(args, trials: pd.DataFrame) -> None:
    from models.weaver.dark_side import DarkSide

    model = DarkSide()
    present, history = model.trial_structure(trials)
    vector_s, fast = best_time(lambda: model.net_activation(present, history), args.repeats)
    n_loop = len(present) if args.full else min(args.loop_trials, len(present))
    loop_s, slow = best_time(lambda: model.net_activation_reference_loop(present[:n_loop],
                                                                         history[:n_loop]), 1)
    report("dark-side, 100 participants × 165 trials (history replay, delta rule)", len(present),
           vector_s, loop_s, n_loop, float(np.abs(fast[:n_loop] - slow).max()))
    noisy = DarkSide(noise_sd=0.02)
    end_to_end_s, _ = best_time(lambda: noisy.simulate(trials, n=1, seed=1), args.repeats)
    print(f"  whole simulate() with noise (booster steps sampled): {end_to_end_s * 1000:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loop-trials", type=int, default=600,
                        help="trials the per-node loop runs on (scaled to the workload)")
    parser.add_argument("--full", action="store_true", help="run the loop on every trial")
    parser.add_argument("--repeats", type=int, default=3, help="best of N for vectorised runs")
    parser.add_argument("--participants", type=int, default=100)
    args = parser.parse_args()
    bench_picture_naming(args)
    trials = continuous_trials(args.participants)
    bench_weaver_cumulative(args, trials)
    bench_howard(args, trials)
    bench_dark_side(args, trials)


if __name__ == "__main__":
    main()
