"""Concurrency: a session is owned by one process at a time (a lease row with a heartbeat), a
dead owner's lease expires, four first writers on a new database all succeed, and a large
import beside a running session never stops it. Real processes, real SQLite files, the real
PostgreSQL server, real PsychoPy sessions under Xvfb."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from sqlalchemy import text, update

from db.errors import SessionBusyError
from db.schema import SessionLease
from db.store import Store

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def _url(backend, tmp_path, request, name="lease.db"):
    return f"sqlite:///{tmp_path / name}" if backend == "sqlite" else request.getfixturevalue("pg_url")


# A process that owns a session and writes a trial every 0.2 s until it is told to stop.
OWNER = textwrap.dedent("""
    import sys, time
    from db.store import Store
    store = Store(sys.argv[1])
    resume = sys.argv[3] == "resume"
    session_id = store.start_session(participant_code=sys.argv[2], task="stroop", resume=resume)
    done = store.completed_trial_indices(session_id)
    start = (max(done) + 1) if done else 0
    print("owner", session_id, flush=True)
    for i in range(start, start + int(sys.argv[4])):
        store.add_trial({"task": "stroop", "source": "human", "agent": sys.argv[2],
                         "trial_index": i}, session_id=session_id)
        time.sleep(0.2)
    store.finish_session(session_id, "completed")
    print("done", flush=True)
""")


def _owner(tmp_path, url, code, mode, n_trials):
    script = tmp_path / "owner.py"
    script.write_text(OWNER)
    return subprocess.Popen([sys.executable, str(script), url, code, mode, str(n_trials)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_line(process, prefix, timeout_s=60):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if line.startswith(prefix):
            return line
        assert line or process.poll() is None, process.communicate()
    raise AssertionError(f"no {prefix!r} line in {timeout_s} s")


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_second_runner_is_refused_while_the_owner_runs(backend, tmp_path, request):
    url = _url(backend, tmp_path, request)
    store = Store(url)
    first = store.start_session(participant_code="TWICE", task="stroop")
    store.finish_session(first, "aborted")            # a stopped session, to be resumed
    owner = _owner(tmp_path, url, "TWICE", "resume", 25)
    try:
        _wait_for_line(owner, "owner")
        second = _owner(tmp_path, url, "TWICE", "resume", 25)
        _, err = second.communicate(timeout=120)
        assert second.returncode != 0
        assert "SessionBusyError" in err and "is being run by another process" in err
        out, err = owner.communicate(timeout=120)
        assert owner.returncode == 0, err
    finally:
        owner.kill()
    trials = Store(url).trials_frame(session_id=first)["trial_index"].tolist()
    assert trials == list(range(25))                  # one owner: no trial stored twice


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_killed_owners_lease_expires_at_once(backend, tmp_path, request):
    url = _url(backend, tmp_path, request)
    owner = _owner(tmp_path, url, "KILLED", "new", 1000)
    _wait_for_line(owner, "owner")
    time.sleep(1.0)
    owner.send_signal(signal.SIGKILL)
    owner.wait(timeout=30)
    kept = len(Store(url).trials_frame())
    resumed = _owner(tmp_path, url, "KILLED", "resume", 3)
    out, err = resumed.communicate(timeout=120)
    assert resumed.returncode == 0, err
    frame = Store(url).trials_frame()
    assert frame["trial_index"].tolist() == list(range(kept + 3))


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_lease_from_another_machine_holds_until_its_heartbeat_is_too_old(backend, tmp_path,
                                                                           request):
    url = _url(backend, tmp_path, request)
    store = Store(url)
    session_id = store.start_session(participant_code="ROOM2", task="stroop")
    with store.orm(write=True) as orm:              # as if a runner on another PC owned it
        orm.execute(update(SessionLease).values(host="testing-room-2", pid=1,
                                                heartbeat_at=dt.datetime.now(dt.timezone.utc)))
        orm.commit()
    other = Store(url)
    with pytest.raises(SessionBusyError, match="pid 1 on testing-room-2"):
        other.start_session(participant_code="ROOM2", task="stroop", resume=True)
    assert other.get_session(session_id).status == "running"       # the refusal changed nothing
    stale = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=store.lease_ttl_s + 1)
    with store.orm(write=True) as orm:
        orm.execute(update(SessionLease).values(heartbeat_at=stale))
        orm.commit()
    assert other.start_session(participant_code="ROOM2", task="stroop", resume=True) == session_id
    # the first store's lease is gone: its next trial is refused, not stored twice
    from db.errors import SessionLeaseLost

    with pytest.raises(SessionLeaseLost, match="another runner took the session over"):
        store.add_trial({"task": "stroop", "source": "human", "agent": "ROOM2"},
                        session_id=session_id)
    assert other.count_trials(session_id=session_id) == 0


FIRST_WRITER = textwrap.dedent("""
    import sys, time
    start_at = float(sys.argv[3])
    while time.time() < start_at:
        time.sleep(0.001)
    from db.store import Store
    store = Store(sys.argv[1])
    session_id = store.start_session(participant_code=sys.argv[2], task="stroop")
    for i in range(20):
        store.add_trial({"task": "stroop", "source": "human", "agent": sys.argv[2],
                         "trial_index": i}, session_id=session_id)
    store.finish_session(session_id, "completed")
