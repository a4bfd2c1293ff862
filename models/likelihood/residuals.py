"""Trial-level RT noise: what turns a model's internal latency into a distribution in ms.

Every model's RT is ``model_rt_ms + residual``: the model's own mapping of internal time to ms
(intercept + scale · cycles or steps, the non-decision component included) plus a residual drawn
afresh on every trial. Two residual families, both with vectorised log-densities:

* **ex-Gaussian** N(0, σ²) + Exp(τ) (the default): Gaussian jitter of the non-decision stages
  plus an exponential tail, the shape of human RT distributions (Ratcliff 1979; Heathcote et
  al. 1991). ``residual_sd_ms`` = σ, ``residual_tau_ms`` = τ; the residual's mean is τ.
* **shifted lognormal** exp(N(μ, s²)) with μ chosen so that its mode sits at 0 ms is not a
  density on (−∞, ∞), so the lognormal residual is used as ``shift + LogNormal(μ, s)`` for the
  yardsticks' whole RT (:func:`shifted_lognormal_logpdf`).

Because the residual has a strictly positive variance, no cell of a model ever has an RT
distribution of zero width.
"""

from __future__ import annotations

import numpy as np
from scipy.special import log_ndtr

#: Floor under log-densities so a single impossible trial cannot make a fit −∞.
LOG_DENSITY_FLOOR = -1e3


def exgauss_logpdf(x_ms: np.ndarray, mu_ms, sigma_ms, tau_ms) -> np.ndarray:
    """log density of N(μ, σ²) + Exp(τ) at ``x_ms`` (broadcasting arrays).

    f(x) = (1/τ) · exp(σ²/(2τ²) − (x − μ)/τ) · Φ((x − μ)/σ − σ/τ); computed in logs with
    ``log_ndtr`` so that far tails stay finite.
    """
    x = np.asarray(x_ms, dtype=float)
    sigma = np.asarray(sigma_ms, dtype=float)
    tau = np.asarray(tau_ms, dtype=float)
    z = (x - mu_ms) / sigma
    out = -np.log(tau) + sigma ** 2 / (2 * tau ** 2) - (x - mu_ms) / tau + log_ndtr(z - sigma / tau)
    return np.maximum(out, LOG_DENSITY_FLOOR)


def exgauss_sample(rng: np.random.Generator, mu_ms, sigma_ms, tau_ms, size) -> np.ndarray:
    """Draws of N(μ, σ²) + Exp(τ)."""
    return (rng.normal(mu_ms, sigma_ms, size=size)
            + rng.exponential(np.asarray(tau_ms, dtype=float), size=size))


def shifted_lognormal_logpdf(x_ms: np.ndarray, shift_ms, mu_log, sigma_log) -> np.ndarray:
    """log density of ``shift + exp(N(μ, s²))`` at ``x_ms``; −∞ (floored) at or below the shift."""
    x = np.asarray(x_ms, dtype=float)
    y = x - shift_ms
    positive = y > 0
    safe = np.where(positive, y, 1.0)
    out = (-np.log(safe) - np.log(sigma_log) - 0.5 * np.log(2 * np.pi)
           - (np.log(safe) - mu_log) ** 2 / (2 * np.asarray(sigma_log, dtype=float) ** 2))
    return np.maximum(np.where(positive, out, LOG_DENSITY_FLOOR), LOG_DENSITY_FLOOR)


def shifted_lognormal_sample(rng: np.random.Generator, shift_ms, mu_log, sigma_log, size) -> np.ndarray:
    return shift_ms + np.exp(rng.normal(mu_log, sigma_log, size=size))


class ExGaussianResidual:
    """The residual N(0, σ²) + Exp(τ) added to a model's RT (ms)."""

    def __init__(self, sd_ms: float, tau_ms: float):
        if not (sd_ms > 0 and tau_ms > 0):
            raise ValueError(f"residual needs sd_ms > 0 and tau_ms > 0, got {sd_ms}, {tau_ms}")
        self.sd_ms = float(sd_ms)
        self.tau_ms = float(tau_ms)

    def logpdf(self, residual_ms: np.ndarray) -> np.ndarray:
        return exgauss_logpdf(residual_ms, 0.0, self.sd_ms, self.tau_ms)

    def sample(self, rng: np.random.Generator, size) -> np.ndarray:
        return exgauss_sample(rng, 0.0, self.sd_ms, self.tau_ms, size)
