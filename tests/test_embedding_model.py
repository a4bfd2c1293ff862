"""The embedding association model: accuracy on the bundled sets, simulation, fitting, cache."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.base import ModelInputError
from models.embeddings.model import EmbeddingModel, choice_probabilities
from models.embeddings.registry import DEFAULT_BACKEND_BY_LANGUAGE, get_backend
from tests.test_embedding_backends import course_trials


def bundled_trial_list(name: str) -> pd.DataFrame:
    """The set's trial list as people get it (``stimuli``), practice trials left out."""
    from stimuli import load_set

    stimulus_set = load_set(name)
    trials = stimulus_set.trial_list(seed=1, include_practice=False)
    return trials[~trials["is_practice"].astype(bool)].reset_index(drop=True)


@pytest.mark.parametrize("set_name,language", [("association-en", "en"), ("association-ja", "ja")])
def test_default_backend_scores_at_least_75_percent_on_the_held_out_items(set_name, language):
    """Only the items that took no part in choosing the default (models.embeddings.selection);
    the threshold is a regression guard set after the held-out numbers were first measured
    (en 81.2 %, ja 93.3 %), not a target the default was tuned to."""
    from models.embeddings.selection import held_out_items

    trials = bundled_trial_list(set_name)
    trials = trials[trials["item_id"].isin(held_out_items(language))].reset_index(drop=True)
    assert len(trials) >= 15
    model = EmbeddingModel()  # backend="auto"
    scores = model.score(trials)
    assert set(scores.backend) == {DEFAULT_BACKEND_BY_LANGUAGE[language]}
    assert scores.scorable.all(), f"unscorable items: {[o for o in scores.oov if o]}"
    accuracy = scores.accuracy()
    print(f"{set_name}: {DEFAULT_BACKEND_BY_LANGUAGE[language]} held-out accuracy {accuracy:.3f} "
          f"over {len(trials)} items")
    assert accuracy >= 0.75


def test_simulate_rows_follow_the_trial_row_contract():
    trials = course_trials()
    model = EmbeddingModel(backend="use-multilingual")
    rows = model.simulate(trials, n=3, seed=7)
    assert len(rows) == 3 * len(trials)
    for column in trials.columns:
        assert column in rows.columns
    assert rows["source"].unique().tolist() == ["model:embedding"]
    assert sorted(rows["agent"].unique()) == ["sim-001", "sim-002", "sim-003"]
    assert all(r in c for r, c in zip(rows["response"], rows["choices"]))
    assert (rows["correct"] == (rows["response"] == rows["expected_response"])).all()
    assert (rows["rt_ms"] >= 200).all()
    extras = rows["extras"].iloc[0]
    assert extras["backend"] == "use-multilingual"
    assert set(extras["cosines"]) == set(trials["choices"].iloc[0])
    assert abs(sum(extras["choice_probabilities"].values()) - 1) < 1e-5
    assert extras["model_choice"] == "ヘルメット" and extras["margin"] > 0


def test_same_seed_same_rows_other_seed_other_rows():
    trials = pd.concat([course_trials()] * 4, ignore_index=True)
    model = EmbeddingModel(backend="use-multilingual", temperature=0.2)
    first = model.simulate(trials, n=5, seed=3)
    again = model.simulate(trials, n=5, seed=3)
    other = model.simulate(trials, n=5, seed=4)
    pd.testing.assert_frame_equal(first, again)
    assert not first["rt_ms"].equals(other["rt_ms"])


def test_sampled_choices_follow_the_softmax_probabilities():
    trials = pd.concat([course_trials()] * 50, ignore_index=True)
    model = EmbeddingModel(backend="use-multilingual", temperature=0.1)
    probabilities = choice_probabilities(model.score(course_trials()).cosines, 0.1)
    rows = model.simulate(trials, n=40, seed=11)
    for i, (_, choices, _) in enumerate([tuple(r) for r in course_trials()[["target", "choices", "expected_response"]].itertuples(index=False)]):
        picked = rows.loc[rows["item_id"] == f"course-{i + 1}", "response"]
        observed = np.array([(picked == c).mean() for c in choices])
        np.testing.assert_allclose(observed, probabilities[i, :len(choices)], atol=0.04)
    greedy = EmbeddingModel(backend="use-multilingual", temperature=1e-4).simulate(course_trials(), n=20, seed=1)
    assert (greedy["response"] == greedy["extras"].map(lambda e: e["model_choice"])).all()


def test_rt_falls_with_the_margin():
    model = EmbeddingModel(backend="use-multilingual", intercept_ms=1500, ms_per_unit=-3000,
                           rt_noise_sd_ms=0)
    rows = model.simulate(course_trials(), n=1, seed=1)
    margins = model.score(course_trials()).margin
    assert np.all(margins > 0)
    np.testing.assert_allclose(rows["rt_ms"], 1500 - 3000 * margins, atol=1e-6)
    assert rows["rt_ms"].iloc[np.argmax(margins)] == rows["rt_ms"].min()


