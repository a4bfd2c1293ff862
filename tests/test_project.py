"""Replication projects: scaffold every target, merge three group databases (one twice),
refuse a database with another stimulus-set hash (one line, nothing changed), and the class
report with each group and the pooled estimate.

The group databases are real SQLite files written through the store, by simulated
participants drawn from the preregistered model (labelled ``simulated`` and analysed only
with ``include_simulated``). The GUI pilot is in ``test_project_pilot_gui.py``.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tomllib

import numpy as np
import pytest

from db.provenance import machine_info, software_versions
from db.store import Store
from mirrorlab.cli import main
from mirrorlab.project.merge import merge_files
from mirrorlab.project.report import build_report
from mirrorlab.project.targets import TARGETS

KNOWN_EFFECT_MS = 80.0


def write_group_db(path, cfg, group_seed, n_people, *, stimulus_set_hash=None, effect_ms=KNOWN_EFFECT_MS):
    """A group's SQLite file: n_people simulated Stroop sessions of 40 trials per condition."""
    rng = np.random.default_rng(group_seed)
    store = Store(f"sqlite:///{path}")
    for person in range(n_people):
        session_id = store.start_session(
            participant_code=f"P{person + 1:02d}", task="stroop", study=cfg["project"]["name"],
            seed=group_seed * 100 + person, language="en", stimulus_set=cfg["task"]["stimulus_set"],
            stimulus_set_hash=stimulus_set_hash or cfg["task"]["stimulus_set_hash"],
            parameters={"simulated_participant": "test draw from the preregistered model"},
            software_versions=software_versions(), machine_info=machine_info())
        own_effect = effect_ms + rng.normal(0, 20)
        rows = []
        for index in range(80):
            condition = ("congruent", "incongruent")[index % 2]
            rows.append({"task": "stroop", "instruction": "colour_naming", "condition": condition,
                         "rt_ms": 650 + own_effect * (index % 2) + rng.normal(0, 60),
                         "correct": index % 17 != 0, "source": "simulated", "agent": "simulated",
                         "trial_index": index})
        store.add_trials(rows, session_id=session_id)
        store.finish_session(session_id)
    store.dispose()


@pytest.fixture()
def stroop_project(tmp_path):
    folder = tmp_path / "stroop-class"
    assert main(["project", "new", str(folder), "--replicate", "pratte2010-stroop"]) == 0
    return folder, tomllib.loads((folder / "project.toml").read_text())


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_project_new_writes_config_and_both_readmes(tmp_path, name):
    folder = tmp_path / name
    assert main(["project", "new", str(folder), "--replicate", name]) == 0
    cfg = tomllib.loads((folder / "project.toml").read_text())
    from stimuli import load_set

    stimulus_set = load_set(cfg["task"]["stimulus_set"])
    assert cfg["task"]["stimulus_set_hash"] == stimulus_set.hash
    assert cfg["task"]["name"] == TARGETS[name].task
    assert "~" in cfg["analysis"]["formula"] and "participant" in cfg["analysis"]["formula"]
    assert cfg["original"]["source"] in ("human", "published") and cfg["original"]["citation"]
    assert np.isfinite(cfg["original"]["effect_ms"]) and cfg["original"]["effect_ms"] > 0
    assert cfg["verdict"]["rules"]
    assert cfg["pilot"]["command"].startswith(f"mirrorlab run {cfg['task']['name']} ")
    assert "--simulate" in cfg["pilot"]["command"]
    english = (folder / "README.md").read_text()
    japanese = (folder / "README.ja.md").read_text()
    assert cfg["pilot"]["command"] in english and cfg["pilot"]["command"] in japanese
    assert "参加者" in japanese


def test_pratte_original_effect_is_computed_from_the_bundled_people(stroop_project):
    _, cfg = stroop_project
    assert cfg["original"]["source"] == "human"
    assert cfg["original"]["n_participants"] == 38
    assert 60 < cfg["original"]["effect_ms"] < 130      # interference, not a congruency gain
    assert cfg["original"]["ci_low_ms"] < cfg["original"]["effect_ms"] < cfg["original"]["ci_high_ms"]


