"""File names built from participant codes: unique per session, CJK kept, long or unusual
codes capped and hashed (the code itself is stored verbatim in the database)."""

from __future__ import annotations

import os
import sys
import subprocess

import pytest

from db.store import Store
from experiments.session_plan import (MAX_CODE_CHARS_IN_FILE_NAME, file_safe_code,
                                      session_file_stem, unique_path)


def test_cjk_codes_are_kept_and_never_collapse():
    assert file_safe_code("山田") == "山田"
    assert file_safe_code("田中") == "田中"
    assert file_safe_code("P07") == "P07"
    assert file_safe_code("山田") != file_safe_code("田中")


def test_codes_that_change_get_a_hash_of_the_exact_code():
    slash, dash = file_safe_code("a/b"), file_safe_code("a-b")
    assert slash.startswith("a-b-") and slash != dash == "a-b"
    assert file_safe_code("***") != file_safe_code("???")
    assert "/" not in file_safe_code("../../etc/passwd")


def test_long_codes_are_capped_and_stay_distinct():
    first, second = file_safe_code("P" * 500), file_safe_code("P" * 499 + "Q")
    assert len(first) <= MAX_CODE_CHARS_IN_FILE_NAME + 9 and first != second
    assert len(session_file_stem("P" * 500, "stroop", 1).encode()) < 255


def test_unique_path_never_reuses_a_name(tmp_path):
    first = unique_path(tmp_path, "x", ".csv")
    first.write_text("")
    second = unique_path(tmp_path, "x", ".csv")
    assert second.name == "x-2.csv"


@pytest.mark.gui
def test_two_sessions_started_at_once_write_their_own_csv(xvfb_display, sqlite_url, tmp_path):
    command = [sys.executable, "-m", "mirrorlab", "run", "stroop", "--db", sqlite_url,
               "--windowed", "--simulate", "--max-trials", "3", "--no-practice",
               "--csv-dir", str(tmp_path), "--param", "iti_ms=150",
               "--sim-param", "screen_reading_ms=150"]
    codes = ["山田", "田中", "X" * 300]
    runs = [subprocess.Popen([*command, "--participant", code], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for code in codes]
    for run in runs:
        _, err = run.communicate(timeout=300)
        assert run.returncode == 0 or "at most 100" in err, err
    sessions = Store(sqlite_url).sessions_frame()
    assert sorted(sessions["participant"]) == ["山田", "田中"]      # 300 characters: refused
    paths = [Store(sqlite_url).get_session(int(s)).csv_path for s in sessions["session_id"]]
    assert len(set(paths)) == 2
    assert {os.path.basename(p).split("_")[0] for p in paths} == {"山田", "田中"}
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            assert len(handle.read().splitlines()) == 4                  # header + 3 trials


def test_session_options_are_one_object_and_unknown_names_are_refused():
    from experiments.errors import ExperimentError
    from experiments.session_options import SessionOptions

    options = SessionOptions(simulate=True, max_trials=4)
    built = SessionOptions.build(options, windowed=True)
    assert (built.simulate, built.max_trials, built.windowed) == (True, 4, True)
    assert options.windowed is False                       # the given object is not changed
    with pytest.raises(ExperimentError, match="unknown session option.*max_trial\\b"):
        SessionOptions.build(None, max_trial=4)


def test_run_session_refuses_an_unknown_option_before_anything_is_stored(sqlite_url):
    from experiments import run_session
    from experiments.errors import ExperimentError

    with pytest.raises(ExperimentError, match="unknown session option"):
        run_session("stroop", "P01", simulat=True, db=sqlite_url)
    assert Store(sqlite_url).sessions_frame().empty