def test_fit_recovers_temperature_and_rt_line_from_simulated_people():
    trials = bundled_trial_list("association-en")
    truth = EmbeddingModel(backend="use-multilingual", temperature=0.04, intercept_ms=1600,
                           ms_per_unit=-2500, rt_noise_sd_ms=150)
    people = truth.simulate(trials, n=60, seed=5)
    people["source"] = "human"
    model = EmbeddingModel(backend="use-multilingual")
    fit = model.fit(people)
    assert fit["temperature"] == pytest.approx(0.04, rel=0.15)
    assert fit["intercept_ms"] == pytest.approx(1600, abs=60)
    assert fit["ms_per_unit"] == pytest.approx(-2500, rel=0.15)
    assert fit["rt_noise_sd_ms"] == pytest.approx(150, rel=0.15)
    assert fit["r"] < -0.8 and fit["rmse_ms"] < 60
    assert model.fitted_["temperature"] == fit["temperature"] and model.temperature == 0.05
    assert fit["n_choice_trials"] == len(people)


def test_fit_refuses_empty_or_unusable_human_data_in_one_line():
    model = EmbeddingModel(backend="use-multilingual")
    with pytest.raises(ModelInputError, match="no human association trials"):
        model.fit(pd.DataFrame())
    people = course_trials().assign(response="ladder", correct=None, rt_ms=900.0)
    with pytest.raises(ModelInputError, match="no human trial has a response"):
        model.fit(people)


def test_wrong_task_and_missing_columns_are_refused():
    model = EmbeddingModel(backend="use-multilingual")
    with pytest.raises(ModelInputError, match="does association, not stroop"):
        model.simulate(course_trials().assign(task="stroop"))
    with pytest.raises(ModelInputError, match="lack column"):
        model.simulate(course_trials().drop(columns=["choices"]))
    with pytest.raises(ModelInputError, match="at least 2"):
        model.simulate(course_trials().assign(choices=[["海"]] * 3))


# ---------------------------------------------------------------------------- cache
def test_second_run_encodes_nothing_and_gives_identical_numbers(sqlite_url):
    from db.store import Store

    trials = course_trials()
    backend = get_backend("use-multilingual")
    model = EmbeddingModel(backend="use-multilingual").use_store(Store(sqlite_url))
    calls, texts = backend.encode_calls, backend.texts_encoded
    first = model.simulate(trials, n=2, seed=9)
    assert backend.encode_calls == calls + 1
    assert backend.texts_encoded == texts + 15  # 3 targets + 12 choices, all distinct
    calls = backend.encode_calls
    second = model.simulate(trials, n=2, seed=9)
    assert backend.encode_calls == calls
    pd.testing.assert_frame_equal(first, second)

    # a new process would start with empty memory: the SQLite file alone must suffice
    reopened = EmbeddingModel(backend="use-multilingual").use_store(Store(sqlite_url))
    third = reopened.simulate(trials, n=2, seed=9)
    assert backend.encode_calls == calls
    assert reopened.cache.store_hits == 15 and reopened.cache.encoded == 0
    pd.testing.assert_frame_equal(first, third)
    from sqlalchemy import text

    with Store(sqlite_url).engine.connect() as connection:
        stored = connection.execute(text(
            "select count(*), min(dim) from embedding_cache where backend = 'use-multilingual'")).one()
    assert tuple(stored) == (15, 512)


def test_combined_backend_caches_each_part_under_its_own_name(sqlite_url):
    from db.store import Store

    store = Store(sqlite_url)
    EmbeddingModel(backend="chive+use-multilingual").use_store(store).score(course_trials())
    frame_names = {name for (name,) in store.engine.connect().exec_driver_sql(
        "select distinct backend from embedding_cache")}
    assert frame_names == {"chive", "use-multilingual"}
    chive = get_backend("chive")
    calls = chive.encode_calls
    EmbeddingModel(backend="chive").use_store(Store(sqlite_url)).score(course_trials())
    assert chive.encode_calls == calls


def test_cached_run_does_not_even_load_the_model(sqlite_url):
    """A cached run needs the vectors, not the model: a fresh backend object stays unloaded."""
    from db.store import Store
    from models.embeddings import registry

    EmbeddingModel(backend="glove").use_store(Store(sqlite_url)).score(course_trials().assign(
        target=["cat", "dog", "pyramid"], choices=[["a", "mouse"], ["bone", "b"], ["palm", "pine"]],
        expected_response=["mouse", "bone", "palm"], language="en"))
    saved = registry._LOADED.pop(("glove", None))
    try:
        model = EmbeddingModel(backend="glove").use_store(Store(sqlite_url))
        model.score(course_trials().assign(
            target=["cat", "dog", "pyramid"], choices=[["a", "mouse"], ["bone", "b"], ["palm", "pine"]],
            expected_response=["mouse", "bone", "palm"], language="en"))
        fresh = registry._LOADED[("glove", None)]
        assert fresh is not saved and not fresh.is_loaded and fresh.encode_calls == 0
    finally:
        registry._LOADED[("glove", None)] = saved


@pytest.mark.postgres
def test_cache_on_a_postgresql_server(pg_url):
    from db.store import Store

    trials = course_trials().assign(target=["cat", "dog", "pyramid"],
                                    choices=[["mouse", "cloud"], ["bone", "sky"], ["palm", "pine"]],
                                    expected_response=["mouse", "bone", "palm"], language="en")
    glove = get_backend("glove")
    first = EmbeddingModel(backend="glove").use_store(Store(pg_url)).simulate(trials, n=2, seed=1)
    calls = glove.encode_calls
    again = EmbeddingModel(backend="glove").use_store(Store(pg_url))
    second = again.simulate(trials, n=2, seed=1)
    assert glove.encode_calls == calls and again.cache.store_hits == 9
    pd.testing.assert_frame_equal(first, second)
