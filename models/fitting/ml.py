"""Maximum-likelihood fits, one participant at a time or pooled.

:func:`fit_participant` is one independent function call — (model spec, fixed parameters,
trials, seed) in, a JSON-able :class:`FitResult` out — so that many fits can run as separate
tasks (issue 14 puts them on Dask). It builds the model's trial-level likelihood
(``models.likelihood``), maximises Σ log p(choice, rt) over the free parameters with BADS
(``models.fitting.optimiser``) and reports the fitted values with log-likelihood, AIC, BIC,
the optimiser's path and the seed.

A *model spec* is a registered name, optionally with fixed parameters:
``weaver-cumulative:conceptual_bias=0`` is WEAVER++ with the cumulative mechanism switched off.
"""

from __future__ import annotations

import hashlib
import platform
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd

from models.base import ModelInputError
from models.fitting.optimiser import minimise
from models.fitting.parameters import FreeParameter, parse_free


@dataclass
class FitResult:
    """What one maximum-likelihood fit found (every field JSON-able)."""

    model: str                       # the spec, e.g. "cohen1990" or "weaver-cumulative:conceptual_bias=0"
    participant: str | None          # None for a pooled fit
    params: dict[str, float]         # fitted free parameters
    fixed: dict[str, Any]            # parameters held fixed by the spec or the caller
    loglik: float
    n_trials: int
    n_excluded: int
    n_free: int
    aic: float
    bic: float
    n_evaluations: int
    elapsed_s: float
    seed: int
    converged: bool
    optimiser: str = "pybads.BADS"
    trace: dict = field(default_factory=dict)
    in_sample: bool = True           # the fit is judged on the data it was fitted to

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def parse_model_spec(spec: str) -> tuple[str, dict[str, Any]]:
    """``"name:a=1,b=x"`` → ("name", {"a": 1.0, "b": "x"})."""
    name, _, rest = str(spec).partition(":")
    params: dict[str, Any] = {}
    for part in filter(None, (p.strip() for p in rest.split(","))):
        key, eq, value = part.partition("=")
        if not eq:
            raise ModelInputError(f"model spec {spec!r}: {part!r} is not NAME=VALUE")
        try:
            params[key.strip()] = float(value)
        except ValueError:
            params[key.strip()] = value.strip()
    return name.strip(), params


def build_model(spec: str, params: dict[str, Any] | None = None):
    from models.registry import make_model, model_class

    name, fixed = parse_model_spec(spec)
    fixed.update({k: v for k, v in (params or {}).items()
                  if k in model_class(name).param_names()})
    return make_model(name, **fixed), fixed


#: A boolean trial column that limits which scored trials a fit sums (the others are still
#: given to the model, so that sequence-dependent models see every trial a person named).
FIT_MASK_COLUMN = "fit_this_trial"


def fit_mask(scored: pd.DataFrame) -> np.ndarray:
    """Which scored trials a fit sums: the :data:`FIT_MASK_COLUMN` where present, else all."""
    if FIT_MASK_COLUMN not in scored.columns:
        return np.ones(len(scored), dtype=bool)
    return scored[FIT_MASK_COLUMN].fillna(False).astype(bool).to_numpy()


def _objective(likelihood, free: Sequence[FreeParameter], fixed_residual: dict[str, Any],
               mask: np.ndarray | None = None):
    names = [p.name for p in free]

    def negative_loglik(x: np.ndarray) -> float:
        values = dict(zip(names, (float(v) for v in x)))
        try:
            per_trial = likelihood.loglik({**fixed_residual, **values})
            total = float(np.sum(per_trial if mask is None else per_trial[mask]))
        except ModelInputError:
            return 1e12          # parameters the model refuses (e.g. unbounded growth)
        return -total if np.isfinite(total) else 1e12

    return negative_loglik


