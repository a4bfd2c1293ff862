"""Hierarchical fits by empirical Bayes: a Gaussian population prior over every participant's
(transformed) parameters, estimated by expectation–maximisation (Huys et al. 2011).

Why: a participant's maximum-likelihood estimate from a few hundred trials is noisy, and the
noise is largest exactly where the design says least. Treating participants as draws from one
population and estimating that population from everyone shrinks each estimate towards the
group by as much as its own data leave it uncertain — less recovery error per participant, and
a population mean and spread that are themselves estimates (not averages of noisy fits).

The scheme, per free parameter θ with hard bounds (a, b):

* **transform** z = log((θ − a)/(b − θ)) (logit of the position between the bounds), so the
  prior N(μ, σ²) lives on the whole line and never puts mass outside the bounds;
* **E-step**: for each participant, the MAP estimate of z under the current prior —
  maximise Σ log p(choice, rt | θ(z)) + log N(z; μ, σ²) with BADS (``optimiser.minimise``),
  over θ within its bounds — and a **Laplace approximation** of its posterior: the Hessian of
  the negative log posterior in z at the MAP (central finite differences), whose inverse is
  the posterior covariance Σᵢ;
* **M-step**: μ = meanᵢ mᵢ, σ² = meanᵢ (mᵢ² + diag Σᵢ) − μ² (Huys et al. 2011, eq. 4–5);
* repeat until μ and σ move less than ``tolerance`` (in z units) or ``max_iterations``.

The first E-step uses a flat prior (σ = ∞): its MAP estimates *are* the independent maximum-
likelihood fits, kept in the result for comparison. Each participant's E-step is one
independent call (:func:`map_fit_participant`: spec, trials, prior, seed in; a JSON-able dict
out), so an iteration runs on ``mirrorlab.distributed.map_calls`` — a local Dask cluster, a
scheduler, or this process (``workers=0``). The fit is in-sample, and says so.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd

from models.base import ModelInputError
from models.fitting.parameters import FreeParameter, parse_free

#: Smallest population SD (z units) the M-step allows: a prior of zero width would fix every
#: participant at the mean however much data they have.
MIN_POPULATION_SD = 1e-2
#: Finite-difference step (z units) of the Laplace Hessian.
HESSIAN_STEP = 1e-2


# ---------------------------------------------------------------------- transforms
#: How close (as a share of the bounds' width) a value is taken to its bound before the
#: transform: an ML estimate *on* a bound maps to z = ±13.8, not to ±∞.
BOUND_MARGIN = 1e-6


def to_unbounded(value: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """θ in (a, b) → z = log((θ − a)/(b − θ)) (θ kept :data:`BOUND_MARGIN` inside the bounds)."""
    value = np.clip(np.asarray(value, dtype=float), lower + BOUND_MARGIN * (upper - lower),
                    upper - BOUND_MARGIN * (upper - lower))
    return np.log((value - lower) / (upper - value))


def to_bounded(z: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """z → θ = a + (b − a) / (1 + e^(−z))."""
    return lower + (upper - lower) / (1.0 + np.exp(-np.asarray(z, dtype=float)))


@dataclass
class Prior:
    """The population prior N(mean, sd²) per free parameter, in z units (sd None: flat)."""

    names: list[str]
    mean: list[float]
    sd: list[float] | None

    def log_density(self, z: np.ndarray) -> float:
        if self.sd is None:
            return 0.0
        mean, sd = np.asarray(self.mean), np.asarray(self.sd)
        return float(np.sum(-0.5 * ((z - mean) / sd) ** 2 - np.log(sd) - 0.5 * np.log(2 * np.pi)))


def parameter_bounds(spec: str, free: str | Sequence[str] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(lower, upper) hard bounds of ``spec``'s free parameters (default: its ``default_free``),
    the interval each logit transform maps onto the whole line."""
    from models.fitting.ml import build_model

    model, _ = build_model(spec)
    lower, upper, *_ = _bounds(parse_free(free, type(model)))
    return lower, upper


def _bounds(free: Sequence[FreeParameter]):
    return (np.array([p.lower for p in free]), np.array([p.upper for p in free]),
            np.array([p.plausible_lower for p in free]), np.array([p.plausible_upper for p in free]))


