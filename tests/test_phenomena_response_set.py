"""The Stroop response-set effect (Klein 1964, as Lamers, Roelofs & Rabeling-Keus 2010 put it:
response-set words interfere about twice as much as colour words outside the set), in the 1990
PDP model and in WEAVER++ — direction and rough size, published parameters, nothing fitted."""

import pytest

from models.base import ModelInputError
from models.pdp.cohen1990 import Cohen1990
from models.pdp.response_set import pdp_response_set_effect, response_set_trials
from models.weaver.response_set import weaver_response_set_effect
from stimuli.published import published_table


def effects(frame):
    return frame.set_index("condition")["effect_vs_neutral_ms"]


def published_ratio() -> float:
    return published_table("lamers2010-response-set").rows[0]["interference_ratio"]


def test_design_has_every_condition_for_every_ink():
    trials = response_set_trials(("red", "green"), ("blue", "yellow"))
    counts = trials.groupby(["ink", "condition"]).size().unstack()
    assert counts.loc["red", "incongruent_outside_set"] == 2
    assert counts.loc["red", "incongruent_response_set"] == 1
    assert set(trials["expected_response"]) == {"red", "green"}


def test_pdp_response_set_words_interfere_more():
    frame = pdp_response_set_effect(Cohen1990(), n=800, seed=1)
    e = effects(frame)
    inside, outside = e["incongruent_response_set"], e["incongruent_outside_set"]
    assert inside > 100
    assert outside > 5                        # an outside colour word still interferes a little
    assert inside / outside > 0.75 * published_ratio()      # at least about the published size
    assert e["congruent"] < 0
    assert frame.set_index("condition")["accuracy"].min() > 0.95


def test_weaver_response_set_rule_gives_the_effect_and_all_lemmas_rule_does_not():
    chosen = effects(weaver_response_set_effect(reading="response_set_competes"))
    plain = effects(weaver_response_set_effect(reading="all_lemmas_compete"))
    assert chosen["incongruent_response_set"] > 40
    assert chosen["incongruent_response_set"] > 0.75 * published_ratio() * max(
        chosen["incongruent_outside_set"], 1.0)
    assert chosen["incongruent_outside_set"] > -5          # outside words do not facilitate
    # without a response set in the rule, an outside colour word is just another competitor
    assert plain["incongruent_outside_set"] == pytest.approx(plain["incongruent_response_set"])
    assert plain["incongruent_response_set"] > 40
    assert chosen["congruent"] < 0 and plain["congruent"] < 0


def test_weaver_unknown_reading_is_one_line_error():
    with pytest.raises(ModelInputError, match="reading must be one of"):
        weaver_response_set_effect(reading="telepathy")
