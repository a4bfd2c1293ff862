"""WEAVER++ (models.weaver.model): picture–word interference across SOAs, Stroop, the hazard maths,
reproducibility, user errors, and a round trip through a real SQLite store."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.base import ModelInputError
from models.registry import make_model, model_class
from models.weaver.model import Weaver
from models.weaver.report import fit_report, glaser_dungelhoff_effects, stroop_fit
from models.weaver.dynamics import hazard_reference_loop, run_hazard
from models.weaver.hazard import expected_latency_ms, sample_latency_ms
from models.weaver.lists import picture_word_grid, stroop_list
from models.weaver.network import stack_networks
from models.weaver.report import GLASER_DUNGELHOFF_FIT


def fitted_weaver(**params) -> Weaver:
    """WEAVER++ with the two timing parameters fitted to G&D picture naming (in-sample for
    picture naming; see tests/test_weaver_soa.py for the fit itself)."""
    return Weaver(**GLASER_DUNGELHOFF_FIT, **params)


@pytest.fixture(scope="module")
def naming_effects() -> pd.DataFrame:
    """Condition − nonword difference scores (ms), rows = condition, columns = SOA."""
    table = glaser_dungelhoff_effects(fitted_weaver(), "picture_naming")
    return table.pivot(index="condition", columns="soa_ms", values="model_ms")


@pytest.fixture(scope="module")
def reading_effects() -> pd.DataFrame:
    table = glaser_dungelhoff_effects(fitted_weaver(), "word_reading")
    return table.pivot(index="condition", columns="soa_ms", values="model_ms")


def test_published_parameters_are_the_defaults():
    params = model_class("weaver").default_params()
    assert params["step_ms"] == 25.0
    assert params["conceptual_rate_per_ms"] == 0.0101
    assert params["concept_lemma_rate_per_ms"] == 0.0074
    assert params["form_rate_per_ms"] == 0.0120
    assert params["decay_per_ms"] == 0.0240
    assert params["external_input_per_ms"] == 0.1965
    assert params["distractor_duration_ms"] == 100.0
    assert params["critical_difference"] == 1.6
    assert params["max_latency_ms"] == 1000.0
    model = make_model("weaver", critical_difference=1.2)
    assert model.get_params()["critical_difference"] == 1.2
    assert model.decay_per_step == pytest.approx(0.6)
    assert model.step_rates().conceptual == pytest.approx(0.2525)


def test_semantic_interference_peaks_at_soa_0_to_100_and_vanishes_late(naming_effects):
    semantic = naming_effects.loc["related"] - naming_effects.loc["unrelated"]
    print("semantic effect (related − unrelated) by SOA:", semantic.round(1).to_dict())
    assert semantic.idxmax() in (0.0, 100.0)
    assert semantic[0.0] > 40
    assert abs(semantic[300.0]) < 5 and abs(semantic[400.0]) < 5
    assert semantic[0.0] > semantic[-400.0] + 20


def test_identity_facilitation_at_negative_soas(naming_effects):
    identical = naming_effects.loc["identical"]
    print("identity effect by SOA:", identical.round(1).to_dict())
    # people: about −75 ms; the model gives about a third of that (docs: deviations)
    assert identical[-100.0] < -15
    assert identical[[-400.0, -300.0, -200.0, -100.0]].mean() < -15
    assert abs(identical[400.0]) < 5


def test_word_reading_far_less_affected_than_picture_naming(naming_effects, reading_effects):
    naming = naming_effects.abs().to_numpy().mean()
    reading = reading_effects.abs().to_numpy().mean()
    print(f"mean |effect|: picture naming {naming:.1f} ms, word reading {reading:.1f} ms")
    assert reading < 0.5 * naming
    assert reading_effects.loc["unrelated"].abs().max() < 0.5 * naming_effects.loc["unrelated"].max()


def test_fit_against_glaser_dungelhoff_is_recorded():
    report = fit_report(include_continuous=False)
    print(report["summary"][["task", "model", "r", "rmse_ms", "n"]].round(3).to_string())
    summary = report["summary"][report["summary"]["model"] == "weaver"].set_index("task")
    naming = summary.loc["picture-word picture_naming"]
    assert naming["n"] == 27
    assert summary.loc["stroop", "r"] > 0.9
    delayed = report["summary"][report["summary"]["model"] == "weaver (+delay)"].iloc[0]
    assert delayed["rmse_ms"] <= naming["rmse_ms"]
    fitted = report["summary"][report["summary"]["model"] == "weaver (+fit)"].set_index("task")
    assert fitted.loc["picture-word picture_naming", "rmse_ms"] <= delayed["rmse_ms"]
    assert "out of sample" in fitted.loc["picture-word word_reading", "comparison"]


def test_stroop_interference_exceeds_facilitation_and_reading_is_unaffected():
    table, agreement = stroop_fit()
    means = table.set_index(["instruction", "condition"])["retrieval_ms"]
    interference = means["colour_naming", "incongruent"] - means["colour_naming", "neutral"]
    facilitation = means["colour_naming", "neutral"] - means["colour_naming", "congruent"]
    reading = means["word_reading", "incongruent"] - means["word_reading", "neutral"]
    print(f"colour naming: interference {interference:.1f}, facilitation {facilitation:.1f}; "
          f"word reading: {reading:.1f} ms; r = {agreement['r']:.3f}, "
          f"RMSE = {agreement['rmse_ms']:.1f} ms")
    assert interference > facilitation > 10
    assert abs(reading) < 10 and abs(reading) < 0.1 * interference


def test_analytic_expected_time_matches_mean_of_sampled_latencies():
    model = Weaver()
    trials = picture_word_grid(n_items=1, soas_ms=(-100, 0, 100))
    hazard, index, _ = model.hazard(trials)
    expected = expected_latency_ms(hazard, model.step_ms)
    draws = sample_latency_ms(hazard, model.step_ms, np.random.default_rng(7), n_draws=60000)
    relative = np.abs(draws.mean(axis=0) - expected) / expected
    print("max relative difference E[T] vs sampled mean:", relative.max())
    assert relative.max() < 0.01
    assert len(set(np.round(expected, 3))) > 3  # conditions really differ


def test_vectorised_dynamics_equal_the_per_node_loop():
    model = Weaver()
    networks, _ = model.trial_networks(picture_word_grid(n_items=2, soas_ms=(-200, 0, 200)))
    networks += Weaver().trial_networks(stroop_list())[0]
    batch = stack_networks(networks, model.step_ms, model.max_latency_ms)
    fast = run_hazard(batch, model.decay_per_step, model.critical_difference)
    slow = hazard_reference_loop(batch, model.decay_per_step, model.critical_difference)
    np.testing.assert_allclose(fast, slow, rtol=1e-10, atol=1e-12)
    assert fast.max() > 0


def test_same_seed_same_rows_and_rows_follow_the_protocol():
    trials = picture_word_grid(n_items=2)
    first = Weaver().simulate(trials, n=3, seed=11)
    again = Weaver().simulate(trials, n=3, seed=11)
    other = Weaver().simulate(trials, n=3, seed=12)
    pd.testing.assert_frame_equal(first, again)
    assert not np.array_equal(first["rt_ms"].to_numpy(), other["rt_ms"].to_numpy())
    assert len(first) == 3 * len(trials)
    assert set(first["agent"]) == {"sim-001", "sim-002", "sim-003"}
    assert (first["source"] == "model:weaver").all()
    assert first["correct"].all() and (first["response"] == first["picture"]).all()
    assert {"expected_retrieval_ms", "retrieval_ms", "rt_mode"} <= set(first["extras"].iloc[0])
    expected = Weaver(rt_mode="expected").simulate(trials, n=1, seed=1)
    extras_expected = expected["extras"].map(lambda e: e["expected_retrieval_ms"])
    np.testing.assert_allclose(expected["rt_ms"] - 550.0, extras_expected, atol=1e-3)


def test_relatedness_weights_drive_the_semantic_effect():
    trials = picture_word_grid(n_items=1, soas_ms=(0,))
    picture = trials["picture"].iloc[0]
    related = trials.loc[trials["condition"] == "related", "distractor"].iloc[0]
    default = fitted_weaver().expected_retrieval_ms(trials)
    unlinked = fitted_weaver(link_weights={(picture, related): 0.0}).expected_retrieval_ms(trials)
    def semantic(times):
        by_condition = dict(zip(trials["condition"], times))
        return by_condition["related"] - by_condition["unrelated"]

    print("semantic effect at SOA 0, linked vs unlinked:", semantic(default), semantic(unlinked))
    assert semantic(default) > 40                 # the co-member link carries the interference
    assert semantic(unlinked) < 0.3 * semantic(default)
    # without the superordinate path the unlinked related word is just another unrelated word
    flat = fitted_weaver(include_superordinates=False, link_weights={(picture, related): 0.0})
    assert abs(semantic(flat.expected_retrieval_ms(trials))) < 1.0
    from_cli = fitted_weaver(link_weights={f"{picture}|{related}": 0.0}).expected_retrieval_ms(trials)
    np.testing.assert_allclose(from_cli, unlinked)


def test_categorising_and_reading_routes():
    trials = picture_word_grid(n_items=1, soas_ms=(0,), instruction="picture_categorising")
    out = Weaver(rt_mode="expected").simulate(trials, seed=1)
    assert (out["response"] == trials["category"]).all()
    reading = picture_word_grid(n_items=1, soas_ms=(0,), instruction="word_reading")
    for route in ("direct", "lemma", "race"):
        times = Weaver(word_reading_route=route).expected_retrieval_ms(reading)
        assert np.isfinite(times).all() and (times < 1000).all()
    direct = Weaver(word_reading_route="direct").expected_retrieval_ms(reading)
    lemma = Weaver(word_reading_route="lemma").expected_retrieval_ms(reading)
    race = Weaver(word_reading_route="race").expected_retrieval_ms(reading)
    assert (race <= np.minimum(direct, lemma) + 1e-9).all()


@pytest.mark.parametrize("mutate, expected_text", [
    (lambda t: t.assign(condition="weird"), "unknown picture-word condition 'weird'"),
    (lambda t: t.drop(columns="soa_ms"), "lacks column(s) soa_ms"),
    (lambda t: t.assign(task="association"), "not association"),
    (lambda t: t.assign(soa_ms="soon"), "soa_ms 'soon'"),
    (lambda t: t.assign(instruction="humming"), "unknown instruction 'humming'"),
    (lambda t: t.iloc[0:0], "no trials"),
])
def test_bad_trial_lists_are_refused_in_one_line(mutate, expected_text):
    trials = mutate(picture_word_grid(n_items=1, soas_ms=(0,)))
    with pytest.raises(ModelInputError) as error:
        Weaver().simulate(trials, seed=1)
    assert error.value.user_facing
    assert expected_text in str(error.value) and "\n" not in str(error.value)


def test_bad_parameters_are_refused():
    trials = picture_word_grid(n_items=1, soas_ms=(0,))
    with pytest.raises(ModelInputError, match="grow without bound"):
        Weaver(conceptual_rate_per_ms=0.05).simulate(trials)
    with pytest.raises(ModelInputError, match="rt_mode"):
        Weaver(rt_mode="guess").simulate(trials)
    with pytest.raises(ModelInputError, match="word_reading_route"):
        Weaver(word_reading_route="telepathy").simulate(trials)


def test_store_round_trip_and_fit_recovers_the_constants(sqlite_url):
    from db.provenance import software_versions
    from db.store import Store

    model = Weaver(rt_mode="expected", intercept_by_instruction_ms={
        "picture_naming": 612.0, "word_reading": 480.0})
    trials = pd.concat([picture_word_grid(n_items=2),
                        picture_word_grid(n_items=2, instruction="word_reading"),
                        stroop_list()], ignore_index=True)
    rows = model.simulate(trials, n=2, seed=5)
    store = Store(sqlite_url)
    run = store.start_model_run(model=model.name, model_version=model.version,
                                task="picture-word", parameters=model.get_params(), seed=5,
                                n_simulated=2, software_versions=software_versions())
    assert store.add_trials(rows.to_dict("records"), model_run_id=run) == len(rows)
    stored = store.trials_frame(task="picture-word", source="model:weaver")
    assert len(stored) == (rows["task"] == "picture-word").sum()
    # Pretend the stored rows were people: the fit must find the constants that made them
    # (distractor_category is a column of the shared row, so the model sees the relations).
    fresh = Weaver()
    result = fresh.fit(stored.assign(source="human"))
    store.finish_model_run(run, fit=result)
    constants = result["intercept_by_instruction_ms"]
    assert constants["picture-word:picture_naming"] == pytest.approx(612.0, abs=0.01)
    assert constants["picture-word:word_reading"] == pytest.approx(480.0, abs=0.01)
    assert result["rmse_ms"] < 0.01 and result["r"] > 0.999 and result["n_cells"] == 72
    assert fresh.get_params() == Weaver().get_params()     # fitted values live in fitted_
    assert fresh.fitted_["intercept_by_instruction_ms"] == constants
    again = fresh.simulate(trials[trials["task"] == "picture-word"], n=1, seed=5)
    assert fresh.rt_mode == "sample" and again["rt_ms"].notna().all()
    scaled = Weaver().fit(stored, fit_scale=True)
    assert scaled["ms_per_unit"] == pytest.approx(1.0, abs=1e-6)
    store.dispose()


def test_fit_refuses_unusable_human_data():
    with pytest.raises(ModelInputError, match="no human trials"):
        Weaver().fit(pd.DataFrame())
    trials = picture_word_grid(n_items=1, soas_ms=(0,))
    with pytest.raises(ModelInputError, match="rt_ms"):
        Weaver().fit(trials)


def test_bundled_picture_word_set():
    import stimuli

    stimulus_set = stimuli.load_set("picture-word-en")
    trials = stimulus_set.trial_list(seed=1, instruction="picture_naming")
    out = Weaver(rt_mode="expected").simulate(trials, n=1, seed=1)
    assert len(out) == len(trials) and out["rt_ms"].notna().all()
    means = out[~out["is_practice"].astype(bool)].groupby("condition")["rt_ms"].mean() \
        if "is_practice" in out.columns else out.groupby("condition")["rt_ms"].mean()
    assert means["related"] > means["unrelated"] > means["identical"]


def test_link_weights_from_an_embedding_backend():
    """GloVe relatedness (installed offline) scales the co-member links; same-category pairs
    only, the published rate as ceiling."""
    from models.weaver.relatedness import relatedness_link_weights
    from models.weaver.model import _co_members

    trials = picture_word_grid(n_items=6, soas_ms=(0,))
    weights = relatedness_link_weights(trials, "glove", _co_members(trials))
    related = set(map(tuple, trials.loc[trials["condition"] == "related",
                                        ["picture", "distractor"]].to_numpy()))
    assert weights and set(weights) <= related
    assert all(0.0 <= w <= 1.0 for w in weights.values()) and min(weights.values()) < 1.0

    def semantic(model):
        times = pd.Series(model.expected_retrieval_ms(trials)).groupby(trials["condition"]).mean()
        return times["related"] - times["unrelated"]

    published, embedded = semantic(fitted_weaver()), semantic(fitted_weaver(link_weights="glove"))
    print(f"semantic effect at SOA 0: category links {published:.1f} ms, GloVe {embedded:.1f} ms")
    assert 0 < embedded < published
    with pytest.raises(ModelInputError) as error:
        Weaver(link_weights="no-such-backend").simulate(trials)
    assert "\n" not in str(error.value)


def test_fits_imported_stroop_data_with_the_word_colours_the_import_gives(sqlite_url,
                                                                          bundled_data_dir):
    """Pratte et al. (2010) code the word shown; the import mapping turns that code into
    word_colour (a column of the shared row), so the model reads it instead of guessing it."""
    from db.importer import import_dataset
    from db.store import Store

    store = Store(sqlite_url)
    import_dataset(store, "pratte2010", data_dir=bundled_data_dir)
    human = store.trials_frame(task="stroop", source="human")
    by_condition = human.groupby("condition")
    assert (by_condition.get_group("congruent")["word_colour"]
            == by_condition.get_group("congruent")["ink"]).all()
    incongruent = by_condition.get_group("incongruent")
    assert (incongruent["word_colour"] != incongruent["ink"]).all()
    assert incongruent["word_colour"].str.upper().eq(incongruent["word"]).all()
    assert by_condition.get_group("neutral")["word_colour"].isna().all()
    with pytest.raises(ModelInputError, match="lacks column.*word_colour"):
        Weaver().fit(human.drop(columns="word_colour"))
    fit = Weaver().fit(human)
    assert fit["n_cells"] == 3 and fit["r"] > 0.9
    cells = {cell["condition"]: cell for cell in fit["cells"]}
    assert cells["incongruent"]["model_ms"] > cells["neutral"]["model_ms"] > cells["congruent"]["model_ms"]
