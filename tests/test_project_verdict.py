"""Replication verdicts: d33 is where the original had 33% power; a large replication near
zero fails the small-telescopes test and is equivalent to zero; a clear effect replicates;
a tiny sample is inconclusive."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from analysis.project.verdict import d33, equivalence, one_sample_power, small_telescopes, verdicts


def test_d33_is_where_the_original_had_a_third_power():
    for n in (12, 38, 100):
        assert one_sample_power(d33(n), n) == pytest.approx(1 / 3, abs=1e-6)
    assert d33(100) < d33(38) < d33(12)


def test_power_matches_a_monte_carlo_t_test():
    rng = np.random.default_rng(0)
    samples = rng.normal(0.5, 1.0, size=(20000, 20))
    p = stats.ttest_1samp(samples, 0.0, axis=1).pvalue
    assert one_sample_power(0.5, 20) == pytest.approx((p < 0.05).mean(), abs=0.01)


def summary(effects):
    effects = np.asarray(effects, float)
    n = len(effects)
    sd = effects.std(ddof=1)
    se = sd / np.sqrt(n)
    t_value = effects.mean() / se
    return {"n_participants": n, "estimate_ms": effects.mean(), "se_ms": se, "dz": effects.mean() / sd,
            "p_value": 2 * stats.t.sf(abs(t_value), n - 1)}


def test_a_large_replication_near_zero_fails_both_rules():
    rng = np.random.default_rng(1)
    near_zero = summary(rng.normal(2.0, 40.0, size=400))
    telescope = small_telescopes(dz=near_zero["dz"], n=400, p_value=near_zero["p_value"],
                                 estimate_ms=near_zero["estimate_ms"], original_effect_ms=100.0, n_original=38)
    assert telescope["verdict"] == "failed"
    tost = equivalence(estimate_ms=near_zero["estimate_ms"], se_ms=near_zero["se_ms"], df=399,
                       p_value=near_zero["p_value"], original_effect_ms=100.0, sesoi_ms=50.0)
    assert tost["verdict"] == "failed"


def test_a_clear_effect_replicates_and_a_tiny_sample_is_inconclusive():
    rng = np.random.default_rng(2)
    clear = summary(rng.normal(90.0, 40.0, size=30))
    both = verdicts(["small-telescopes", "equivalence"], clear, original_effect_ms=100.0,
                    n_original=38, sesoi_ms=50.0)
    assert [v["verdict"] for v in both] == ["replicated", "replicated"]
    tiny = summary([120.0, -40.0, 30.0])
    assert {v["verdict"] for v in verdicts(["small-telescopes", "equivalence"], tiny,
                                           original_effect_ms=100.0, n_original=38, sesoi_ms=50.0)} == {"inconclusive"}
    unknown_n = verdicts(["small-telescopes"], clear, original_effect_ms=100.0, n_original=None, sesoi_ms=50.0)
    assert unknown_n[0]["verdict"] == "not available"
