"""The optimiser: BADS (Acerbi & Ma 2017, the ``pybads`` package).

Why BADS: the simulation-based likelihoods are rough surfaces (cycle counts are integers, so
the likelihood is piecewise constant in network parameters at a fine grain), evaluations cost
milliseconds to a tenth of a second, and there are 2–6 parameters with hard bounds. BADS
alternates a mesh-adaptive direct search (robust to roughness, no gradients) with Gaussian-
process surrogate search steps (few evaluations), and takes hard and plausible bounds natively.

Settings (``BADS_OPTIONS``): ``uncertainty_handling`` off — the simulations use common random
numbers (one seed per fit), so the objective is deterministic given the seed; ``max_fun_evals``
defaults to 60 × (free parameters + 1), enough to converge on these problems in our recovery
studies (docs/models/fitting.md) while keeping a per-participant fit under a minute; the start
point is the centre of the plausible box (the model's defaults are not always inside it once
they are free), and BADS's own random state is seeded from the fit's seed.
"""

from __future__ import annotations

import contextlib
import io
import logging
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

BADS_OPTIONS = {"display": "off", "uncertainty_handling": False}


@dataclass
class OptimiserResult:
    x: np.ndarray
    fval: float
    n_evaluations: int
    elapsed_s: float
    success: bool
    message: str
    trace: dict = field(default_factory=dict)


def minimise(objective: Callable[[np.ndarray], float], x0: np.ndarray, lower: np.ndarray,
             upper: np.ndarray, plausible_lower: np.ndarray, plausible_upper: np.ndarray, *,
             max_fun_evals: int | None = None, seed: int = 0) -> OptimiserResult:
    """Minimise ``objective`` with BADS within the bounds; a short summary of the path."""
    from pybads import BADS
    from threadpoolctl import threadpool_limits

    values: list[float] = []

    def tracked(x):
        value = float(objective(np.asarray(x, dtype=float).ravel()))
        values.append(value)
        return value

    options = dict(BADS_OPTIONS)
    options["max_fun_evals"] = int(max_fun_evals or 60 * (len(x0) + 1))
    options["random_seed"] = int(seed) % (2 ** 31)
    start = time.perf_counter()
    np_state = np.random.get_state()
    chatter = io.StringIO()       # BADS prints warnings on stdout; keep them for the trace
    try:
        # one BLAS thread: BADS's Gaussian-process algebra is small, and on a shared machine
        # threads only contend (measured 30 % faster); it also makes fits repeat bit for bit
        with contextlib.redirect_stdout(chatter), _quiet_bads_logging(), threadpool_limits(1):
            bads = BADS(tracked, np.asarray(x0, float), np.asarray(lower, float),
                        np.asarray(upper, float), np.asarray(plausible_lower, float),
                        np.asarray(plausible_upper, float), options=options)
            result = bads.optimize()
    finally:
        np.random.set_state(np_state)
    elapsed = time.perf_counter() - start
    best_so_far = np.minimum.accumulate(values) if values else np.array([])
    checkpoints = sorted({int(k) for k in np.linspace(0, len(values) - 1, 6)}) if values else []
    trace = {"start_value": values[0] if values else None,
             "best_value_at": {str(k + 1): float(best_so_far[k]) for k in checkpoints},
             "iterations": int(result.get("iterations", 0) or 0),
             "mesh_size": float(result.get("mesh_size", np.nan) or np.nan),
             "warnings": sorted({line.strip() for line in chatter.getvalue().splitlines()
                                 if line.strip()})[:5]}
    return OptimiserResult(x=np.asarray(result["x"], dtype=float).ravel(),
                           fval=float(result["fval"]), n_evaluations=int(result["func_count"]),
                           elapsed_s=elapsed, success=bool(result.get("success", True)),
                           message=str(result.get("message", "")), trace=trace)


@contextlib.contextmanager
def _quiet_bads_logging():
    loggers = [logging.getLogger(name) for name in ("BADS", "pybads", "gpyreg")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)
