"""Stroop colour naming across word–colour SOAs: WEAVER++ and Cohen et al. (1990) against the
Glaser & Glaser (1982) pattern, and an SOA that means the same whatever was fitted last."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.base import ModelInputError
from models.pdp.cohen1990 import Cohen1990
from models.pdp.cohen_huston1994 import CohenHuston1994
from models.pdp.soa import colour_naming_soa_curve
from models.pdp.stimuli import canonical_trials
from models.weaver.lists import stroop_list
from models.weaver.model import Weaver
from models.weaver.report import stroop_soa_curve
from stimuli.published import published_table


def band_means(curve: pd.DataFrame) -> dict[str, float]:
    """Mean interference of the curve in each SOA band of the Glaser & Glaser (1982) table."""
    table = published_table("glaser1982-stroop-soa-pattern")
    means = {}
    for row in table.rows:
        inside = curve["soa_ms"].between(row["soa_ms_from"], row["soa_ms_to"])
        means[row["interference"]] = float(curve.loc[inside, "interference_ms"].mean())
    return means


def assert_glaser_pattern(curve: pd.DataFrame, label: str) -> None:
    """Interference from words shortly before or with the colour; little from words long
    after it (at most a third of it)."""
    means = band_means(curve)
    print(label, curve.round(1).to_dict("list"), "band means:", means)
    assert means["present"] > 20
    assert means["little"] <= means["present"] / 3


@pytest.fixture(scope="module")
def weaver_curve() -> pd.DataFrame:
    return stroop_soa_curve(Weaver())


@pytest.fixture(scope="module")
def cohen_curve() -> pd.DataFrame:
    return colour_naming_soa_curve(Cohen1990(), n=200, seed=3)


def test_weaver_follows_the_glaser_pattern(weaver_curve):
    assert_glaser_pattern(weaver_curve, "WEAVER++")
    by_soa = weaver_curve.set_index("soa_ms")["interference_ms"]
    assert by_soa.idxmax() in (-100.0, 0.0)
    # unlike Cohen et al. (1990), earlier words do not interfere ever more
    assert by_soa[-400.0] < by_soa[0.0]


def test_cohen1990_follows_the_glaser_pattern_but_grows_for_early_words(cohen_curve):
    assert_glaser_pattern(cohen_curve, "Cohen et al. (1990)")
    by_soa = cohen_curve.set_index("soa_ms")["interference_ms"]
    assert by_soa[-400.0] > by_soa[0.0]        # the model's documented failure


def test_weaver_no_longer_ignores_stroop_soa():
    times = {soa: Weaver().expected_retrieval_ms(stroop_list().assign(soa_ms=soa))
             for soa in (-300.0, 0.0, 300.0)}
    assert not np.allclose(times[-300.0], times[0.0])
    assert not np.allclose(times[300.0], times[0.0])
    # a list without soa_ms (or with empty cells) is SOA 0, as before
    np.testing.assert_allclose(Weaver().expected_retrieval_ms(stroop_list()), times[0.0])
    np.testing.assert_allclose(
        Weaver().expected_retrieval_ms(stroop_list().assign(soa_ms=np.nan)), times[0.0])
    with pytest.raises(ModelInputError) as error:
        Weaver().simulate(stroop_list().assign(soa_ms="early"))
    assert "soa_ms 'early'" in str(error.value) and "\n" not in str(error.value)


def test_pdp_soa_cycles_do_not_follow_the_last_fit(sqlite_url, bundled_data_dir):
    """A fit to Pratte et al. (2010) changes the RT line (ms per cycle) but not what an SOA
    of −200 ms means to the network."""
    from db.importer import import_dataset
    from db.store import Store

    store = Store(sqlite_url)
    import_dataset(store, "pratte2010", data_dir=bundled_data_dir)
    human = store.trials_frame(task="stroop", source="human")
    store.dispose()
    trials = canonical_trials(("red", "green"), ("colour_naming",), soa_ms=-200.0)
    model = CohenHuston1994()
    before = model.simulate(trials, seed=1)
    scale_before = model.param("ms_per_unit")
    model.fit(human)
    print(f"ms per cycle: {scale_before:.2f} before, {model.param('ms_per_unit'):.2f} after the fit; "
          f"SOA time scale {model.soa_ms_per_cycle:.2f}")
    assert abs(model.param("ms_per_unit") - scale_before) > 1.0
    after = model.simulate(trials, seed=1)
    assert [e["soa_cycles"] for e in after["extras"]] == [e["soa_cycles"] for e in before["extras"]]
    assert after["extras"].iloc[0]["soa_cycles"] == round(-200.0 / 9.29)
    np.testing.assert_array_equal([e["rt_cycles"] for e in after["extras"]],
                                  [e["rt_cycles"] for e in before["extras"]])
    with pytest.raises(ModelInputError, match="soa_ms_per_cycle"):
        CohenHuston1994(soa_ms_per_cycle=0.0).simulate(trials)
