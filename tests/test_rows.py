"""The one trial-row builder (db/rows.py) and the migration that made stimulus columns real."""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest
from sqlalchemy import text

from db.engine import make_engine
from db.migrate import current_revision, head_revision, upgrade
from db.rows import ROW_FIELDS, TrialRowError, split_trial_fields, trial_row
from db.errors import StoreError
from db.schema import TRIAL_COLUMNS
from db.store import Store

BASE = {"task": "stroop", "source": "human", "agent": "P01"}


def test_the_row_has_exactly_the_shared_columns():
    assert set(ROW_FIELDS) == set(TRIAL_COLUMNS)
    assert {"word_colour", "distractor_category"} <= set(ROW_FIELDS)


def test_unknown_keys_are_an_error_not_extras():
    with pytest.raises(TrialRowError, match="unknown field.*dropped_frames.*into extras"):
        trial_row(BASE, dropped_frames=0)
    row = trial_row(BASE, extras={"dropped_frames": np.int64(0)})
    assert row.extras == {"dropped_frames": 0} and type(row.extras["dropped_frames"]) is int


@pytest.mark.parametrize("fields, message", [
    ({"source": "person"}, "source 'person' is not human, simulated, published or model:<name>"),
    ({"agent": ""}, "agent is empty"),
    ({"correct": "yes"}, "correct 'yes' is not True, False or None"),
    ({"rt_ms": "fast"}, "rt_ms 'fast' is not a number"),
    ({"rt_ms": float("inf")}, "rt_ms inf is not a finite number"),
    ({"lag": 2.5}, "lag 2.5 is not a whole number"),
    ({"choices": "a,b"}, "choices 'a,b' is not a list"),
])
def test_bad_values_give_one_line(fields, message):
    with pytest.raises(TrialRowError, match=re.escape(message)):
        trial_row({**BASE, **fields})


def test_values_are_normalised_and_correct_is_never_guessed():
    row = trial_row(BASE, item_id=7, rt_ms=np.float32(512.5), correct=np.nan, lag=np.int64(4),
                    choices=np.array(["dog", "cat"]), soa_ms=None, is_practice=None)
    assert row.item_id == "7" and row.rt_ms == 512.5 and row.lag == 4
    assert row.correct is None and row.is_practice is False
    assert row.choices == ["dog", "cat"]
    assert trial_row(BASE, correct=np.bool_(False)).correct is False
    for source in ("simulated", "published", "model:cohen-huston1994"):
        assert trial_row(BASE, source=source).source == source


def test_split_trial_fields_keeps_presentation_columns_apart():
    shared, other = split_trial_fields({"task": "picture-word", "picture": "dog",
                                        "distractor_category": "animal",
                                        "picture_file": "/x/dog.png"})
    assert shared == {"task": "picture-word", "picture": "dog", "distractor_category": "animal"}
    assert other == {"picture_file": "/x/dog.png"}


def test_store_refuses_unknown_keys_and_keeps_nothing(sqlite_url):
    store = Store(sqlite_url)
    session_id = store.start_session(participant_code="P01", task="stroop")
    with pytest.raises(TrialRowError, match="unknown field.*colour"):
        store.add_trial({**BASE, "colour": "red"}, session_id=session_id)
    with pytest.raises(TrialRowError):
        store.add_trials([{**BASE}, {**BASE, "cycles": 3}], session_id=session_id)
    assert store.count_trials() == 0