# ---------------------------------------------------------------------- one E-step call
def map_fit_participant(spec: str, trials: pd.DataFrame, prior: dict[str, Any], seed: int, *,
                        params: dict[str, Any] | None = None, free: Sequence[str] | None = None,
                        start: Sequence[float] | None = None, max_fun_evals: int | None = None,
                        n_sim_per_cell: int | None = None, participant: str | None = None,
                        n_starts: int = 1) -> dict[str, Any]:
    """One participant's MAP estimate under ``prior`` (``Prior`` as a dict) and its Laplace
    posterior SD, both in z units; JSON-able, so the call can run on another machine."""
    from models.fitting.ml import _objective, build_model
    from models.fitting.optimiser import minimise
    from models.likelihood import RESIDUAL_PARAMETERS, likelihood_for

    prior = Prior(**prior)
    model, fixed = build_model(spec, params)
    free_params = parse_free(list(free) if free is not None else None, type(model))
    if [p.name for p in free_params] != list(prior.names):
        raise ModelInputError(f"hierarchical fit of {spec}: prior over {prior.names}, free "
                              f"parameters {[p.name for p in free_params]}")
    fixed_residual = {k: float(v) for k, v in (params or {}).items() if k in RESIDUAL_PARAMETERS}
    likelihood = likelihood_for(model, trials, seed=seed, n_sim_per_cell=n_sim_per_cell)
    network_free = [p for p in free_params if p.name not in RESIDUAL_PARAMETERS
                    and p.name not in likelihood.mapping_params]
    if len(network_free) == 1 and hasattr(likelihood, "use_grid"):
        likelihood.use_grid(network_free[0].name, network_free[0].lower, network_free[0].upper)
    negative_loglik = _objective(likelihood, free_params, fixed_residual)
    lower, upper, plausible_lower, plausible_upper = _bounds(free_params)

    def negative_log_posterior(x: np.ndarray) -> float:
        return negative_loglik(x) - prior.log_density(to_unbounded(x, lower, upper))

    started = time.perf_counter()
    starts = [np.asarray(start, dtype=float)] if start is not None else \
        [(plausible_lower + plausible_upper) / 2]
    rng = np.random.default_rng(seed)
    starts += [rng.uniform(plausible_lower, plausible_upper) for _ in range(int(n_starts) - len(starts))]
    runs = [minimise(negative_log_posterior, np.clip(x0, lower, upper), lower, upper,
                     plausible_lower, plausible_upper, max_fun_evals=max_fun_evals, seed=seed + k)
            for k, x0 in enumerate(starts)]
    best = min(runs, key=lambda run: run.fval)
    x = np.asarray(best.x, dtype=float)
    z = to_unbounded(x, lower, upper)
    hessian = _hessian(lambda zz: negative_log_posterior(to_bounded(zz, lower, upper)), z)
    variance = _posterior_variance(hessian)
    return {"participant": participant, "x": x.tolist(), "z": z.tolist(),
            "posterior_sd_z": np.sqrt(variance).tolist(),
            "loglik": float(-negative_loglik(x)), "log_posterior": float(-best.fval),
            "n_trials": int(len(likelihood.scored)), "n_evaluations": int(sum(r.n_evaluations for r in runs)),
            "elapsed_s": float(time.perf_counter() - started), "seed": int(seed)}


def _hessian(function, z: np.ndarray, step: float = HESSIAN_STEP) -> np.ndarray:
    """Central finite-difference Hessian of ``function`` at ``z`` (2k² + 1 evaluations)."""
    k = len(z)
    centre = function(z)
    hessian = np.zeros((k, k))
    for i in range(k):
        e_i = np.zeros(k)
        e_i[i] = step
        hessian[i, i] = (function(z + e_i) - 2 * centre + function(z - e_i)) / step ** 2
        for j in range(i):
            e_j = np.zeros(k)
            e_j[j] = step
            value = (function(z + e_i + e_j) - function(z + e_i - e_j)
                     - function(z - e_i + e_j) + function(z - e_i - e_j)) / (4 * step ** 2)
            hessian[i, j] = hessian[j, i] = value
    return hessian