def test_project_new_refuses_an_existing_project_in_one_line(stroop_project):
    folder, _ = stroop_project
    before = (folder / "project.toml").read_bytes()
    result = subprocess.run([sys.executable, "-m", "mirrorlab", "project", "new", str(folder),
                             "--replicate", "stark2024-csi"], capture_output=True, text=True,
                            env=os.environ.copy())
    assert result.returncode == 2
    assert result.stderr.startswith("mirrorlab: error:") and len(result.stderr.strip().splitlines()) == 1
    assert (folder / "project.toml").read_bytes() == before


def test_merge_three_groups_one_twice_then_report(stroop_project, tmp_path):
    folder, cfg = stroop_project
    people = {"group1": 4, "group2": 3, "group3": 5}
    for seed, (group, n) in enumerate(people.items(), start=1):
        write_group_db(tmp_path / f"{group}.db", cfg, seed, n)
    first = merge_files(folder, [tmp_path / "group1.db", tmp_path / "group2.db"])
    assert first.merged_sessions == 7 and first.skipped_sessions == 0
    again = merge_files(folder, [tmp_path / "group2.db", tmp_path / "group3.db"])
    assert again.merged_sessions == 5 and again.skipped_sessions == 3
    store = Store(f"sqlite:///{folder / 'project.db'}")
    sessions = store.sessions_frame()
    assert len(sessions) == 12
    assert store.count_trials() == 12 * 80
    store.dispose()

    # people only: the simulated groups are left out and the report says why
    with pytest.raises(Exception, match="simulated sessions are left out"):
        build_report(folder)
    path, summary = build_report(folder, include_simulated=True)
    estimates = summary["estimates"].set_index("group")
    assert list(estimates.index) == ["group1", "group2", "group3", "pooled"]
    assert estimates.loc["group2", "n_participants"] == 3          # merged twice, counted once
    assert estimates.loc["pooled", "n_participants"] == 12
    assert estimates.loc["pooled", "ci_low_ms"] < KNOWN_EFFECT_MS < estimates.loc["pooled", "ci_high_ms"]
    page = path.read_text()
    assert "SIMULATED participants" in page and "data:image/png;base64," in page
    assert "project.toml sha256" in page and cfg["task"]["stimulus_set_hash"][:12] in page
    for group in people:
        assert group in page
    provenance = summary["sessions"]
    assert set(provenance["group"]) == set(people)
    assert provenance["mirrorlab"].notna().all() and provenance["machine"].notna().all()
    exclusions = summary["exclusions"].set_index("group")
    assert exclusions.loc["group2", "errors"] == 3 * 5           # trials 0, 17, 34, 51, 68
    ja_path, _ = build_report(folder, language="ja", include_simulated=True)
    assert "全体" in ja_path.read_text()


def test_merge_refuses_another_stimulus_set_hash_and_changes_nothing(stroop_project, tmp_path):
    folder, cfg = stroop_project
    write_group_db(tmp_path / "group1.db", cfg, 1, 2)
    merge_files(folder, [tmp_path / "group1.db"])
    write_group_db(tmp_path / "good.db", cfg, 2, 2)
    write_group_db(tmp_path / "other.db", cfg, 3, 2, stimulus_set_hash="f" * 64)
    project_db = folder / "project.db"
    before = hashlib.sha256(project_db.read_bytes()).hexdigest()
    students_before = hashlib.sha256((tmp_path / "other.db").read_bytes()).hexdigest()
    result = subprocess.run([sys.executable, "-m", "mirrorlab", "project", "merge", str(folder),
                             str(tmp_path / "good.db"), str(tmp_path / "other.db")],
                            capture_output=True, text=True, env=os.environ.copy())
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mirrorlab: error:")
    assert "other.db" in lines[0] and "hash ffffffffffff" in lines[0] and "nothing was merged" in lines[0]
    assert hashlib.sha256(project_db.read_bytes()).hexdigest() == before
    assert hashlib.sha256((tmp_path / "other.db").read_bytes()).hexdigest() == students_before


def test_merge_of_a_file_that_is_not_a_database_is_one_line(stroop_project, tmp_path):
    folder, _ = stroop_project
    bogus = tmp_path / "group9.db"
    bogus.write_text("participant,rt\nP1,500\n")
    result = subprocess.run([sys.executable, "-m", "mirrorlab", "project", "merge", str(folder), str(bogus)],
                            capture_output=True, text=True, env=os.environ.copy())
    assert result.returncode == 2
    assert result.stderr.strip() == f"mirrorlab: error: {bogus}: not an SQLite database"
    assert not (folder / "project.db").exists()