def test_a_row_error_on_the_command_line_is_one_line(tmp_path):
    """An import whose mapping yields a bad row says so in one line and writes nothing."""
    data = tmp_path / "data.csv"
    data.write_text("id,rt,acc\nP1,512,maybe\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'x.db'}"
    result = subprocess.run([sys.executable, "-m", "mirrorlab", "import", str(data), "--db", db,
                             "--map", "participant=id", "--map", "rt_ms=rt",
                             "--map", "correct=acc", "--set", "task=stroop"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.startswith("mirrorlab: error: ") and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def _database_at_0001(url: str) -> str:
    """A database as the previous release wrote it: revision 0001, the two stimulus values
    kept in extras."""
    import datetime as dt

    import sqlalchemy as sa

    engine = make_engine(url)
    upgrade(engine, "0001")
    now = dt.datetime(2026, 11, 30, 10, tzinfo=dt.timezone.utc)
    runs = sa.table("model_runs", *(sa.column(c) for c in (
        "id", "model", "model_version", "task", "parameters", "status", "created_at")))
    trials = sa.table("trials", sa.column("model_run_id"), sa.column("task"), sa.column("source"),
                      sa.column("agent"), sa.column("is_practice"), sa.column("extras", sa.JSON),
                      sa.column("created_at"), sa.column("rt_ms"))
    with engine.begin() as connection:
        connection.execute(runs.insert().values(id=1, model="weaver", model_version="1.0",
                                                task="picture-word", parameters="{}",
                                                status="completed", created_at=now))
        for i, extras in enumerate([{"word_colour": "red", "dropped_frames": 0},
                                    {"distractor_category": "animal"}, None]):
            connection.execute(trials.insert().values(
                model_run_id=1, task="stroop", source="model:weaver", agent="weaver#1/sim-001",
                is_practice=False, extras=extras, created_at=now, rt_ms=600.0 + i))
    engine.dispose()
    return url


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_an_old_database_opens_after_upgrade_with_its_values_in_the_new_columns(backend, tmp_path,
                                                                                request):
    url = f"sqlite:///{tmp_path / 'old.db'}" if backend == "sqlite" else request.getfixturevalue("pg_url")
    _database_at_0001(url)
    with pytest.raises(StoreError, match="mirrorlab db upgrade"):   # not changed silently
        Store(url)
    result = subprocess.run([sys.executable, "-m", "mirrorlab", "db", "upgrade", "--db", url],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert current_revision(make_engine(url)) == head_revision()
    frame = Store(url).trials_frame()
    assert frame["rt_ms"].tolist() == [600.0, 601.0, 602.0]
    assert frame["word_colour"].tolist()[0] == "red"
    assert frame["distractor_category"].tolist()[1] == "animal"
    assert frame["extras"].tolist()[0] == {"dropped_frames": 0}
    assert frame["extras"].tolist()[1] is None


def test_downgrade_puts_the_values_back_into_extras(tmp_path):
    url = _database_at_0001(f"sqlite:///{tmp_path / 'old.db'}")
    engine = make_engine(url)
    upgrade(engine, "0002_stimulus_columns")
    from alembic import command

    from db.migrate import alembic_config

    command.downgrade(alembic_config(engine), "0001")
    with engine.connect() as connection:
        extras = [row[0] for row in connection.execute(text("SELECT extras FROM trials ORDER BY id"))]
    assert '"word_colour": "red"' in extras[0] and '"dropped_frames": 0' in extras[0]
    assert '"distractor_category": "animal"' in extras[1]


def test_the_bulk_path_checks_the_answers_as_trial_row_does():
    from db.rows import with_answer

    stimulus = trial_row(BASE, item_id="red_0", condition="congruent")
    row = with_answer(stimulus, agent="sim-002", response="red", correct=np.bool_(True),
                      rt_ms=np.float64(431.0), extras={"rt_cycles": np.int64(21)})
    assert row == trial_row(stimulus.as_dict(), agent="sim-002", response="red", correct=True,
                            rt_ms=431.0, extras={"rt_cycles": 21})
    with pytest.raises(TrialRowError, match=re.escape("agent 'sim-003'") + ".*correct 'maybe'"):
        with_answer(stimulus, agent="sim-003", correct="maybe")
    with pytest.raises(TrialRowError, match="rt_ms nan is not a finite|rt_ms 'x' is not a number"):
        with_answer(stimulus, agent="sim-003", rt_ms="x")
