"""From a selection hazard to retrieval latencies: survival, density, E[T] and sampling.

WEAVER++'s mathematical characterisation (Roelofs 1992, appendix; 2003) treats selection as a
discrete-time hazard process. With h(s) the probability of selecting the target at step s given
that it was not selected before (``models.weaver.dynamics``):

    S(s) = Π_{j ≤ s} (1 − h(j))          survival: not yet selected after step s, S(0) = 1
    f(s) = h(s) · S(s − 1)               probability that selection happens at step s
    E[T] = Σ_{s ≤ s_max} f(s) · s · Δt + S(s_max) · s_max · Δt

The last term is mirrorlab's truncation (``truncation="at_max"``): latencies beyond s_max·Δt
(1000 ms) are counted as s_max·Δt. Roelofs' programs drop that mass instead
(``truncation="drop"``: E[T] = Σ f(s)·s·Δt only; "truncation error will be marginal because for
T > 1000, f(s) < 0.000001", ERP_bilingual_lemret.c), which is exact only when the survival at
1000 ms is negligible; ``truncation_probability`` says when it is not. Sampling draws the step from the same distribution (inverse CDF), so the
mean of many sampled latencies converges on E[T].
"""

from __future__ import annotations

import numpy as np


def survival(hazard: np.ndarray) -> np.ndarray:
    """S(s) for s = 1..steps (trials × steps)."""
    return np.cumprod(1.0 - hazard, axis=-1)


def selection_density(hazard: np.ndarray) -> np.ndarray:
    """f(s) = h(s)·S(s−1) for s = 1..steps."""
    surv = survival(hazard)
    before = np.concatenate([np.ones_like(surv[..., :1]), surv[..., :-1]], axis=-1)
    return hazard * before


TRUNCATIONS = ("at_max", "drop")


def expected_latency_ms(hazard: np.ndarray, step_ms: float,
                        truncation: str = "at_max") -> np.ndarray:
    """E[T] in ms (trials,): the mass that survives the last step is put at the truncation
    (``"at_max"``) or left out as in Roelofs' programs (``"drop"``)."""
    if truncation not in TRUNCATIONS:
        raise ValueError(f"truncation {truncation!r} is not one of {', '.join(TRUNCATIONS)}")
    steps = np.arange(1, hazard.shape[-1] + 1)
    density = selection_density(hazard)
    remaining = survival(hazard)[..., -1] if truncation == "at_max" else 0.0
    return step_ms * ((density * steps).sum(axis=-1) + remaining * hazard.shape[-1])


def truncation_probability(hazard: np.ndarray) -> np.ndarray:
    """P(no selection within the simulated window) per trial."""
    return survival(hazard)[..., -1]


def sample_latency_ms(hazard: np.ndarray, step_ms: float, rng: np.random.Generator,
                      n_draws: int = 1) -> np.ndarray:
    """Draw latencies (n_draws × trials) from the hazard by the inverse CDF.

    A draw that falls beyond the last step is truncated to steps·Δt, as in E[T].
    """
    cdf = 1.0 - survival(hazard)                       # (trials, steps), non-decreasing
    u = rng.random((n_draws, hazard.shape[0]))
    # first step whose CDF reaches u; vectorised over trials by counting steps with CDF < u
    step_index = (cdf[None, :, :] < u[:, :, None]).sum(axis=-1)   # 0..steps
    step_index = np.minimum(step_index + 1, hazard.shape[-1])
    return step_ms * step_index
