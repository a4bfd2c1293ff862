"""The likelihood comparison (issue 14): folds, BMS, held-out fits on Dask (1 vs 2 local
workers, a real scheduler and worker started as separate processes), storing as fits finish,
resume after a kill, and bad input — on the real Pratte et al. (2010) participants imported
into real SQLite files.

The fast tests use the two cheapest models (the dummy predictor and the per-condition
ex-Gaussian, both analytic) on 2–3 participants and 2–3 folds, so that the machinery, not the
models, is what is timed; the scientific claims are in tests/test_model_selection_claims.py.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

from analysis.errors import AnalysisInputError
from analysis.model_selection import random_effects_bms
from analysis.model_selection.folds import leave_one_participant_out, within_participant_folds
from db.store import Store

MIRRORLAB = [sys.executable, "-m", "mirrorlab"]
CHEAP = "dummy-conditions,exgauss-conditions"


@pytest.fixture(scope="module")
def pratte_db(tmp_path_factory) -> str:
    """One real SQLite file with the bundled Pratte 2010 people, imported once per module."""
    from db.importer import import_dataset

    path = tmp_path_factory.mktemp("pratte") / "pratte.db"
    import_dataset(Store(f"sqlite:///{path}"), "pratte2010")
    return str(path)


@pytest.fixture()
def lab_db(pratte_db, tmp_path) -> str:
    """A private copy of the imported database (each test writes its own fits)."""
    return _copy(pratte_db, tmp_path / "lab.db")


def _copy(db, target) -> str:
    """Copy a SQLite database in WAL mode with its -wal and -shm files (a copy of the main file
    alone misses what the WAL holds)."""
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(f"{db}{suffix}"):
            shutil.copy(f"{db}{suffix}", f"{target}{suffix}")
    return str(target)


def _compare(db, *args, timeout=600, env=None):
    return subprocess.run([*MIRRORLAB, "compare", "--task", "stroop", "--db", db, *args],
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def _heldout_runs(db) -> pd.DataFrame:
    runs = Store(f"sqlite:///{db}").model_runs_frame(task="stroop")
    return runs[runs["fit"].map(lambda f: isinstance(f, dict) and f.get("kind") == "heldout_fit")]


def _numbers(db) -> dict:
    """fit key → (held-out loglik, fitted parameters) of every stored held-out fit."""
    return {f["fit_key"]: (f["heldout_loglik"], f["params"]) for f in _heldout_runs(db)["fit"]}


# ------------------------------------------------------------------------------ folds
def test_folds_are_stratified_seeded_and_judge_every_trial_once():
    rng = np.random.default_rng(0)
    trials = pd.DataFrame({"agent": np.repeat(["a", "b"], 90),
                           "condition": rng.choice(["congruent", "neutral", "incongruent"], 180)})
    folds = within_participant_folds(trials, 5, seed=3)
    assert set(folds) == set(range(5))
    for (_, _), part in trials.assign(fold=folds).groupby(["agent", "condition"]):
        sizes = part["fold"].value_counts().reindex(range(5), fill_value=0)
        assert sizes.max() - sizes.min() <= 1          # every fold holds every cell
    assert np.array_equal(folds, within_participant_folds(trials, 5, seed=3))
    assert not np.array_equal(folds, within_participant_folds(trials, 5, seed=4))
    # a participant's split does not depend on who else is in the data
    only_b = within_participant_folds(trials[trials["agent"] == "b"], 5, seed=3)
    assert np.array_equal(only_b, folds[trials["agent"].to_numpy() == "b"])
    held = leave_one_participant_out(trials)
    assert [code for code, _ in held] == ["a", "b"] and held[0][1].sum() == 90
    with pytest.raises(AnalysisInputError, match="--folds must be at least 2"):
        within_participant_folds(trials, 1, seed=0)


def test_bms_gives_frequencies_exceedance_and_protected_exceedance():
    rng = np.random.default_rng(1)
    # model "good" is better by ~6 log-units in 18 of 20 participants: decisive
    good = rng.normal(-500, 5, 20)
    evidence = pd.DataFrame({"good": good, "bad": good - np.r_[np.full(18, 6.0), np.full(2, -3.0)]})
    table = random_effects_bms(evidence).set_index("model")
    assert table["expected_frequency"].sum() == pytest.approx(1.0)
    assert table.loc["good", "protected_exceedance_probability"] > 0.95
    assert table.loc["good", "exceedance_probability"] >= table.loc["good", "protected_exceedance_probability"]
    # a decisive difference (thousands of log-units) must not overflow groupbmc's exp
    huge = random_effects_bms(evidence.assign(bad=evidence["good"] - 5000.0)).set_index("model")
    assert huge.loc["good", "protected_exceedance_probability"] > 0.99
    # no difference at all: the omnibus risk is high and PXP falls back towards 1/2
    same = random_effects_bms(pd.DataFrame({"x": good, "y": good})).set_index("model")
    assert same["bayesian_omnibus_risk"].iloc[0] > 0.5
    assert same.loc["x", "protected_exceedance_probability"] == pytest.approx(0.5, abs=0.05)


# ------------------------------------------------------------------------------ Dask
def _run(db, workers, **extra):
    from mirrorlab.model_comparison import ComparisonOptions, run_model_comparison

    options = ComparisonOptions(task="stroop", models=CHEAP.split(","), n_folds=2, seed=5,
                                participants=["01", "02"], max_fun_evals=40, **extra)
    return run_model_comparison(Store(f"sqlite:///{db}"), options, workers=workers, progress=False)


def test_one_and_two_local_workers_give_identical_results_stored_per_fit(lab_db, tmp_path):
    other = _copy(lab_db, tmp_path / "other.db")
    one = _run(lab_db, workers=1)
    two = _run(str(other), workers=2)
    pd.testing.assert_frame_equal(one.per_participant, two.per_participant)
    pd.testing.assert_frame_equal(one.summary, two.summary)
    assert _numbers(lab_db) == _numbers(str(other))
    runs = _heldout_runs(lab_db)
    # 2 models × 2 participants × (2 folds + 1 full-data fit), each a model run without trials
    assert len(runs) == 12 and (runs["n_trials"] == 0).all()
    fit = runs["fit"].iloc[0]
    for key in ("comparison_id", "fit_key", "fold", "heldout_loglik", "seed", "trace", "params"):
        assert key in fit
    assert runs["stimulus_set_hash"].str.len().eq(64).all() and runs["seed"].notna().all()
    assert set(one.summary["model"]) == set(CHEAP.split(","))
    assert {"ci_low", "ci_high", "aic", "bic", "protected_exceedance_probability"} <= set(one.summary)
    # a rerun with the same seed and options fits nothing and gives the same numbers
    again = _run(lab_db, workers=0)
    assert len(_heldout_runs(lab_db)) == 12
    pd.testing.assert_frame_equal(again.summary, one.summary)


def _start_scheduler(tmp_path):
    dask = os.path.join(os.path.dirname(sys.executable), "dask")
    scheduler_file = tmp_path / "scheduler.json"
    scheduler = subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", "0",
                                  "--no-dashboard", "--scheduler-file", str(scheduler_file)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        if scheduler_file.exists() and scheduler_file.stat().st_size:
            break
        time.sleep(0.1)
    worker = subprocess.Popen([dask, "worker", "--scheduler-file", str(scheduler_file),
                               "--nthreads", "1", "--no-dashboard"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ))
    import json

    address = json.loads(scheduler_file.read_text())["address"]
    return scheduler, worker, address


def test_a_comparison_through_a_separately_started_scheduler_and_worker(lab_db, tmp_path):
    local = _copy(lab_db, tmp_path / "local.db")
    scheduler, worker, address = _start_scheduler(tmp_path)
    try:
        report = tmp_path / "report.html"
        result = _compare(lab_db, "--models", CHEAP, "--heldout", "--folds", "2", "--seed", "5",
                          "--participants", "01,02", "--max-evals", "40", "--scheduler", address,
                          "--report", str(report))
        assert result.returncode == 0, result.stderr[-3000:]
    finally:
        for process in (worker, scheduler):
            process.send_signal(signal.SIGTERM)
        for process in (worker, scheduler):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    assert "held-out comparison" in result.stdout and "protected_exceedance_probability" in result.stdout
    html = report.read_text(encoding="utf-8")
    assert 'id="stroop-model-selection"' in html and "Which model explains these people" in html
    # the same numbers as the same comparison run here, without Dask
    _run(str(local), workers=0)
    assert len(_numbers(lab_db)) == 12 and _numbers(lab_db) == _numbers(str(local))


def test_a_killed_run_resumes_with_identical_numbers_and_no_duplicates(lab_db, tmp_path):
    reference_db = _copy(lab_db, tmp_path / "reference.db")
    args = ["--models", CHEAP, "--heldout", "--folds", "3", "--seed", "9", "--participants",
            "01,02", "--max-evals", "40", "--workers", "0", "--report", str(tmp_path / "r.html")]
    process = subprocess.Popen([*MIRRORLAB, "compare", "--task", "stroop", "--db", lab_db, *args],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while time.time() < deadline and process.poll() is None:
        try:
            if len(_heldout_runs(lab_db)) >= 3:
                break
        except Exception:       # noqa: BLE001 - the database is being written; look again
            pass
        time.sleep(0.2)
    assert process.poll() is None, "the run finished before it could be interrupted"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    stored_before = len(_heldout_runs(lab_db))
    assert 3 <= stored_before < 16
    resumed = _compare(lab_db, *args)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert f"{stored_before} of 16 fits were already stored" in resumed.stderr
    runs = _heldout_runs(lab_db)
    assert len(runs) == 16 and runs["fit"].map(lambda f: f["fit_key"]).is_unique
    uninterrupted = _compare(str(reference_db), *args)
    assert uninterrupted.returncode == 0, uninterrupted.stderr[-3000:]
    assert _numbers(lab_db) == _numbers(str(reference_db))
    table = lambda out: out.split("held-out comparison", 1)[1].split("report:", 1)[0]  # noqa: E731
    assert table(resumed.stdout) == table(uninterrupted.stdout)


# ------------------------------------------------------------------------------ bad input
def test_bad_input_is_one_line(lab_db, tmp_path):
    empty = str(tmp_path / "empty.db")
    cases = [
        (lab_db, ["--models", "dummy-conditions,bogus", "--heldout"], "unknown model 'bogus'"),
        (lab_db, ["--models", "dummy-conditions", "--heldout"], "at least two models"),
        (lab_db, ["--models", "weaver-cumulative,weaver", "--heldout"], "not stroop"),
        (empty, ["--models", CHEAP, "--heldout"], "no human stroop trials"),
        (lab_db, ["--models", CHEAP, "--heldout", "--participants", "01", "--folds", "2",
                  "--scheduler", "tcp://127.0.0.1:9"], "Dask scheduler tcp://127.0.0.1:9 is unreachable"),
        (lab_db, ["--models", CHEAP, "--heldout", "--scheduler", "127.0.0.1:9"], "expected tcp://HOST:PORT"),
        (lab_db, ["--models", CHEAP, "--heldout", "--folds", "1"], "--folds must be at least 2"),
        (lab_db, ["--models", CHEAP, "--heldout", "--participants", "zz"], "no stroop trials of zz"),
    ]
    for db, args, expected in cases:
        result = _compare(db, *args, "--report", str(tmp_path / "r.html"), timeout=300)
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert result.returncode == 2, (args, result.stderr[-2000:])
        assert "Traceback" not in result.stderr
        assert lines[-1].startswith("mirrorlab: error: ") and expected in lines[-1], (args, lines[-3:])
    assert len(_heldout_runs(lab_db)) == 0            # nothing half-stored by a refused run


# ------------------------------------------------------------------------------ the dummy
def test_the_dummy_predictor_codes_conditions_and_is_fitted_like_any_model():
    from models.base import ModelInputError
    from models.fitting import fit_participant
    from models.fitting.recovery import synthetic_participant
    from models.registry import make_model
    from models.yardsticks.dummy import condition_codes
    from stimuli import load_set

    trials = load_set("stroop-en").trial_list(seed=1, include_practice=False)
    codes = pd.Series(condition_codes(trials)).groupby(trials["condition"].to_numpy()).first()
    assert codes.to_dict() == {"congruent": 1.0, "incongruent": 4.0, "neutral": 2.0}
    reading = trials.assign(instruction="word_reading")
    assert set(condition_codes(reading)) == {0.0}
    with pytest.raises(ModelInputError, match="fit it first"):
        make_model("dummy-conditions").simulate(trials, n=1, seed=1)
    truth = {"intercept_ms": 520.0, "ms_per_unit": 25.0, "residual_sd_ms": 50.0,
             "residual_tau_ms": 120.0}
    data = synthetic_participant("dummy-conditions", pd.concat([trials] * 3, ignore_index=True),
                                 truth, seed=3, code="synthetic-001")
    result = fit_participant("dummy-conditions", data, seed=2, max_fun_evals=60)
    assert result.params["ms_per_unit"] == pytest.approx(25.0, abs=8.0)
    assert result.params["intercept_ms"] == pytest.approx(520.0, abs=30.0)