def test_report_shows_a_model_run_beside_the_class_estimate(stroop_project, tmp_path):
    folder, cfg = stroop_project
    write_group_db(tmp_path / "group1.db", cfg, 1, 4)
    merge_files(folder, [tmp_path / "group1.db"])
    project_db = f"sqlite:///{folder / 'project.db'}"
    assert main(["simulate", "cohen-huston1994", "--stimuli", cfg["task"]["stimulus_set"], "--n", "4",
                 "--seed", "1", "--db", project_db]) == 0
    path, summary = build_report(folder, include_simulated=True)
    page = path.read_text()
    models = page[page.index("<div id='models'>"):]
    assert "cohen-huston1994 (run 1)" in models and "published defaults" in models
    assert summary["estimates"].iloc[-1]["n_participants"] == 4     # model agents are not people


def test_report_opens_in_headless_chromium_with_codes_escaped(stroop_project, tmp_path):
    import shutil
    from pathlib import Path

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.fail("chromium not found: install Debian's chromium package (scripts/setup.sh does)")
    folder, cfg = stroop_project
    write_group_db(tmp_path / "group1.db", cfg, 1, 3)
    store = Store(f"sqlite:///{tmp_path / 'group1.db'}")
    evil = "<script>alert(1)</script>"
    session_id = store.start_session(participant_code=evil, task="stroop", study=cfg["project"]["name"],
                                     seed=9, stimulus_set="stroop-en",
                                     stimulus_set_hash=cfg["task"]["stimulus_set_hash"],
                                     parameters={"simulated_participant": "test"},
                                     software_versions=software_versions(), machine_info=machine_info())
    store.add_trials([{"task": "stroop", "instruction": "colour_naming", "condition": c, "rt_ms": r,
                       "correct": True, "source": "simulated", "agent": "simulated", "trial_index": i}
                      for i, (c, r) in enumerate([("congruent", 600.0), ("incongruent", 700.0)] * 5)],
                     session_id=session_id)
    store.dispose()
    merge_files(folder, [tmp_path / "group1.db"])
    path, _ = build_report(folder, include_simulated=True)
    dom = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                          "--disable-background-networking", "--disable-component-update",
                          f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", path.as_uri()],
                         capture_output=True, text=True, timeout=120).stdout
    assert "data:image/png;base64," in dom and "group1" in dom
    assert evil not in dom and "&lt;script&gt;alert(1)&lt;/script&gt;" in dom


def test_merge_with_group_names_keeps_reviews_and_same_codes_apart(stroop_project, tmp_path):
    folder, cfg = stroop_project
    write_group_db(tmp_path / "a.db", cfg, 1, 2)
    write_group_db(tmp_path / "b.db", cfg, 2, 2)               # the same codes P01, P02
    store = Store(f"sqlite:///{tmp_path / 'a.db'}")
    first_trial = int(store.trials_frame(task="stroop")["trial_id"].iloc[0])
    store.review_trial(first_trial, rt_ms=612.5, note="onset moved")
    store.dispose()
    assert main(["project", "merge", str(folder), str(tmp_path / "a.db"), str(tmp_path / "b.db"),
                 "--group", "red-team", "--group", "blue-team"]) == 0
    merged = Store(f"sqlite:///{folder / 'project.db'}")
    sessions = merged.sessions_frame()
    assert sorted(sessions["study"].unique()) == ["stroop-class/blue-team", "stroop-class/red-team"]
    assert len(sessions) == 4
    reviewed = merged.trials_frame(task="stroop")
    assert reviewed["reviewed"].sum() == 1 and (reviewed["rt_ms"] == 612.5).sum() == 1
    merged.dispose()
    assert main(["project", "merge", str(folder), str(tmp_path / "a.db"), "--group", "bad/name"]) == 2


