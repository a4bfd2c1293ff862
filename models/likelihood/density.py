"""Two ways to get ``log f(rt_ms, choice)`` from a model's internal latencies.

**Analytic, discrete latencies** (:func:`discrete_latency_logpdf`): WEAVER++'s hazard gives the
probability ``p_s`` that retrieval ends at step ``s``. With RT = constant + scale · s·Δt +
residual, the RT density is the mixture Σ_s p_s · g(rt − constant − scale·s·Δt), g the residual
density: an exact convolution, trials × steps, no sampling.

**Simulation-based** (:func:`kernel_logpdf`): for models without a closed form (the PDP
networks, the Stroop CNN) the cell's latencies are simulated K times and the density is the
average of the residual density around each simulated RT,
``f(rt, choice) ≈ (1/K) Σ_{k: choice_k = choice} g(rt − rt_k)``. This is a kernel density
estimate whose kernel *is* the model's own trial-level noise, so there is no bandwidth to choose
and the estimate is unbiased for the density of the model-with-residual; its only error is Monte
Carlo error, which falls as 1/√K. ``docs/models/fitting.md`` gives its size against the
analytic case (:func:`models.likelihood.checks.kernel_error_against_analytic`).
"""

from __future__ import annotations

import numpy as np
from scipy.special import logsumexp

from models.likelihood.residuals import LOG_DENSITY_FLOOR, ExGaussianResidual


def discrete_latency_logpdf(rt_ms: np.ndarray, offset_ms: np.ndarray, step_pmf: np.ndarray,
                            step_latency_ms: np.ndarray, residual: ExGaussianResidual) -> np.ndarray:
    """log Σ_s p[i, s] · g(rt[i] − offset[i] − latency[s]) for every trial i.

    ``step_pmf`` is trials × steps (rows sum to the probability of responding at all),
    ``step_latency_ms`` the latency (ms, already scaled) of each step."""
    residual_ms = rt_ms[:, None] - offset_ms[:, None] - step_latency_ms[None, :]
    with np.errstate(divide="ignore"):
        log_pmf = np.log(step_pmf)
    out = logsumexp(log_pmf + residual.logpdf(residual_ms), axis=1)
    return np.maximum(out, LOG_DENSITY_FLOOR)


def kernel_logpdf(rt_ms: np.ndarray, simulated_rt_ms: np.ndarray, n_simulated: int,
                  residual: ExGaussianResidual) -> np.ndarray:
    """log[(1/K) Σ_k g(rt[i] − sim[k])] for every human RT i, where ``simulated_rt_ms`` are the
    K' ≤ K simulations that made the same choice as the person and K = ``n_simulated`` all
    simulations of the cell (so the result is the defective density of that choice)."""
    if len(simulated_rt_ms) == 0:
        return np.full(len(rt_ms), LOG_DENSITY_FLOOR)
    log_kernel = residual.logpdf(rt_ms[:, None] - simulated_rt_ms[None, :])
    out = logsumexp(log_kernel, axis=1) - np.log(n_simulated)
    return np.maximum(out, LOG_DENSITY_FLOOR)
