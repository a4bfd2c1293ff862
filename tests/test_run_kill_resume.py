"""``mirrorlab run`` killed with SIGKILL in the middle of a session keeps every finished trial,
and ``--resume`` completes the same trial list without repeating or skipping a trial."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time

import pytest

from db.store import Store

pytestmark = pytest.mark.gui

N_TRIALS = 10
KILL_AFTER = 4


def mirrorlab_run(db_url, csv_dir, *extra):
    command = [sys.executable, "-m", "mirrorlab", "run", "stroop", "--participant", "K01",
               "--db", db_url, "--windowed", "--simulate", "--seed", "6",
               "--max-trials", str(N_TRIALS), "--no-practice", "--csv-dir", str(csv_dir),
               "--param", "iti_ms=150", "--param", "fixation_ms=100",
               "--sim-param", "screen_reading_ms=150", "--sim-param", "mean_shift_ms=-300",
               *extra]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})


def finish(process, timeout_s):
    """Output of a finished process; a hung one is killed so the test run goes on."""
    try:
        return process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise


def test_sigkill_keeps_finished_trials_and_resume_completes_the_list(xvfb_display, sqlite_url,
                                                                     tmp_path):
    store = Store(sqlite_url)
    process = mirrorlab_run(sqlite_url, tmp_path)
    deadline = time.monotonic() + 120
    try:
        while store.count_trials() < KILL_AFTER:
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "no trials stored in 120 s"
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL

    session = store.sessions_frame().iloc[0]
    assert session["status"] == "running"                  # killed: never finished
    stored_list = store.get_session(int(session["session_id"])).trial_list
    planned = [t["trial_index"] for t in stored_list]
    kept = store.trials_frame(session_id=int(session["session_id"]))["trial_index"].tolist()
    assert len(kept) >= KILL_AFTER
    assert kept == planned[:len(kept)]                      # a prefix: nothing lost, in order

    duplicate = mirrorlab_run(sqlite_url, tmp_path)
    _, err = finish(duplicate, 120)
    assert duplicate.returncode == 2
    assert err.startswith("mirrorlab: error: participant 'K01' already has stroop session 1")
    assert err.count("\n") == 1

    resumed = mirrorlab_run(sqlite_url, tmp_path, "--resume")
    out, err = finish(resumed, 240)
    assert resumed.returncode == 0, err
    assert "completed" in out
    frame = store.trials_frame(session_id=int(session["session_id"]))
    assert frame["trial_index"].tolist() == planned           # no repeat, no skip, same order
    assert len(planned) == N_TRIALS
    assert frame["item_id"].tolist() == [t["item_id"] for t in stored_list]
    assert store.get_session(int(session["session_id"])).status == "completed"
    assert len(store.sessions_frame()) == 1
    csv_path = store.get_session(int(session["session_id"])).csv_path
    with open(csv_path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    # the CSV was flushed trial by trial: it has every stored trial, the resumed run appended
    assert [int(r["trials.thisIndex"]) for r in rows] == planned
