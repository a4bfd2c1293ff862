"""`mirrorlab stimuli …` through the real console script, and the guarantee that a stimulus
set that fails validation never reaches the database."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from db.store import Store
from stimuli import StimulusError, load_set
from stimuli.stimulus_set import BUNDLED_DIR

MIRRORLAB = str(Path(sys.executable).parent / "mirrorlab")


def mirrorlab(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([MIRRORLAB, *args], capture_output=True, text=True, timeout=300,
                          cwd=cwd)


def bad_stroop_set(tmp_path: Path) -> Path:
    folder = tmp_path / "bad-stroop"
    shutil.copytree(BUNDLED_DIR / "stroop-en", folder)
    items = folder / "items.csv"
    items.write_text(items.read_text(encoding="utf-8").replace(
        "inc-red-blue,RED,blue,red,incongruent", "inc-red-blue,RED,blue,red,incongruous"),
        encoding="utf-8")
    return folder


def test_list_shows_every_bundled_set():
    result = mirrorlab("stimuli", "list")
    assert result.returncode == 0, result.stderr
    for name in ("stroop-en", "stroop-ja", "picture-word-en", "continuous-naming-ja",
                 "association-en"):
        assert name in result.stdout
    assert load_set("stroop-ja").hash[:12] in result.stdout


def test_show_prints_hash_and_openmoji_attribution():
    result = mirrorlab("stimuli", "show", "continuous-naming-en", "--items", "2")
    assert result.returncode == 0, result.stderr
    assert load_set("continuous-naming-en").hash in result.stdout
    assert "OpenMoji – the open-source emoji and icon project. License: CC BY-SA 4.0" \
        in result.stdout
    assert "lags = [2, 4, 6, 8]" in result.stdout


def test_validate_good_sets():
    result = mirrorlab("stimuli", "validate", str(BUNDLED_DIR / "stroop-ja"), "picture-word-en")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("ok ") == 2


def test_validate_bad_set_one_line_exit_2_no_traceback(tmp_path):
    folder = bad_stroop_set(tmp_path)
    result = mirrorlab("stimuli", "validate", str(folder))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("mirrorlab: error: ")
    assert f"{folder / 'items.csv'}, line " in lines[0]
    assert "column 'condition'" in lines[0] and "'incongruous'" in lines[0]
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_validate_several_reports_each_bad_one(tmp_path):
    bad = bad_stroop_set(tmp_path)
    not_utf8 = tmp_path / "latin1.csv"
    not_utf8.write_bytes("item_id,word,ink,word_colour,condition\n"
                         "a,ROUGE,red,red,congruent\nb,VÉRT,green,green,congruent\n"
                         .encode("latin-1"))
    result = mirrorlab("stimuli", "validate", "stroop-en", str(bad), str(not_utf8))
    assert result.returncode == 2
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 2 and all(e.startswith("mirrorlab: error: ") for e in errors)
    assert "latin1.csv, line 3" in errors[1] and "0xc9" in errors[1]
    assert result.stdout.count("ok ") == 1


def test_trials_command_writes_reproducible_csv(tmp_path):
    out_a, out_b = tmp_path / "a.csv", tmp_path / "b.csv"
    for out in (out_a, out_b):
        result = mirrorlab("stimuli", "trials", "picture-word-ja", "--seed", "5",
                           "--participant-index", "2", "--out", str(out))
        assert result.returncode == 0, result.stderr
        assert "OpenMoji" in result.stderr
    assert out_a.read_bytes() == out_b.read_bytes()
    expected = load_set("picture-word-ja").trial_list(seed=5, participant_index=2)
    assert out_a.read_text(encoding="utf-8").count("\n") == len(expected) + 1


def test_help_everywhere():
    for args in (("stimuli", "--help"), ("stimuli", "list", "--help"),
                 ("stimuli", "show", "--help"), ("stimuli", "validate", "--help"),
                 ("stimuli", "trials", "--help")):
        result = mirrorlab(*args)
        assert result.returncode == 0 and "usage:" in result.stdout


def test_stimuli_package_imports_nothing_heavy():
    code = ("import sys, stimuli; s = stimuli.load_set('picture-word-en'); "
            "s.trial_list(seed=1); "
            "print(sorted(m for m in ('psychopy', 'torch', 'statsmodels', "
            "'sentence_transformers', 'sqlalchemy') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# ---------------------------------------------------------------- nothing reaches the database
def test_failed_validation_writes_nothing_to_the_database(tmp_path, sqlite_url):
    """The order every caller follows: load (validate) the set first, then open a session.
    A bad set raises before the store is touched, so the database stays empty."""
    store = Store(sqlite_url)
    folder = bad_stroop_set(tmp_path)
    with pytest.raises(StimulusError):
        stimulus_set = load_set(folder)
        store.start_session(participant_code="P01", task="stroop", seed=1,
                            stimulus_set=stimulus_set.name,
                            stimulus_set_hash=stimulus_set.hash)
    assert store.count_trials() == 0
    assert len(store.sessions_frame()) == 0
    good = load_set("stroop-en")
    session = store.start_session(participant_code="P01", task="stroop", seed=1,
                                  stimulus_set=good.name, stimulus_set_hash=good.hash,
                                  trial_list=good.trial_list(seed=1).head(3).to_dict("records"))
    for row in good.trial_list(seed=1).head(3).to_dict("records"):
        store.add_trial({**row, "source": "human", "agent": "P01", "response": row["ink"],
                         "correct": True, "rt_ms": 600.0}, session_id=session)
    assert store.count_trials() == 3
    frame = store.sessions_frame()
    assert len(frame) == 1
    store.dispose()


def test_simulate_with_bad_stimuli_exits_2_and_stores_no_model_run(tmp_path, sqlite_url):
    folder = bad_stroop_set(tmp_path)
    result = mirrorlab("simulate", "cohen1990", "--stimuli", str(folder), "--n", "1",
                       "--db", sqlite_url)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.stderr
    assert "column 'condition'" in result.stderr
    store = Store(sqlite_url)
    assert store.count_trials() == 0
    assert len(store.model_runs_frame()) == 0
    store.dispose()