""")


@pytest.mark.parametrize("backend", BACKENDS)
def test_four_first_writers_on_a_new_database_all_succeed(backend, tmp_path, request):
    url = _url(backend, tmp_path, request, name="new.db")
    script = tmp_path / "first.py"
    script.write_text(FIRST_WRITER)
    start_at = time.time() + 4.0              # all four open the new database at this moment
    processes = [subprocess.Popen([sys.executable, str(script), url, f"W{k}", str(start_at)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                 for k in range(4)]
    for process in processes:
        _, err = process.communicate(timeout=180)
        assert process.returncode == 0, err
    store = Store(url)
    frame = store.trials_frame()
    assert sorted(frame["agent"].unique()) == ["W0", "W1", "W2", "W3"]
    assert len(frame) == 80
    with store.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1


# ---------------------------------------------------------------------------- real sessions
def _mirrorlab_run(db_url, csv_dir, code, n_trials, *extra):
    command = [sys.executable, "-m", "mirrorlab", "run", "stroop", "--participant", code,
               "--db", db_url, "--windowed", "--simulate", "--seed", "6",
               "--max-trials", str(n_trials), "--no-practice", "--csv-dir", str(csv_dir),
               "--param", "iti_ms=300", "--param", "fixation_ms=100",
               "--sim-param", "screen_reading_ms=150", "--sim-param", "mean_shift_ms=-300",
               *extra]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})


@pytest.mark.gui
def test_two_resumes_at_once_exactly_one_runs(xvfb_display, sqlite_url, tmp_path):
    store = Store(sqlite_url)
    first = _mirrorlab_run(sqlite_url, tmp_path, "TWICE", 12)
    deadline = time.monotonic() + 120
    try:
        while store.count_trials() < 3:
            assert first.poll() is None, first.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.05)
        # one --resume while the original still runs: refused in one line
        early = _mirrorlab_run(sqlite_url, tmp_path, "TWICE", 12, "--resume")
        _, err = early.communicate(timeout=120)
        assert early.returncode == 2, err
        assert err.startswith("mirrorlab: error: stroop session 1 of participant 'TWICE' is "
                              "being run by another process") and err.count("\n") == 1
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    # the owner is dead: two --resume at once, exactly one runs, the other is refused
    racers = [_mirrorlab_run(sqlite_url, tmp_path, "TWICE", 12, "--resume") for _ in range(2)]
    results = [(r, *r.communicate(timeout=240)) for r in racers]
    codes = sorted(r.returncode for r, _, _ in results)
    assert codes == [0, 2], [err for _, _, err in results]
    refused = next(err for r, _, err in results if r.returncode == 2)
    assert "being run by another process" in refused and refused.count("\n") == 1
    session_id = int(store.sessions_frame().iloc[0]["session_id"])
    planned = [t["trial_index"] for t in store.get_session(session_id).trial_list]
    frame = store.trials_frame(session_id=session_id)
    assert frame["trial_index"].tolist() == planned and len(planned) == 12
    assert store.get_session(session_id).status == "completed"


def _big_csv(path, n_rows):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(1)
    pd.DataFrame({"subj": [f"S{i // 1000}" for i in range(n_rows)],
                  "cond": rng.choice(["congruent", "incongruent"], n_rows),
                  "rt": rng.integers(300, 1200, n_rows), "acc": 1}).to_csv(path, index=False)


@pytest.mark.gui
@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_a_large_import_beside_a_running_session_never_stops_it(backend, xvfb_display, tmp_path,
                                                                 request):
    """MIRRORLAB_TEST_IMPORT_ROWS (default 1,000,000) rows are imported into the database
    while a simulated participant does a real session in it; a second session starts during
    the import. Both complete with every trial; the import is whole."""
    n_rows = int(os.environ.get("MIRRORLAB_TEST_IMPORT_ROWS", "1000000"))
    sqlite_url = _url(backend, tmp_path, request, name="big.db")
    data = tmp_path / "big.csv"
    _big_csv(data, n_rows)
    store = Store(sqlite_url)
    session = _mirrorlab_run(sqlite_url, tmp_path, "BESIDE", 40)
    while store.count_trials() < 1:
        assert session.poll() is None, session.communicate()
        time.sleep(0.05)
    importer = subprocess.Popen(
        [sys.executable, "-m", "mirrorlab", "import", str(data), "--db", sqlite_url,
         "--map", "participant=subj", "--map", "condition=cond", "--map", "rt_ms=rt",
         "--map", "correct=acc", "--set", "task=stroop"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # wait until the import writes, then start a second session beside it
    while not store.count_trials(source="human") > 100 and importer.poll() is None:
        time.sleep(0.2)
    during = _mirrorlab_run(sqlite_url, tmp_path, "DURING", 20)
    for process, timeout_s in ((session, 900), (during, 900), (importer, 1800)):
        out, err = process.communicate(timeout=timeout_s)
        assert process.returncode == 0, err
        assert "Traceback" not in err
    sessions = store.sessions_frame().set_index("participant")
    assert sessions.loc["BESIDE", "status"] == "completed"
    assert sessions.loc["DURING", "status"] == "completed"
    assert store.count_trials(session_id=int(sessions.loc["BESIDE", "session_id"])) == 40
    assert store.count_trials(session_id=int(sessions.loc["DURING", "session_id"])) == 20
    imported = sessions[sessions["status"] == "imported"]
    assert imported["n_trials"].sum() == n_rows


# ---------------------------------------------------------------------------- locked commits
def test_a_commit_bounded_by_the_iti_gives_up_in_time_and_succeeds_later(tmp_path):
    import sqlite3

    from db.errors import DatabaseBusyError

    path = tmp_path / "locked.db"
    store = Store(f"sqlite:///{path}")
    session_id = store.start_session(participant_code="ITI", task="stroop")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")                  # another writer holds the lock
    other.execute("INSERT INTO studies (name, created_at) VALUES ('other', '2026-01-01')")
    started = time.monotonic()
    with pytest.raises(DatabaseBusyError, match="the trial was not stored yet"):
        store.add_trial({"task": "stroop", "source": "human", "agent": "ITI"},
                        session_id=session_id, wait_s=0.3)
    assert time.monotonic() - started < 3.0            # bounded by wait_s, not the 30-s timeout
    other.execute("COMMIT")
    other.close()
    store.add_trial({"task": "stroop", "source": "human", "agent": "ITI"}, session_id=session_id,
                    wait_s=0.3)
    assert store.count_trials(session_id=session_id) == 1


@pytest.mark.gui
def test_a_session_keeps_trials_through_a_long_held_lock(xvfb_display, sqlite_url, tmp_path):
    """Another writer holds SQLite's write lock for 4 s (several ITIs): the session goes on,
    keeps its trials in memory and in the CSV, and commits them in order afterwards."""
    import csv
    import sqlite3

    store = Store(sqlite_url)
    session = _mirrorlab_run(sqlite_url, tmp_path, "LOCKED", 14)
    try:
        while store.count_trials() < 3:
            assert session.poll() is None, session.communicate()
            time.sleep(0.05)
        path = sqlite_url.removeprefix("sqlite:///")
        blocker = sqlite3.connect(path, isolation_level=None, timeout=30)
        blocker.execute("BEGIN IMMEDIATE")
        time.sleep(4.0)
        blocker.execute("COMMIT")
        blocker.close()
        out, err = session.communicate(timeout=240)
    finally:
        session.kill()
    assert session.returncode == 0, err
    session_id = int(store.sessions_frame().iloc[0]["session_id"])
    planned = [t["trial_index"] for t in store.get_session(session_id).trial_list]
    frame = store.trials_frame(session_id=session_id)
    assert sorted(frame["trial_index"]) == planned and len(planned) == 14
    assert frame["trial_index"].tolist() == planned          # committed in order
    with open(store.get_session(session_id).csv_path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(r["trials.thisIndex"]) for r in rows] == planned
    # the participant never waited for the lock: trials went on at their pace (~1 s each)
    onsets = [float(r["stimulus.started"]) for r in rows]
    assert max(b - a for a, b in zip(onsets, onsets[1:])) < 3.0