def _posterior_variance(hessian: np.ndarray) -> np.ndarray:
    """Diagonal of the inverse Hessian; a direction without curvature (a flat or rough
    likelihood) gets a large variance instead of a negative one."""
    large = 1e2
    try:
        values, vectors = np.linalg.eigh((hessian + hessian.T) / 2)
    except np.linalg.LinAlgError:
        return np.full(len(hessian), large)
    values = np.maximum(values, 1.0 / large)
    covariance = (vectors / values) @ vectors.T
    return np.clip(np.diag(covariance), 1e-8, large)


# ---------------------------------------------------------------------- EM
@dataclass
class HierarchicalFit:
    """What an empirical-Bayes fit found (every field JSON-able)."""

    model: str
    free: list[str]
    population_mean: dict[str, float]        # back-transformed θ(μ), the population median
    population_mean_z: dict[str, float]
    population_sd_z: dict[str, float]
    participants: dict[str, dict[str, float]]           # MAP θ per participant
    posterior_sd_z: dict[str, dict[str, float]]
    independent: dict[str, dict[str, float]]            # iteration 0: flat prior = ML
    loglik: dict[str, float]                            # per participant at the MAP
    iterations: list[dict[str, Any]] = field(default_factory=list)
    converged: bool = False
    seed: int = 0
    elapsed_s: float = 0.0
    method: str = ("empirical Bayes EM (Huys et al. 2011): Gaussian prior on logit-transformed "
                   "parameters, MAP per participant with BADS, Laplace posterior variance")
    in_sample: bool = True

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def table(self) -> pd.DataFrame:
        """One row per participant: MAP and independent ML value of every free parameter."""
        rows = []
        for code, values in self.participants.items():
            rows.append({"participant": code, **{f"map_{k}": v for k, v in values.items()},
                         **{f"ml_{k}": v for k, v in self.independent[code].items()}})
        return pd.DataFrame(rows)


