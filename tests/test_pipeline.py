"""The pipeline from stimulus set to stored model run, through the real command line."""

from __future__ import annotations

import subprocess
import sys

import pytest

from db.store import Store

MIRRORLAB = [sys.executable, "-m", "mirrorlab"]


def _run(*args, check=True):
    result = subprocess.run([*MIRRORLAB, *args], capture_output=True, text=True, timeout=600)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_simulate_stores_a_reproducible_run_with_its_provenance(tmp_path):
    from stimuli import load_set

    db = str(tmp_path / "p.db")
    out = _run("simulate", "cohen1990", "--stimuli", "stroop-ja", "--n", "3", "--seed", "11", "--db", db)
    assert "model run 1: cohen1990 on stroop-ja" in out.stdout
    _run("simulate", "cohen1990", "--stimuli", "stroop-ja", "--n", "3", "--seed", "11", "--db", db)
    store = Store(db)
    runs = store.model_runs_frame()
    assert list(runs["seed"]) == [11, 11] and set(runs["status"]) == {"completed"}
    run = runs.iloc[0]
    assert run["stimulus_set"] == "stroop-ja" and run["stimulus_set_hash"] == load_set("stroop-ja").hash
    assert run["parameters"]["threshold"] > 0
    assert {"python", "numpy", "mirrorlab"} <= set(run["software_versions"])
    first = store.trials_frame(model_run_id=1)
    second = store.trials_frame(model_run_id=2)
    assert len(first) == len(second) > 0
    assert first["rt_ms"].tolist() == second["rt_ms"].tolist()  # same seed, same trials
    assert first["response"].tolist() == second["response"].tolist()
    assert set(first["source"]) == {"model:cohen1990"}
    assert first["agent"].str.startswith("cohen1990#1/sim-").all() and first["agent"].nunique() == 3
    assert set(first["language"]) == {"ja"} and set(first["word"]) >= {"赤", "緑"}


def test_fit_uses_the_human_trials_in_the_database(tmp_path, bundled_data_dir):
    db = str(tmp_path / "f.db")
    missing = _run("fit", "cohen1990", "--task", "stroop", "--db", db, check=False)
    assert missing.returncode == 2 and "no human stroop trials" in missing.stderr
    assert "Traceback" not in missing.stderr
    _run("import", "--dataset", "pratte2010", "--db", db, "--data-dir", str(bundled_data_dir))
    out = _run("fit", "cohen1990", "--task", "stroop", "--n", "4", "--seed", "3", "--db", db)
    assert "fitted to 38 participants' 19152 trials" in out.stdout
    run = Store(db).model_runs_frame().iloc[-1]
    assert run["fit"]["r"] > 0.9 and run["fit"]["ms_per_unit"] > 0
    # calibrated on the trials the analysis keeps (its default cleaning), and it says so
    assert run["fit"]["cleaning"]["rt_min_ms"] == 200.0 and run["fit"]["cleaning"]["rt_max_ms"] == 2000.0
    assert run["fit"]["n_human_trials_given"] == 19152 and run["fit"]["n_trials"] == 18000
    assert run["parameters"]["ms_per_unit"] == 13.86      # the constructor's, not the fit's
    # the same cleaning options as `mirrorlab compare`
    _run("fit", "cohen1990", "--task", "stroop", "--n", "2", "--seed", "3", "--rt-max", "1200",
         "--db", db)
    narrow = Store(db).model_runs_frame().iloc[-1]["fit"]
    assert narrow["cleaning"]["rt_max_ms"] == 1200.0 and narrow["n_trials"] < 18000
    bad = _run("fit", "cohen1990", "--task", "stroop", "--rt-min", "900", "--rt-max", "800",
               "--db", db, check=False)
    assert bad.returncode == 2 and bad.stderr.startswith("mirrorlab: error: cleaning: RT bounds")
    assert len(Store(db).model_runs_frame()) == 2      # nothing stored for the refused fit


def test_bad_model_parameters_and_tasks_are_one_line(tmp_path):
    db = str(tmp_path / "b.db")
    for args, expected in (
        (("simulate", "cohen1990", "--stimuli", "stroop-en", "--param", "nonsense=1"), "unknown parameter"),
        (("simulate", "cohen1990", "--stimuli", "association-en"), "does stroop, not association"),
        (("simulate", "cohen1990", "--stimuli", "no-such-set"), "no-such-set"),
    ):
        result = _run(*args, "--db", db, check=False)
        assert result.returncode == 2, result.stderr
        assert expected in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert Store(db).model_runs_frame().empty  # nothing half-stored


def test_trials_to_fit_keeps_what_the_analysis_keeps():
    """Errors stay for choice fits but not for RTs; unknown correctness (voice, unreviewed)
    stays in RT fits as it stays in RT analyses; out-of-bounds RTs and timeouts leave."""
    import pandas as pd

    from analysis.cleaning import CleaningOptions
    from mirrorlab.pipeline import trials_to_fit

    human = pd.DataFrame({
        "source": "human", "agent": "P01", "condition": "congruent",
        "response": ["red", "blue", "red", "red", "", "red"],
        "correct": [True, False, None, True, False, True],
        "rt_ms": [650.0, 700.0, 640.0, 150.0, None, 2500.0]})
    kept, options = trials_to_fit(human)
    assert options == CleaningOptions()
    assert kept["rt_ms"].tolist() == [650.0, 700.0, 640.0]
    assert kept["in_rt_analysis"].tolist() == [True, False, True]
    wide, _ = trials_to_fit(human, CleaningOptions(rt_min_ms=100, rt_max_ms=3000))
    assert wide["rt_ms"].tolist() == [650.0, 700.0, 640.0, 150.0, 2500.0]