def fit_participant(spec: str, trials: pd.DataFrame, *, params: dict[str, Any] | None = None,
                    free: str | Sequence[str] | None = None, seed: int = 0,
                    max_fun_evals: int | None = None, n_sim_per_cell: int | None = None,
                    participant: str | None = None, n_starts: int = 2) -> FitResult:
    """Maximum-likelihood fit of ``spec`` to ``trials`` (one participant's, or everyone's for a
    pooled fit). ``params`` fixes parameters (model or residual ones), ``free`` names the
    parameters to estimate (default: the model's ``default_free``); ``n_starts`` BADS runs
    from different starting points, the best kept. With a boolean column
    :data:`FIT_MASK_COLUMN` only those trials are summed (held-out fits of sequence-dependent
    models: the model still sees the whole sequence)."""
    from models.likelihood import RESIDUAL_PARAMETERS, likelihood_for

    model, fixed = build_model(spec, params)
    if hasattr(model, "maximum_likelihood_fit"):
        return _closed_form_fit(spec, model, trials, seed, participant)
    free_params = parse_free(free, type(model))
    clash = [p.name for p in free_params if p.name in parse_model_spec(spec)[1]]
    if clash:
        raise ModelInputError(f"model spec {spec!r} fixes {', '.join(clash)}, so it cannot be free")
    fixed_residual = {k: float(v) for k, v in (params or {}).items() if k in RESIDUAL_PARAMETERS}
    likelihood = likelihood_for(model, trials, seed=seed,
                                n_sim_per_cell=n_sim_per_cell)
    network_free = [p for p in free_params if p.name not in RESIDUAL_PARAMETERS
                    and p.name not in likelihood.mapping_params]
    if len(network_free) == 1 and hasattr(likelihood, "use_grid"):
        likelihood.use_grid(network_free[0].name, network_free[0].lower, network_free[0].upper)
    mask = fit_mask(likelihood.scored.trials)
    objective = _objective(likelihood, free_params, fixed_residual, mask)
    lower = np.array([p.lower for p in free_params])
    upper = np.array([p.upper for p in free_params])
    plausible_lower = np.array([p.plausible_lower for p in free_params])
    plausible_upper = np.array([p.plausible_upper for p in free_params])
    # BADS from the centre of the plausible box, then from a random point in it: one start
    # sometimes stops in a local optimum of the scale–residual trade-off (a recovery fit
    # ended 4.6 log-units below the true parameters' likelihood); the better run is kept
    starts = [(plausible_lower + plausible_upper) / 2]
    start_rng = np.random.default_rng(seed)
    starts += [start_rng.uniform(plausible_lower, plausible_upper) for _ in range(int(n_starts) - 1)]
    runs = [minimise(objective, x0, lower, upper, plausible_lower, plausible_upper,
                     max_fun_evals=max_fun_evals, seed=seed + k) for k, x0 in enumerate(starts)]
    result = min(runs, key=lambda run: run.fval)
    result.trace["starts"] = [{"x0": [float(v) for v in x0], "best_value": run.fval,
                               "evaluations": run.n_evaluations}
                              for x0, run in zip(starts, runs)]
    result.n_evaluations = sum(run.n_evaluations for run in runs)
    result.elapsed_s = sum(run.elapsed_s for run in runs)
    fitted = {p.name: float(v) for p, v in zip(free_params, result.x)}
    n = int(mask.sum())
    k = len(free_params)
    loglik_value = -result.fval
    return FitResult(model=spec, participant=participant, params=fitted,
                     fixed={**{k_: v for k_, v in fixed.items()}, **fixed_residual},
                     loglik=loglik_value, n_trials=n, n_excluded=likelihood.scored.n_excluded,
                     n_free=k, aic=2 * k - 2 * loglik_value, bic=k * np.log(n) - 2 * loglik_value,
                     n_evaluations=result.n_evaluations, elapsed_s=result.elapsed_s,
                     seed=int(seed), converged=result.success, trace=result.trace)


def _closed_form_fit(spec, model, trials, seed, participant) -> FitResult:
    """Yardsticks fit themselves (per-cell maximum likelihood needs no BADS)."""
    start = time.perf_counter()
    fitted, per_trial, k, scored = model.maximum_likelihood_fit(trials)
    total = float(np.sum(per_trial))
    n = len(scored)
    return FitResult(model=spec, participant=participant, params=fitted, fixed={},
                     loglik=total, n_trials=n, n_excluded=scored.n_excluded, n_free=int(k),
                     aic=2 * k - 2 * total, bic=k * np.log(n) - 2 * total, n_evaluations=0,
                     elapsed_s=time.perf_counter() - start, seed=int(seed), converged=True,
                     optimiser="closed-form per-cell maximum likelihood (scipy L-BFGS-B)")


def participants(trials: pd.DataFrame) -> list[str]:
    if "agent" not in trials.columns:
        raise ModelInputError("trials have no 'agent' column, so they cannot be split by participant")
    return [str(a) for a in pd.unique(trials["agent"].dropna())]


def fit_per_participant(spec: str, trials: pd.DataFrame, *, progress=None, **options) -> list[FitResult]:
    """One independent :func:`fit_participant` call per participant (column ``agent``); the
    seed of participant i is ``seed + i`` so fits are reproducible one by one."""
    seed = int(options.pop("seed", 0))
    results = []
    for i, code in enumerate(participants(trials)):
        rows = trials[trials["agent"].astype(str) == code]
        results.append(fit_participant(spec, rows, seed=seed + i, participant=code, **options))
        if progress is not None:
            progress(1)
    return results


def fit_pooled(spec: str, trials: pd.DataFrame, **options) -> FitResult:
    """One parameter set for all participants together."""
    return fit_participant(spec, trials, participant=None, **options)


def trials_hash(trials: pd.DataFrame) -> str:
    """sha256 over the stimulus columns of the fitted trials (the 'stimulus set' of a fit)."""
    columns = [c for c in ("task", "instruction", "item_id", "condition", "word", "ink", "picture",
                           "distractor", "soa_ms", "ordinal_position", "agent") if c in trials.columns]
    payload = trials[columns].astype(str).to_csv(index=False).encode()
    return hashlib.sha256(payload).hexdigest()


def store_fit(store, result: FitResult, *, task: str, trials: pd.DataFrame,
              extra: dict[str, Any] | None = None, stimulus_set: str | None = None) -> int:
    """Store one fit as a model run (no trials): parameters = every parameter the likelihood
    used, fit = the :class:`FitResult`, seed, software versions and the trials' hash.
    ``extra`` adds to (and may override, e.g. ``kind``) the stored ``fit``; ``stimulus_set``
    replaces the default description of the fitted trials (a held-out fit names its fold)."""
    from db.provenance import software_versions

    model, _ = build_model(result.model, {**result.fixed, **result.params})
    parameters = {**model.get_params(), **{k: v for k, v in {**result.fixed, **result.params}.items()}}
    fit = {"kind": "maximum_likelihood", **result.to_dict(), "machine": platform.node(),
           **(extra or {})}
    run_id = store.start_model_run(model=model.name, model_version=model.version, task=task,
                                   parameters=parameters, seed=result.seed, n_simulated=0,
                                   stimulus_set=stimulus_set or (f"human {task} trials"
                                   + (f" of {result.participant}" if result.participant else "")),
                                   stimulus_set_hash=trials_hash(trials),
                                   software_versions=software_versions(("pybads", "pyddm")))
    store.finish_model_run(run_id, fit=fit)
    return run_id
