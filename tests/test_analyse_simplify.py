"""The simplification rule on the case of issue 15: an item term with zero variance next to a
supported by-participant slope. The rule must remove the empty item term, never the slope
(which made the congruency SE 59% too small), and a requested structure is fitted as requested.

The data are simulated participants (labelled ``simulated``) in a fully crossed, balanced design
whose item means are made identical within each condition, so the item variance estimate is
exactly on the boundary (zero) whatever the seed — the case is built, not searched for.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import fit
from analysis.errors import EngineCapabilityError
from analysis.mixed import ModelSpec, Predictor, chosen, fit_with_simplification

FORMULA = "rt_ms ~ condition + (1 + condition | participant) + (1 | item)"


def zero_item_variance_trials(seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n_participants, n_items, repeats = 30, 12, 2
    rows = []
    intercepts = rng.normal(0, 80, n_participants)
    slopes = rng.normal(0, 35, n_participants)
    for p in range(n_participants):
        for i in range(n_items):
            for incongruent in (0, 1):
                for _ in range(repeats):
                    rt = 600 + 50 * incongruent + intercepts[p] + slopes[p] * incongruent + rng.normal(0, 100)
                    rows.append({"participant": f"S{p:02d}", "item": f"I{i:02d}",
                                 "condition": "incongruent" if incongruent else "congruent", "rt_ms": rt})
    data = pd.DataFrame(rows)
    cell = data.groupby(["item", "condition"])["rt_ms"].transform("mean")
    condition_mean = data.groupby("condition")["rt_ms"].transform("mean")
    data["rt_ms"] = data["rt_ms"] - (cell - condition_mean)   # every item: the same cell means
    data["source"] = "simulated"
    return data


@pytest.fixture(scope="module")
def trials():
    return zero_item_variance_trials()


@pytest.fixture(scope="module")
def auto(trials):
    return fit(trials, FORMULA)


def se(result, term="conditionincongruent"):
    return result.final.fixed(term, "se")


def test_zero_item_variance_removes_the_item_term_not_the_slope(auto):
    first = auto.attempts_fits[0]
    assert first.singular and first.boundary_groups == ["item"]
    assert "(1 | item)" in auto.reasons[0] and "variance (near) zero" in auto.reasons[0]
    assert auto.final.formula == "rt_ms ~ condition + (1 + condition | participant)"
    assert not auto.final.singular
    participant_terms = auto.random_effects.query("group == 'participant' and term2.isna()")["term"].tolist()
    assert participant_terms == ["(Intercept)", "conditionincongruent"]


def test_chosen_se_is_the_participant_model_not_crossed_intercepts(trials, auto):
    participant_only = fit(trials, "rt_ms ~ condition + (1 + condition | participant)", structure="as-given")
    crossed = fit(trials, "rt_ms ~ condition + (1 | participant) + (1 | item)", structure="as-given")
    assert se(auto) == pytest.approx(se(participant_only), rel=1e-6)
    # the wrong rule's answer: dropping the supported slope shrinks the SE by far more than noise
    assert se(crossed) < 0.75 * se(auto)


def test_requested_structure_is_fitted_as_requested(trials):
    as_given = fit(trials, FORMULA, structure="as-given")
    assert len(as_given.attempts_fits) == 1
    assert as_given.final.singular and as_given.final.formula.endswith("(1 | item)")


def test_compare_path_keeps_participant_slopes_when_only_the_item_term_is_empty(trials, auto):
    spec = ModelSpec("rt_ms", (Predictor("condition", ("congruent", "incongruent")),),
                     slopes=("condition",))
    attempts = fit_with_simplification(spec, trials, engine="mixedlm")
    kept = chosen(attempts)
    assert kept.structure == "maximal" and len(attempts) == 1
    assert "item variance is (near) zero" in kept.why
    assert kept.fixed("condition[incongruent]", "se") == pytest.approx(se(auto), rel=1e-4)
    requested = fit_with_simplification(spec, trials, engine="mixedlm", structure="crossed_intercepts")
    assert len(requested) == 1 and chosen(requested).structure == "crossed_intercepts"
    assert "requested" in chosen(requested).why


def test_compare_path_refuses_a_structure_the_engine_cannot_fit(trials):
    spec = ModelSpec("rt_ms", (Predictor("condition", ("congruent", "incongruent")),),
                     slopes=("condition",))
    with pytest.raises(EngineCapabilityError, match="mixedlm"):
        fit_with_simplification(spec, trials, engine="statsmodels", structure="maximal")