def fit_hierarchical(spec: str, trials: pd.DataFrame, *, free: str | Sequence[str] | None = None,
                     params: dict[str, Any] | None = None, seed: int = 0, max_iterations: int = 8,
                     tolerance: float = 0.05, max_fun_evals: int | None = None,
                     n_sim_per_cell: int | None = None, scheduler: str | None = None,
                     workers: int | None = 0, progress=None) -> HierarchicalFit:
    """Empirical-Bayes fit of ``spec`` to every participant (column ``agent``) of ``trials``.

    ``workers=0`` (default) runs the per-participant calls in this process; ``workers=None``
    or a number starts a local Dask cluster for each iteration, ``scheduler`` uses a running
    one. Participant i gets the seed ``spawn_seeds(seed, n)[i]`` in every iteration (common
    random numbers across iterations)."""
    from mirrorlab.distributed import map_calls, spawn_seeds
    from models.fitting.ml import build_model, participants

    started = time.perf_counter()
    model, _ = build_model(spec, params)
    if hasattr(model, "maximum_likelihood_fit"):
        raise ModelInputError(f"model {spec} is a yardstick fitted in closed form per cell; a "
                              "hierarchical fit needs a model with declared free parameters")
    free_params = parse_free(free, type(model))
    names = [p.name for p in free_params]
    codes = participants(trials)
    if len(codes) < 2:
        raise ModelInputError(f"a hierarchical fit needs at least 2 participants, got {len(codes)}")
    lower, upper, *_ = _bounds(free_params)
    frames = {code: trials[trials["agent"].astype(str) == code] for code in codes}
    seeds = spawn_seeds(seed, len(codes))
    prior = Prior(names, [0.0] * len(names), None)
    starts: dict[str, list[float] | None] = {code: None for code in codes}
    history: list[dict[str, Any]] = []
    independent: dict[str, dict[str, float]] = {}
    results: list[dict[str, Any]] = []
    converged = False
    for iteration in range(int(max_iterations) + 1):
        calls = [(spec, frames[code], asdict(prior), seeds[i]) for i, code in enumerate(codes)]
        options = dict(params=params, free=names, max_fun_evals=max_fun_evals,
                       n_sim_per_cell=n_sim_per_cell)
        results = map_calls(_e_step_call, [(call, {**options, "participant": code,
                                                   "start": starts[code],
                                                   "n_starts": 2 if iteration == 0 else 1})
                                           for call, code in zip(calls, codes)],
                            scheduler=scheduler, workers=workers)
        m = np.array([r["z"] for r in results])
        s2 = np.array([r["posterior_sd_z"] for r in results]) ** 2
        if iteration == 0:
            independent = {r["participant"]: dict(zip(names, r["x"])) for r in results}
        mean = m.mean(axis=0)
        sd = np.sqrt(np.maximum((m ** 2 + s2).mean(axis=0) - mean ** 2, MIN_POPULATION_SD ** 2))
        change = (np.inf if prior.sd is None else
                  float(max(np.max(np.abs(mean - prior.mean)), np.max(np.abs(sd - prior.sd)))))
        history.append({"iteration": iteration, "prior": "flat" if prior.sd is None else "population",
                        "mean_z": mean.tolist(), "sd_z": sd.tolist(), "change_z": change,
                        "total_loglik": float(sum(r["loglik"] for r in results)),
                        "total_log_posterior": float(sum(r["log_posterior"] for r in results)),
                        "n_evaluations": int(sum(r["n_evaluations"] for r in results))})
        if progress is not None:
            progress(history[-1])
        if prior.sd is not None and change < tolerance:
            converged = True
            break
        prior = Prior(names, mean.tolist(), sd.tolist())
        starts = {r["participant"]: r["x"] for r in results}
    final_mean, final_sd = np.asarray(prior.mean), np.asarray(prior.sd)
    return HierarchicalFit(
        model=spec, free=names,
        population_mean=dict(zip(names, to_bounded(final_mean, lower, upper).tolist())),
        population_mean_z=dict(zip(names, final_mean.tolist())),
        population_sd_z=dict(zip(names, final_sd.tolist())),
        participants={r["participant"]: dict(zip(names, r["x"])) for r in results},
        posterior_sd_z={r["participant"]: dict(zip(names, r["posterior_sd_z"])) for r in results},
        independent=independent, loglik={r["participant"]: r["loglik"] for r in results},
        iterations=history, converged=converged, seed=int(seed),
        elapsed_s=float(time.perf_counter() - started))


def _e_step_call(call: tuple, options: dict[str, Any]) -> dict[str, Any]:
    spec, frame, prior, seed = call
    return map_fit_participant(spec, frame, prior, seed, **options)


def store_hierarchical(store, result: HierarchicalFit, *, task: str, trials: pd.DataFrame) -> list[int]:
    """One model run per participant (fit kind ``hierarchical_map``: the MAP values, posterior
    SDs and the population they were shrunk towards), no trials; parameters = every parameter
    the likelihood used, seed, software versions and the trials' hash."""
    from db.provenance import software_versions
    from models.fitting.ml import build_model, trials_hash

    population = {"mean": result.population_mean, "mean_z": result.population_mean_z,
                  "sd_z": result.population_sd_z}
    run_ids = []
    for code, values in result.participants.items():
        rows = trials[trials["agent"].astype(str) == code]
        model, _ = build_model(result.model, values)
        fit = {"kind": "hierarchical_map", "model": result.model, "participant": code,
               "params": values, "posterior_sd_z": result.posterior_sd_z[code],
               "independent_ml": result.independent.get(code), "loglik": result.loglik[code],
               "population": population, "iterations": len(result.iterations),
               "converged": result.converged, "method": result.method, "seed": result.seed,
               "in_sample": True}
        run_id = store.start_model_run(model=model.name, model_version=model.version, task=task,
                                       parameters={**model.get_params(), **values}, seed=result.seed,
                                       n_simulated=0, stimulus_set=f"human {task} trials of {code}",
                                       stimulus_set_hash=trials_hash(rows),
                                       software_versions=software_versions(("pybads", "dask")))
        store.finish_model_run(run_id, fit=fit)
        run_ids.append(run_id)
    return run_ids
