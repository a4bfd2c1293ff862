"""Every registered process model holds to the one protocol of ``models/base.py``.

Parametrised over ``models.registry.MODELS`` (the descriptive yardsticks, ``YARDSTICKS``,
have no defaults to simulate with and are held to the likelihood protocol in
tests/test_likelihood_fit.py): a model added to the registry is checked here
without a line of new test code. Each model runs on its task's bundled stimulus set (what
people see), its rows go into a real SQLite store, and it is fitted to "people" that are its
own simulated rows relabelled (so the fit has something to find), cleaned as the pipeline
cleans them.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from db.rows import ROW_FIELDS, trial_row
from db.store import Store
from mirrorlab.pipeline import default_stimulus_set, model_trial_list, trials_to_fit
from models.base import FitReport, ModelInputError, RTMapping
from models.registry import MODELS, YARDSTICKS, make_model, model_class
from stimuli import load_set

#: Settings that keep each model's case cheap on a shared 2-core machine (not its defaults:
#: the defaults are checked separately, without running them).
CHEAP = {
    "cohen1990": {"fit_agents": 40},
    "cohen-huston1994": {"fit_agents": 20},
    # the tiny training configuration of tests/test_stroop_cnn.py
    "stroop-cnn": {"reading_images": 3000, "reading_epochs": 6, "channels": (8, 16, 32),
                   "hidden_units": 32, "naming_images_per_colour": 8, "naming_steps": 60,
                   "batch_size": 16, "training_seed": 0, "fit_agents": 4},
    "embedding": {"backend": "use-multilingual"},
}
#: Trials per instruction a model simulates here (continuous naming needs its whole sequence).
MAX_TRIALS = {"stroop": 48, "picture-word": 64, "association": 40}
N_AGENTS = 2


@pytest.fixture(scope="module")
def cnn_cache(tmp_path_factory):
    return str(tmp_path_factory.mktemp("protocol-cnn-cache"))


def cheap_model(name: str, cnn_cache: str):
    params = dict(CHEAP.get(name, {}))
    if name == "stroop-cnn":
        params["cache_dir"] = cnn_cache
    return make_model(name, **params)


def bundled_trials(model, seed: int = 3) -> tuple[pd.DataFrame, object]:
    task = model.tasks[0]
    stimulus_set = load_set(default_stimulus_set(task))
    trials = model_trial_list(stimulus_set, model, seed=seed)
    if task in MAX_TRIALS:
        trials = (trials.groupby("instruction", sort=False, group_keys=False)
                  .head(MAX_TRIALS[task]).reset_index(drop=True))
    return trials, stimulus_set


@pytest.mark.parametrize("name", list(MODELS))
def test_constructor_defaults_are_the_parameters(name):
    cls = model_class(name)
    defaults = cls.default_params()
    assert list(defaults) == cls.param_names(), "every parameter needs a (published) default"
    model = cls()
    assert model.get_params() == defaults
    assert not hasattr(model, "fitted_"), "nothing is fitted before fit"
    # one RT mapping for every model: the same two parameter names, the declared unit
    assert {"intercept_ms", "ms_per_unit"} <= set(defaults)
    mapping = model.rt_mapping()
    assert isinstance(mapping, RTMapping) and mapping.unit == cls.latency_unit
    assert (mapping.intercept_ms, mapping.ms_per_unit) == (defaults["intercept_ms"],
                                                           defaults["ms_per_unit"])
    # optional features are declared, not discovered
    assert isinstance(cls.uses_store, bool)
    assert (cls.use_store is not model_class("cohen1990").use_store) == cls.uses_store
    assert cls.instructions is None or all(isinstance(i, str) for i in cls.instructions)
    assert set(cls.secret_params) <= set(defaults)


@pytest.mark.parametrize("name", list(MODELS))
def test_get_params_set_params_round_trip(name):
    cls = model_class(name)
    model = cls()
    params = model.get_params()
    assert cls().set_params(**params).get_params() == params
    assert make_model(name, **params).get_params() == params
    changed = {"intercept_ms": float(params["intercept_ms"]) + 25.0}
    assert model.set_params(**changed) is model
    assert model.get_params() == {**params, **changed}
    with pytest.raises(ModelInputError, match="unknown parameter"):
        model.set_params(no_such_parameter=1)
    with pytest.raises(ModelInputError, match="unknown parameter"):
        make_model(name, no_such_parameter=1)


@pytest.mark.parametrize("name", list(MODELS))
def test_simulate_gives_shared_rows_the_store_accepts(name, cnn_cache, sqlite_url):
    model = cheap_model(name, cnn_cache)
    trials, stimulus_set = bundled_trials(model)
    rows = model.simulate(trials, n=N_AGENTS, seed=11)
    assert list(rows.columns) == list(ROW_FIELDS)
    assert len(rows) == N_AGENTS * len(trials)
    assert rows["source"].eq(f"model:{model.name}").all()
    assert sorted(rows["agent"].unique()) == [f"sim-{k:03d}" for k in range(1, N_AGENTS + 1)]
    assert rows["task"].eq(stimulus_set.task).all()
    # the rows carry the stimuli people saw, in order, for every agent
    for column in ("item_id", "condition", "trial_index"):
        np.testing.assert_array_equal(rows[column].to_numpy()[:len(trials)],
                                      trials[column].astype(rows[column].dtype).to_numpy())
    # every row is what the one builder makes of it; correct is True, False or None
    for record in rows.head(50).to_dict("records"):
        assert trial_row(record).as_dict().keys() == record.keys()
    assert rows["correct"].map(lambda v: v in (True, False, None)).all()
    assert rows["rt_ms"].notna().mean() > 0.5
    store = Store(sqlite_url)
    run = store.start_model_run(model=model.name, model_version=model.version,
                                task=stimulus_set.task, parameters=model.recorded_params())
    assert store.add_trials(rows.to_dict("records"), model_run_id=run) == len(rows)
    stored = store.trials_frame(model_run_id=run)
    assert len(stored) == len(rows)
    np.testing.assert_allclose(stored["rt_ms"].to_numpy(float), rows["rt_ms"].to_numpy(float))
    store.dispose()


@pytest.mark.parametrize("name", list(MODELS))
def test_same_seed_same_rows(name, cnn_cache):
    model = cheap_model(name, cnn_cache)
    trials, _ = bundled_trials(model)
    first = model.simulate(trials, n=N_AGENTS, seed=5)
    pd.testing.assert_frame_equal(first, model.simulate(trials, n=N_AGENTS, seed=5))
    pd.testing.assert_frame_equal(first, cheap_model(name, cnn_cache).simulate(
        trials, n=N_AGENTS, seed=5))


@pytest.mark.parametrize("name", list(MODELS))
def test_fit_fills_fitted_and_leaves_the_parameters(name, cnn_cache):
    model = cheap_model(name, cnn_cache)
    trials, _ = bundled_trials(model)
    people = model.simulate(trials, n=3, seed=21)
    people = people.assign(source="human", agent=people["agent"].str.replace("sim", "P"))
    if "rt_ms" in people:       # shift the people so that the fit has something to find
        people["rt_ms"] = people["rt_ms"] + 40.0
    before = model.get_params()
    cleaned, _ = trials_to_fit(people)
    assert cleaned["in_rt_analysis"].any()
    report = model.fit(cleaned)
    assert isinstance(report, FitReport)
    assert model.get_params() == before, "fit must never overwrite constructor parameters"
    assert model.fitted_ and set(model.fitted_) <= set(model.param_names())
    assert model.fitted_ == report.fitted and model.fit_report_ is report
    for key, value in model.fitted_.items():
        assert model.param(key) == value
    stored = json.loads(json.dumps(report.to_dict()))
    assert stored["model"] == model.name and stored["in_sample"] is True
    assert stored["fitted"] == json.loads(json.dumps(report.fitted))
    # the fitted RT mapping is what the model now simulates with
    if "intercept_ms" in model.fitted_:
        assert model.rt_mapping().intercept_ms == pytest.approx(model.fitted_["intercept_ms"])
    # changing a parameter forgets the fit: get_params and the running values agree again
    model.set_params(intercept_ms=before["intercept_ms"])
    assert not hasattr(model, "fitted_") and model.param("intercept_ms") == before["intercept_ms"]


def test_the_pdp_weight_cache_follows_set_params():
    model = make_model("cohen1990")
    published = model.network_weights(2)
    model.set_params(weights="trained", training_epochs=3)
    trained = model.network_weights(2)
    assert not np.allclose(trained.hidden_inputs()[1], published.hidden_inputs()[1])
    model.set_params(training_epochs=4)
    assert model.network_weights(2) is not trained
    model.set_params(weights="fig3")
    assert model.network_weights(2) is published


def test_a_database_url_parameter_is_recorded_without_its_password(sqlite_url):
    model = make_model("embedding", store_url="postgresql+psycopg://lab:s3cret@dbhost/mirrorlab")
    recorded = model.recorded_params()
    assert "s3cret" not in json.dumps(recorded)
    assert recorded["store_url"] == "postgresql+psycopg://lab:***@dbhost/mirrorlab"
    assert model.get_params()["store_url"].endswith("lab:s3cret@dbhost/mirrorlab")
    assert make_model("embedding", store_url=sqlite_url).recorded_params()["store_url"] == sqlite_url


@pytest.mark.parametrize("name", list(YARDSTICKS))
def test_a_yardstick_is_found_by_name_and_refuses_to_simulate_before_it_is_fitted(name):
    from models.base import ModelInputError

    model = make_model(name)
    assert model.get_params() == model_class(name)().get_params()
    trials = model_trial_list(load_set(default_stimulus_set("stroop")), model, seed=1)
    with pytest.raises(ModelInputError):
        model.simulate(trials, n=1, seed=1)
