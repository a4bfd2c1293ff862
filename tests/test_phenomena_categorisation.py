"""Glaser & Düngelhoff (1984) picture categorising: WEAVER++ predicts semantic facilitation out
of sample (timing fitted to picture naming only) and with Roelofs' parameters alone; held to the
published direction (the only thing the library yields for Experiment 2)."""

import pytest

from models.weaver.categorisation import PARAMETER_SETS, categorising_prediction
from models.weaver.report import GLASER_DUNGELHOFF_FIT
from stimuli.published import published_table


@pytest.fixture(scope="module")
def prediction():
    return categorising_prediction()


def test_both_parameter_sets_on_the_nine_soas(prediction):
    assert set(prediction["parameters"]) == set(PARAMETER_SETS)
    assert prediction.groupby("parameters")["soa_ms"].apply(list).map(len).eq(9).all()
    assert GLASER_DUNGELHOFF_FIT == {"picture_onset_delay_ms": 125.0,
                                     "sustained_distractor_input_per_ms": 0.04}


@pytest.mark.parametrize("parameters", PARAMETER_SETS)
def test_related_words_speed_categorising(prediction, parameters):
    published = published_table("glaser1984-picture-categorising-direction").rows[0]
    assert published["direction"] == "facilitation"
    part = prediction[prediction["parameters"] == parameters].set_index("soa_ms")
    assert (part["semantic_ms"] <= 1e-6).all()                 # no interference at any SOA
    assert (part.loc[-100.0:0.0, "semantic_ms"] < -20).all()    # facilitation around SOA 0
    assert (part["related_ms"] <= 1e-6).all()                  # a related word never slows it
    assert (part.loc[300.0:, "semantic_ms"].abs() < 1).all()   # late words do nothing


def test_out_of_sample_prediction_is_what_the_docs_say(prediction):
    fitted = prediction[prediction["parameters"] == "picture-naming fit"].set_index("soa_ms")
    assert fitted.loc[-400.0:100.0, "semantic_ms"].between(-54, -51).all()
    assert fitted.loc[200.0:, "semantic_ms"].abs().max() < 1
