"""Likelihood and fitting speed on Pratte et al. (2010): vectorised against per-trial loops.

1. Likelihood evaluations per second on one participant (504 trials), each measured against
   a per-trial loop in the same run:
   * Cohen 1990, a new network parameter (new simulations): the vectorised simulator (all of
     a cell's simulations as one batch, ``models.likelihood.families.PDPLikelihood``) against
     simulating trial by trial (``run_cycles`` on one trial at a time; timed on a subset of
     trials and scaled to the participant);
   * Cohen 1990, a new mapping parameter (cached simulations): the vectorised kernel density
     against a Python loop over trials;
   * WEAVER++ analytic: the trials × steps convolution against a loop over trials.
2. Seconds per participant for a maximum-likelihood fit (BADS, default free parameters:
   Cohen 1990 with 4, WEAVER++ with 4) on the first ``--participants`` participants, with
   the one-off cost of Cohen's threshold grid reported apart.

    .venv/bin/python benchmarks/bench_fitting.py [--participants 38] [--loop-trials 12]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402


def per_second(run, repeat: int = 3) -> float:
    best = min(_timed(run) for _ in range(repeat))
    return 1.0 / best


def _timed(run) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def bench_likelihood(person, loop_trials: int) -> None:
    from models.likelihood.density import kernel_logpdf
    from models.likelihood.families import PDPLikelihood, WeaverLikelihood
    from models.likelihood.residuals import ExGaussianResidual
    from models.registry import make_model

    cohen = make_model("cohen1990")
    likelihood = PDPLikelihood(cohen, person)
    thresholds = iter(np.linspace(0.8, 1.2, 1000))
    vector_new = per_second(lambda: likelihood.loglik({"threshold": float(next(thresholds))}))
    n_sim = likelihood.n_sim_per_cell
    subset = likelihood.scored.trials.head(loop_trials)

    one_at_a_time = make_model("cohen1990", colours=sorted(set(person["ink"])))

    def loop_new():
        for i in range(len(subset)):
            one_at_a_time.run_cycles(subset.iloc[[i]], n=n_sim, seed=0)

    seconds_subset = _timed(loop_new)
    loop_new_rate = 1.0 / (seconds_subset * len(likelihood.scored) / len(subset))
    print(f"cohen1990, new threshold (new simulations, {n_sim} per cell, {len(likelihood.scored)} "
          f"trials): vectorised {vector_new:.2f} evaluations/s; per-trial simulation "
          f"{loop_new_rate:.5f}/s (timed on {len(subset)} trials, scaled); "
          f"ratio {vector_new / loop_new_rate:.0f}×")

    intercepts = iter(np.linspace(100, 300, 1000))
    vector_map = per_second(lambda: likelihood.loglik({"intercept_ms": float(next(intercepts))}))
    params, _ = likelihood.split({})
    q_correct, q_error, p_correct, p_error = likelihood._summary(params)
    noise = ExGaussianResidual(40.0, 100.0)
    rt, correct, cells = likelihood.scored.rt_ms, likelihood.scored.correct, likelihood.cells

    def loop_map():
        total = 0.0
        for i in range(len(rt)):
            q = q_correct[cells[i]] if correct[i] else q_error[cells[i]]
            w = p_correct[cells[i]] if correct[i] else p_error[cells[i]]
            centres = 152.3 + 13.86 * q
            total += float(kernel_logpdf(rt[i:i + 1], centres, len(q), noise)[0]) + np.log(max(w, 1e-300))
        return total

    loop_map_rate = per_second(loop_map)
    print(f"cohen1990, new intercept (cached simulations): vectorised {vector_map:.1f} "
          f"evaluations/s; per-trial loop {loop_map_rate:.1f}/s; ratio {vector_map / loop_map_rate:.0f}×")

    weaver = WeaverLikelihood(make_model("weaver"), person)
    constants = iter(np.linspace(400, 700, 1000))
    vector_weaver = per_second(lambda: weaver.loglik({"intercept_ms": float(next(constants))}))
    wparams, _ = weaver.split({})
    pmf, index, step_ms = weaver._step_pmf(wparams)
    offsets = weaver._offsets(wparams)
    steps = np.arange(1, pmf.shape[1] + 1) * step_ms

    def loop_weaver():
        total = 0.0
        for i in range(len(weaver.scored)):
            density = sum(pmf[index[i], s] * np.exp(noise.logpdf(
                np.array([weaver.scored.rt_ms[i] - offsets[i] - steps[s]]))[0])
                for s in range(len(steps)))
            total += np.log(max(density, 1e-300))
        return total

    loop_weaver_rate = per_second(loop_weaver, repeat=1)
    print(f"weaver analytic: vectorised {vector_weaver:.1f} evaluations/s; per-trial loop "
          f"{loop_weaver_rate:.2f}/s; ratio {vector_weaver / loop_weaver_rate:.0f}×")


def bench_fits(human, n_participants: int) -> None:
    from models.fitting.ml import fit_participant
    from models.likelihood.families import PDPLikelihood
    from models.registry import make_model

    codes = list(dict.fromkeys(human["agent"]))[:n_participants]
    first = human[human["agent"] == codes[0]]
    grid = PDPLikelihood(make_model("cohen1990"), first)
    grid.use_grid("threshold", 0.3, 3.0)
    grid_s = _timed(lambda: grid.loglik({}))
    print(f"cohen1990 threshold grid (one-off per design and seed): {grid_s:.1f} s")
    for spec in ("cohen1990", "weaver"):
        seconds, evaluations = [], []
        for code in codes:
            rows = human[human["agent"] == code]
            result = fit_participant(spec, rows, seed=0, participant=code)
            seconds.append(result.elapsed_s)
            evaluations.append(result.n_evaluations)
        print(f"{spec}: {len(codes)} participants, {np.mean(seconds):.1f} s per participant fit "
              f"(max {np.max(seconds):.1f} s, {np.mean(evaluations):.0f} BADS evaluations, "
              f"free: {', '.join(result.params)})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=38)
    parser.add_argument("--loop-trials", type=int, default=12)
    args = parser.parse_args()
    from models.fitting.datasets import bundled_trials

    human = bundled_trials("pratte2010")
    person = human[human["agent"] == human["agent"].iloc[0]]
    with threadpool_limits(1):
        bench_likelihood(person, args.loop_trials)
        bench_fits(human, args.participants)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