def test_merge_refuses_another_task_version(stroop_project, tmp_path):
    folder, cfg = stroop_project
    write_group_db(tmp_path / "old.db", cfg, 1, 1)
    store = Store(f"sqlite:///{tmp_path / 'old.db'}")
    session_id = int(store.sessions_frame()["session_id"].iloc[0])
    store.update_session(session_id, software_versions={**software_versions(), "mirrorlab": "0.0.7"})
    store.dispose()
    with pytest.raises(Exception, match=r"task version 0\.0 \(mirrorlab\), the project's is .*nothing was merged"):
        merge_files(folder, [tmp_path / "old.db"])
    assert not (folder / "project.db").exists() or Store(f"sqlite:///{folder / 'project.db'}").count_trials() == 0


def write_people_group_db(path, cfg, group_seed, codes):
    """A group's SQLite file of students' Stroop sessions (congruent, neutral, incongruent; the
    store's human rows as `mirrorlab run` writes them), for the class model comparison."""
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "reference"))
    from analysis_fixtures import human_stroop_rows

    rng = np.random.default_rng(group_seed)
    store = Store(f"sqlite:///{path}")
    for number, code in enumerate(codes):
        session_id = store.start_session(
            participant_code=code, task="stroop", study=cfg["project"]["name"],
            seed=group_seed * 100 + number, language="en", stimulus_set=cfg["task"]["stimulus_set"],
            stimulus_set_hash=cfg["task"]["stimulus_set_hash"], software_versions=software_versions(),
            machine_info=machine_info())
        store.add_trials(human_stroop_rows(code, rng, n_repetitions=8), session_id=session_id)
        store.finish_session(session_id)
    store.dispose()


@pytest.mark.slow
def test_report_compares_models_on_the_class_people_by_heldout_likelihood(stroop_project, tmp_path):
    """Issue 18: how the models do on the class's own data — fitted to the students' people by
    maximum likelihood and judged on held-out trials, simulated pilots left out, the fits
    stored in the project database (a second report reuses them)."""
    folder, cfg = stroop_project
    write_people_group_db(tmp_path / "group1.db", cfg, 1, ["G1P01", "G1P02"])
    write_people_group_db(tmp_path / "group2.db", cfg, 2, ["G2P01"])
    write_group_db(tmp_path / "pilot.db", cfg, 9, 1)                 # a simulated pilot
    merge_files(folder, [tmp_path / "group1.db", tmp_path / "group2.db", tmp_path / "pilot.db"])
    command = [sys.executable, "-m", "mirrorlab", "project", "report", str(folder),
               "--heldout", "cohen1990,dummy-conditions", "--folds", "2", "--workers", "1"]
    first = subprocess.run(command, capture_output=True, text=True, env=os.environ.copy(), timeout=900)
    assert first.returncode == 0, first.stderr[-2000:]
    assert "models on the class's people:" in first.stdout
    page = (folder / "report.html").read_text()
    block = page[page.index("<div id='model-comparison'>"):page.index('<p id="record">')]
    assert "cohen1990" in block and "dummy-conditions" in block and "PXP" in block
    assert "Data: human." in block                                   # no simulated pilot
    store = Store(f"sqlite:///{folder / 'project.db'}")
    runs = store.model_runs_frame()
    fits = runs[runs["fit"].map(lambda f: isinstance(f, dict) and f.get("kind") == "heldout_fit")]
    assert len(fits) == 2 * 3 * (2 + 1)               # models × people × (folds + full-data fit)
    participants = {f.get("participant") for f in fits["fit"]}
    assert participants == {"G1P01", "G1P02", "G2P01"}
    store.dispose()
    again = subprocess.run(command, capture_output=True, text=True, env=os.environ.copy(), timeout=900)
    assert again.returncode == 0, again.stderr[-2000:]
    assert "were already stored" in (folder / "report.html").read_text()
    assert len(Store(f"sqlite:///{folder / 'project.db'}").model_runs_frame()) == len(runs)


def test_report_folds_without_heldout_is_one_line(stroop_project):
    folder, _ = stroop_project
    result = subprocess.run([sys.executable, "-m", "mirrorlab", "project", "report", str(folder),
                             "--folds", "3"], capture_output=True, text=True, env=os.environ.copy())
    assert result.returncode == 2
    assert result.stderr.strip() == ("mirrorlab: error: --folds is for --heldout MODELS "
                                     "(the likelihood comparison)")
