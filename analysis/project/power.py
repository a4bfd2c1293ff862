"""Power of the preregistered mixed model, by simulation at the published effect.

Each simulated data set has ``n_participants`` people and ``trials_per_level`` trials at each
level of the effect's predictor, drawn from the mixed model the project preregisters:

    rt_ms = intercept + u0_p + (effect + u1_p) · x + e,
    u0_p ~ N(0, intercept_sd²), u1_p ~ N(0, effect_sd²), e ~ N(0, residual_sd²).

The fixed effect is estimated as the mean of the participants' least-squares estimates and
tested with t = mean / (SD / √n) on n − 1 df, two-sided. For complete, balanced data — which is
what is simulated — this is exactly the estimate and test of the mixed model with a random
intercept and a random slope by participant (the participant-level estimates are sufficient;
Barr et al. 2013, J. Mem. Lang. 68, §2), so no iterative fit is needed and the simulation is
vectorised over data sets × participants × levels × trials. ``tests/test_project_power.py``
checks the equivalence against a statsmodels MixedLM fit of one simulated data set.

One grid cell (a number of participants × a number of trials per level) is one independent
call with its own seed, so cells can be spread over Dask workers (``mirrorlab.distributed``)
and the same seed gives the same table whatever the number of workers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.project.variance import VarianceComponents

#: Data sets simulated per chunk (bounds memory: chunk × participants × levels × trials).
CHUNK_ELEMENTS = 4_000_000


@dataclass(frozen=True)
class PowerCell:
    n_participants: int
    trials_per_level: int
    n_simulations: int
    alpha: float = 0.05


def simulate_trials(components: VarianceComponents, x_levels: np.ndarray, n_participants: int,
                    trials_per_level: int, rng: np.random.Generator, n_datasets: int = 1) -> np.ndarray:
    """RTs of shape (datasets, participants, levels, trials) from the preregistered model."""
    x = np.asarray(x_levels, dtype=float)
    shape = (n_datasets, n_participants)
    u0 = rng.normal(0.0, components.intercept_sd_ms, size=shape)
    u1 = rng.normal(0.0, components.effect_sd_ms, size=shape)
    noise = rng.normal(0.0, components.residual_sd_ms,
                       size=(n_datasets, n_participants, len(x), trials_per_level))
    mean = (components.intercept_ms + u0)[..., None] + (components.effect_ms + u1)[..., None] * x
    return mean[..., None] + noise


def estimate_and_test(rts: np.ndarray, x_levels: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Per data set: the fixed-effect estimate and whether p < alpha (two-sided)."""
    from scipy import stats

    x = np.asarray(x_levels, dtype=float)
    x_centred = x - x.mean()
    cell_means = rts.mean(axis=-1)                           # (datasets, participants, levels)
    participant_effects = (cell_means * x_centred).sum(axis=-1) / np.sum(x_centred ** 2)
    n = participant_effects.shape[1]
    estimate = participant_effects.mean(axis=1)
    se = participant_effects.std(axis=1, ddof=1) / np.sqrt(n)
    t_value = estimate / se
    p_value = 2.0 * stats.t.sf(np.abs(t_value), df=n - 1)
    return estimate, p_value < alpha


def simulate_cell(components: VarianceComponents, x_levels: tuple[float, ...], cell: PowerCell,
                  seed: int) -> dict:
    """Power, mean estimate and its spread in one grid cell (one independent call)."""
    rng = np.random.default_rng(seed)
    x = np.asarray(x_levels, dtype=float)
    per_dataset = cell.n_participants * len(x) * cell.trials_per_level
    chunk = max(1, CHUNK_ELEMENTS // per_dataset)
    estimates, significant = [], []
    remaining = cell.n_simulations
    while remaining > 0:
        size = min(chunk, remaining)
        rts = simulate_trials(components, x, cell.n_participants, cell.trials_per_level, rng, size)
        estimate, hit = estimate_and_test(rts, x, cell.alpha)
        estimates.append(estimate)
        significant.append(hit)
        remaining -= size
    estimate = np.concatenate(estimates)
    hit = np.concatenate(significant)
    power = float(hit.mean())
    return {"n_participants": cell.n_participants, "trials_per_level": cell.trials_per_level,
            "n_simulations": cell.n_simulations, "power": power,
            "power_mc_se": float(np.sqrt(power * (1 - power) / cell.n_simulations)),
            "mean_estimate_ms": float(estimate.mean()), "sd_estimate_ms": float(estimate.std(ddof=1)),
            "true_effect_ms": components.effect_ms, "seed": int(seed)}


def power_grid(components: VarianceComponents, x_levels, participants: list[int],
               trials_per_level: list[int], *, n_simulations: int, seed: int, alpha: float = 0.05,
               map_calls=None) -> pd.DataFrame:
    """The power table over ``participants`` × ``trials_per_level``.

    ``map_calls(function, argument_tuples)`` runs the independent cells (default: here, in
    order); ``mirrorlab.distributed.map_calls`` spreads them over Dask.
    """
    cells = [PowerCell(int(n), int(t), int(n_simulations), float(alpha))
             for n in participants for t in trials_per_level]
    children = np.random.SeedSequence(int(seed)).spawn(len(cells))
    seeds = [int(child.generate_state(1)[0]) for child in children]
    x = tuple(float(v) for v in x_levels)
    calls = [(components, x, cell, cell_seed) for cell, cell_seed in zip(cells, seeds)]
    if map_calls is None:
        results = [simulate_cell(*call) for call in calls]
    else:
        results = map_calls(simulate_cell, calls)
    return pd.DataFrame(results)
