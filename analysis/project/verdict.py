"""Replication verdicts, by the rule a project states in its ``project.toml``.

**Small telescopes** (Simonsohn 2015, Psychol. Sci. 26, 559–569). ``d33`` is the standardised
effect (here dz, the within-participant effect / SD of participants' effects) that the
original study, with its n, had 33% power to detect (two-sided one-sample t test, α = .05).
The replication's one-sided 90% upper bound for dz:
  * below d33 → ``failed``: the effect, if any, is too small for the original to have seen;
  * otherwise, if the replication is significant in the original direction → ``replicated``;
  * otherwise → ``inconclusive``.
It needs only the original sample size, not the original's SD.

**Equivalence** (two one-sided tests, Lakens 2017, SPPS 8, 355–362) against ±``sesoi_ms``,
the smallest effect of interest in ms (by default half the original effect): both one-sided
tests significant → ``equivalent to zero`` (no effect of interest, a failed replication);
significant and outside the bounds in the original direction → ``replicated``; else
``inconclusive``.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize, stats

RULES = ("small-telescopes", "equivalence")


def one_sample_power(dz: float, n: int, alpha: float = 0.05) -> float:
    """Power of a two-sided one-sample t test of n participants at effect dz."""
    df = n - 1
    critical = stats.t.ppf(1 - alpha / 2, df)
    noncentrality = dz * np.sqrt(n)
    upper = stats.nct.sf(critical, df, noncentrality)
    lower = np.nan_to_num(stats.nct.cdf(-critical, df, noncentrality))   # ≈ 0, NaN far out
    return float(upper + lower)


def d33(n_original: int, alpha: float = 0.05) -> float:
    """The dz the original study (n participants) had 33% power to detect."""
    return float(optimize.brentq(lambda d: one_sample_power(d, n_original, alpha) - 1 / 3, 1e-6, 5.0 / np.sqrt(n_original)))


def dz_upper_bound(dz: float, n: int, confidence: float = 0.90) -> float:
    """One-sided upper confidence bound of dz (normal approximation of its SE,
    √(1/n + dz²/(2n)))."""
    se = np.sqrt(1.0 / n + dz ** 2 / (2.0 * n))
    return float(dz + stats.norm.ppf(confidence) * se)


def small_telescopes(*, dz: float, n: int, p_value: float, estimate_ms: float,
                     original_effect_ms: float, n_original: int, alpha: float = 0.05) -> dict:
    threshold = d33(n_original, alpha)
    upper = dz_upper_bound(dz, n)
    same_direction = np.sign(estimate_ms) == np.sign(original_effect_ms)
    if upper < threshold:
        verdict = "failed"
        reason = f"90% upper bound of dz {upper:.2f} < d33 {threshold:.2f} (n_original {n_original})"
    elif p_value < alpha and same_direction:
        verdict = "replicated"
        reason = f"p = {p_value:.3g} in the original direction; dz upper bound {upper:.2f} ≥ d33 {threshold:.2f}"
    else:
        verdict = "inconclusive"
        reason = f"p = {p_value:.3g}; dz upper bound {upper:.2f} ≥ d33 {threshold:.2f}"
    return {"rule": "small-telescopes", "verdict": verdict, "reason": reason,
            "d33": threshold, "dz_upper_90": upper}


def equivalence(*, estimate_ms: float, se_ms: float, df: int, p_value: float,
                original_effect_ms: float, sesoi_ms: float, alpha: float = 0.05) -> dict:
    p_lower = float(stats.t.sf((estimate_ms + sesoi_ms) / se_ms, df))
    p_upper = float(stats.t.cdf((estimate_ms - sesoi_ms) / se_ms, df))
    same_direction = np.sign(estimate_ms) == np.sign(original_effect_ms)
    if max(p_lower, p_upper) < alpha:
        verdict = "failed"
        reason = f"equivalent to zero within ±{sesoi_ms:.1f} ms (TOST p = {max(p_lower, p_upper):.3g})"
    elif p_value < alpha and same_direction and abs(estimate_ms) > sesoi_ms:
        verdict = "replicated"
        reason = f"p = {p_value:.3g}, estimate beyond the smallest effect of interest ±{sesoi_ms:.1f} ms"
    else:
        verdict = "inconclusive"
        reason = f"p = {p_value:.3g}; TOST p = {max(p_lower, p_upper):.3g} against ±{sesoi_ms:.1f} ms"
    return {"rule": "equivalence", "verdict": verdict, "reason": reason, "sesoi_ms": sesoi_ms,
            "tost_p": max(p_lower, p_upper)}


def verdicts(rules: list[str], summary: dict, *, original_effect_ms: float, n_original: int | None,
             sesoi_ms: float, alpha: float = 0.05) -> list[dict]:
    """Every rule's verdict for one estimate (a row of ``effects.summarise``)."""
    out = []
    for rule in rules:
        if summary.get("n_participants", 0) < 2 or not np.isfinite(summary.get("se_ms", np.nan)):
            out.append({"rule": rule, "verdict": "no estimate", "reason": "fewer than 2 participants"})
        elif rule == "small-telescopes":
            if not n_original:
                out.append({"rule": rule, "verdict": "not available",
                            "reason": "the original sample size is not known (set original.n_participants)"})
                continue
            out.append(small_telescopes(dz=summary["dz"], n=summary["n_participants"],
                                        p_value=summary["p_value"], estimate_ms=summary["estimate_ms"],
                                        original_effect_ms=original_effect_ms,
                                        n_original=int(n_original), alpha=alpha))
        elif rule == "equivalence":
            out.append(equivalence(estimate_ms=summary["estimate_ms"], se_ms=summary["se_ms"],
                                   df=summary["n_participants"] - 1, p_value=summary["p_value"],
                                   original_effect_ms=original_effect_ms, sesoi_ms=sesoi_ms,
                                   alpha=alpha))
        else:
            raise ValueError(f"unknown verdict rule {rule!r}; known: {', '.join(RULES)}")
    return out
