"""``mirrorlab simulate embedding`` and ``mirrorlab fit embedding`` through the real pipeline
and a real SQLite file: stored runs, the embedding cache in the database, the fit."""

from __future__ import annotations

import pytest

from db.store import Store
from mirrorlab.cli import main
from models.embeddings.model import EmbeddingModel
from models.embeddings.registry import get_backend
from tests.test_embedding_model import bundled_trial_list


def test_simulate_stores_a_run_and_a_repeat_encodes_nothing(sqlite_url, capsys):
    argv = ["simulate", "embedding", "--stimuli", "association-ja", "--n", "2", "--seed", "4",
            "--db", sqlite_url]
    assert main(argv) == 0
    store = Store(sqlite_url)
    trials = store.trials_frame(task="association", source="model:embedding")
    n_items = len(bundled_trial_list("association-ja"))
    assert len(trials) == 2 * n_items
    assert set(trials["language"]) == {"ja"}
    assert trials["response"].notna().all() and trials["rt_ms"].notna().all()
    assert trials["extras"].map(lambda e: e["backend"]).eq("chive+use-multilingual").all()
    run = store.model_runs_frame().iloc[-1]
    assert run["parameters"]["backend"] == "auto" and run["seed"] == 4

    parts = [get_backend("chive"), get_backend("use-multilingual")]
    calls = [part.encode_calls for part in parts]
    assert main(argv) == 0
    assert [part.encode_calls for part in parts] == calls
    runs = store.model_runs_frame()
    first = store.trials_frame(model_run_id=int(runs["model_run_id"].iloc[0]))
    second = store.trials_frame(model_run_id=int(runs["model_run_id"].iloc[1]))
    assert first["response"].tolist() == second["response"].tolist()
    assert first["rt_ms"].tolist() == second["rt_ms"].tolist()
    capsys.readouterr()


def test_english_only_backend_on_japanese_set_exits_2_in_one_line(sqlite_url, capsys):
    assert main(["simulate", "embedding", "--stimuli", "association-ja", "--backend",
                 "sentence-transformers", "--db", sqlite_url]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("mirrorlab: error: backend sentence-transformers") and "\n" not in err
    assert Store(sqlite_url).count_trials() == 0


def test_fit_to_human_trials_in_the_database(sqlite_url, capsys):
    """People are stood in for by the model with known parameters (no human association data
    ships with the project); the fit through the command line must recover them."""
    store = Store(sqlite_url)
    truth = EmbeddingModel(backend="use-multilingual", temperature=0.03, intercept_ms=1500,
                           ms_per_unit=-2000, rt_noise_sd_ms=100)
    people = truth.simulate(bundled_trial_list("association-en"), n=30, seed=2)
    for agent, rows in people.groupby("agent"):
        session = store.start_session(participant_code=agent.replace("sim", "P"), task="association",
                                      seed=2, language="en")
        rows = rows.assign(source="human", agent=agent.replace("sim", "P"))
        store.add_trials(rows.to_dict("records"), session_id=session)
    assert main(["fit", "embedding", "--task", "association", "--backend", "use-multilingual",
                 "--n", "1", "--seed", "1", "--db", sqlite_url]) == 0
    out = capsys.readouterr().out
    assert "temperature=" in out and "rmse_ms=" in out
    fit = store.model_runs_frame().iloc[-1]["fit"]
    assert fit["temperature"] == pytest.approx(0.03, rel=0.2)
    assert fit["ms_per_unit"] == pytest.approx(-2000, rel=0.2)
    assert fit["r"] < -0.8
    run_parameters = store.model_runs_frame().iloc[-1]["parameters"]
    # the run records what the user set; the fitted values are the fit's, never the parameters
    assert run_parameters["temperature"] == 0.05
    assert fit["fitted"]["temperature"] == fit["temperature"]
    assert fit["cleaning"]["rt_max_ms"] == 2000.0     # cleaned as the analysis cleans
