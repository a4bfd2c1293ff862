"""How far the simulation-based likelihood is from the exact one, on a case with both.

WEAVER++'s latency distribution is known exactly (its hazard), so the same trials can be scored
analytically (:class:`~models.likelihood.families.WeaverLikelihood`) and by the kernel estimator
the PDP models use (:func:`~models.likelihood.density.kernel_logpdf`) fed with K latencies drawn
from that hazard. The difference per trial is the estimator's error; it shrinks as 1/√K.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.likelihood.density import kernel_logpdf
from models.likelihood.families import WeaverLikelihood
from models.likelihood.residuals import ExGaussianResidual


def kernel_error_against_analytic(trials: pd.DataFrame, n_simulated: int, *, seed: int = 0,
                                  residual_sd_ms: float = 40.0, residual_tau_ms: float = 100.0,
                                  n_quantiles: int | None = None, model=None) -> dict[str, float]:
    """Mean and largest |kernel − analytic| log-density (nats per trial) over ``trials`` (which
    need ``rt_ms``), with ``n_simulated`` simulated latencies per trial; with ``n_quantiles``
    the simulations are first summarised by that many quantiles, as the PDP likelihood does."""
    from models.weaver.model import Weaver

    model = model or Weaver()
    likelihood = WeaverLikelihood(model, trials.assign(correct=True))
    params, _ = likelihood.split({})
    noise = ExGaussianResidual(residual_sd_ms, residual_tau_ms)
    analytic = likelihood._log_choice_rt(params, noise)
    pmf, index, step_ms = likelihood._step_pmf(params)
    offsets = likelihood._offsets(params)
    rng = np.random.default_rng(seed)
    cdf = np.cumsum(pmf, axis=1)
    kernel = np.empty(len(index))
    rt = likelihood.scored.rt_ms
    for config in np.unique(index):
        rows = np.flatnonzero(index == config)
        u = rng.random(n_simulated) * cdf[config, -1]
        steps = np.minimum((cdf[config][None, :] < u[:, None]).sum(axis=1) + 1, pmf.shape[1])
        simulated = offsets[rows[0]] + float(params["ms_per_unit"]) * steps * step_ms
        if n_quantiles:
            levels = (np.arange(n_quantiles) + 0.5) / n_quantiles
            simulated = np.quantile(simulated, levels)
        kernel[rows] = kernel_logpdf(rt[rows], simulated, len(simulated), noise)
    error = np.abs(kernel - analytic)
    return {"n_simulated": int(n_simulated), "n_quantiles": n_quantiles, "mean_abs_error": float(error.mean()),
            "max_abs_error": float(error.max()), "n_trials": int(len(error))}
