"""The real human datasets shipped in db/datasets: `mirrorlab datasets`, the Stark et al.
(2024) continuous-naming mapping and its derived columns, the general derivation rules a
user's own mapping can use, and a fresh clone with nothing beside it that imports every
bundled dataset."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from db.errors import ImportMappingError
from db.importer import describe_datasets, import_dataset, import_files, load_mapping
from db.store import Store

MIRRORLAB = [sys.executable, "-m", "mirrorlab"]
REPO_ROOT = Path(__file__).resolve().parent.parent
#: The counts each source documents (db/datasets/SOURCES.md; Stark: issue 11).
SOURCE_COUNTS = {"pratte2010": (19152, 38, 38), "vonbastian2016": (17424, 121, 121),
                 "williams_stroop_language": (34120, 141, 141), "stark2024": (19200, 40, 120)}


def test_datasets_lists_every_bundled_dataset_with_licence_citation_and_counts():
    result = subprocess.run([*MIRRORLAB, "datasets"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    described = {d.name: d for d in describe_datasets()}
    assert set(described) == set(SOURCE_COUNTS)
    for name, (n_trials, n_participants, n_sessions) in SOURCE_COUNTS.items():
        dataset = described[name]
        assert (dataset.n_trials, dataset.n_participants, dataset.n_sessions) == \
            (n_trials, n_participants, n_sessions)
        assert (REPO_ROOT / dataset.licence_file).is_file()
        assert f"mirrorlab import {name}" in result.stdout
        assert dataset.citation in result.stdout and dataset.licence_file in result.stdout
        assert f"trials {n_trials:,}, participants {n_participants}" in result.stdout


def test_stark2024_imports_with_the_columns_the_authors_derive(sqlite_url, bundled_data_dir):
    store = Store(sqlite_url)
    result = import_dataset(store, "stark2024", data_dir=bundled_data_dir)
    assert (result.n_trials, result.n_participants, result.n_sessions) == (19200, 40, 120)
    trials = store.trials_frame(task="continuous-naming")
    extras = pd.DataFrame(list(trials["extras"]))
    sessions = store.sessions_frame()
    assert len(sessions) == 120 and sessions["participant"].nunique() == 40
    assert set(sessions["session_number"]) == {1, 2, 3}
    assert set(trials["language"]) == {"de"} and "schachtel" in set(trials["item_id"])

    raw = pd.read_csv(bundled_data_dir / "stark2024_csi_aphasia" / "data_long_anonymous.csv",
                      dtype=str, keep_default_na=False)
    # same rows in the same order: item, session, the authors' trial number
    assert list(trials["item_id"]) == list(raw["item"])
    assert list(extras["source_trial"]) == list(raw["trial"])
    assert (trials["session"].astype(str) == raw["session"]).all()
    # fillers have no position or lag; every category member has position 1-5 per session
    fillers = trials["condition"] == "filler"
    assert fillers.sum() == 4800 and (raw.loc[fillers.values, "category"] == "Filler").all()
    assert trials.loc[fillers, "ordinal_position"].isna().all() and trials.loc[fillers, "lag"].isna().all()
    members = trials[~fillers]
    assert members["ordinal_position"].value_counts().to_dict() == {k: 2880 for k in range(1, 6)}
    assert members.loc[members["ordinal_position"] == 1, "lag"].isna().all()
    assert (members.loc[members["ordinal_position"] > 1, "lag"] >= 0).all()
    # lag = trials between successive members of a category, recomputed by hand for one session
    one = trials[(trials["agent"] == "205") & (trials["session"] == 2)].reset_index(drop=True)
    last: dict[str, int] = {}
    for position, row in one.iterrows():
        if row["condition"] == "experimental":
            expected = position - last[row["category"]] - 1 if row["category"] in last else None
            assert (pd.isna(row["lag"]) if expected is None else row["lag"] == expected)
            last[row["category"]] = position
    # group from the subject code, checked against the authors' questionnaire file
    groups = dict(zip(trials["agent"], extras["group"]))
    assert {c for c, g in groups.items() if g == "aphasia"} == {str(k) for k in range(101, 121)}
    assert {c for c, g in groups.items() if g == "control"} == {str(k) for k in range(201, 221)}
    # day of each session; accuracy codes without the CSV artefact; VOT 0 = no onset
    assert dict(zip(trials["session"], extras["day"])) == {1: 1, 2: 2, 3: 8}
    assert set(extras["accuracy_code"].dropna()) == {"0", "1", "1.1", "1.2", "1.3", "1.4"}
    assert (raw["correct"] == "1;;;;;;").sum() == 114
    assert trials.loc[(raw["correct"] == "1;;;;;;").values, "correct"].eq(True).all()
    assert trials.loc[(raw["correct"] == "1.4").values, "correct"].eq(False).all()
    assert trials.loc[(raw["VOT"] == "0").values, "rt_ms"].isna().all()
    # the authors' RT analysis set (04_...Rmd): no fillers, codes 1-1.3, VOT >= 200 ms: 12,455 rows
    analysed = members[members["correct"].eq(True) & (members["rt_ms"] >= 200)]
    assert len(analysed) == 12455


def test_derivation_rules_work_on_a_users_own_file(tmp_path, sqlite_url):
    """The rules the Stark mapping uses are general: a user's own continuous-naming CSV."""
    data = tmp_path / "naming.csv"
    data.write_text("pp,list,pic,cat,ms\n"
                    "7,1,hund,tiere,700\n7,1,tisch,filler,650\n7,1,katze,tiere,720\n"
                    "7,1,apfel,obst,690\n7,1,maus,tiere,0\n7,2,katze,tiere,710\n"
                    "31,1,hund,tiere,680\n", encoding="utf-8")
    mapping_file = tmp_path / "mine.toml"
    mapping_file.write_text("""
[columns]
participant = "pp"
session_number = "list"
item_id = "pic"
picture = "pic"
category = "cat"
condition = "cat"
rt_ms = "ms"
[constants]
task = "continuous-naming"
[missing]
rt_ms = ["0"]
[values.condition]
"filler" = "filler"
"*" = "experimental"
[derive.ordinal_position]
rule = "count"
within = ["participant", "session_number", "category"]
only_when = {condition = "experimental"}
[derive.lag]
rule = "lag"
sequence = ["participant", "session_number"]
within = ["category"]
only_when = {condition = "experimental"}
[derive.cohort]
rule = "ranges"
from = "participant"
ranges = {pilot = [1, 9], main = [10, 99]}
""", encoding="utf-8")
    store = Store(sqlite_url)
    result = import_files(store, [data], load_mapping(str(mapping_file)), study="mine")
    assert (result.n_participants, result.n_sessions) == (2, 3)
    trials = store.trials_frame(task="continuous-naming")
    assert [None if pd.isna(v) else int(v) for v in trials["ordinal_position"]] == [1, None, 2, 1, 3, 1, 1]
    assert [None if pd.isna(v) else int(v) for v in trials["lag"]] == [None, None, 1, None, 1, None, None]
    assert trials["rt_ms"].isna().tolist() == [False, False, False, False, True, False, False]
    assert [e["cohort"] for e in trials["extras"]] == ["pilot"] * 6 + ["main"]


@pytest.mark.parametrize("derive, message", [
    ('[derive.lag]\nrule = "gap"\nwithin = ["category"]', "rule 'gap' is not one of count, lag, ranges"),
    ('[derive.lag]\nrule = "lag"\nwithin = ["category"]', "rule 'lag' needs sequence"),
    ('[derive.group]\nrule = "ranges"\nfrom = "participant"\nranges = {a = [1]}', "ranges must be"),
])
def test_a_bad_derivation_is_one_line_naming_the_mapping(tmp_path, derive, message):
    mapping_file = tmp_path / "bad.toml"
    mapping_file.write_text(f'[columns]\nparticipant = "pp"\n[constants]\ntask = "stroop"\n{derive}\n',
                            encoding="utf-8")
    data = tmp_path / "d.csv"
    data.write_text("pp\n1\n", encoding="utf-8")
    result = subprocess.run([*MIRRORLAB, "import", str(data), "--mapping", str(mapping_file),
                             "--db", str(tmp_path / "x.db")], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    line, = result.stderr.strip().splitlines()
    assert line.startswith("mirrorlab: error: mapping ") and message in line and "bad.toml" in line
    with pytest.raises(ImportMappingError):
        load_mapping(str(mapping_file))


def test_a_code_outside_every_range_is_refused_before_anything_is_written(tmp_path, sqlite_url):
    data = tmp_path / "d.csv"
    data.write_text("pp,ms\n101,500\n150,600\n", encoding="utf-8")
    mapping_file = tmp_path / "groups.toml"
    mapping_file.write_text('[columns]\nparticipant = "pp"\nrt_ms = "ms"\n[constants]\ntask = "stroop"\n'
                            '[derive.group]\nrule = "ranges"\nfrom = "participant"\n'
                            'ranges = {aphasia = [101, 120], control = [201, 220]}\n', encoding="utf-8")
    store = Store(sqlite_url)
    with pytest.raises(ImportMappingError, match=r"participant '150' is in none of the ranges"):
        import_files(store, [data], load_mapping(str(mapping_file)))
    assert store.count_trials() == 0


def _no_shared_folder_above(path: Path) -> bool:
    return not any((parent / "shared").exists() for parent in [path, *path.parents])


@pytest.mark.slow
def test_a_fresh_clone_with_nothing_beside_it_imports_every_bundled_dataset(tmp_path):
    """`git clone` of the committed HEAD into a folder with no shared/ anywhere above it; the
    clone's own code (PYTHONPATH) and the existing interpreter import every dataset."""
    clone = tmp_path / "clone" / "mirrorlab"
    subprocess.run(["git", "clone", "--quiet", str(REPO_ROOT), str(clone)], check=True, timeout=300)
    assert _no_shared_folder_above(clone)
    env = {k: v for k, v in os.environ.items() if k not in ("MIRRORLAB_DB", "MIRRORLAB_SHARED_DATA")}
    env["PYTHONPATH"] = str(clone)
    db = clone / "mirrorlab.db"
    for name, (n_trials, n_participants, _) in SOURCE_COUNTS.items():
        result = subprocess.run([sys.executable, "-m", "mirrorlab", "import", name], cwd=clone,
                                env=env, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stderr[-2000:]
        assert f"imported {n_trials} trials of {n_participants} participants" in result.stdout
    check = subprocess.run(
        [sys.executable, "-c", "import db.importer, sys; print(db.importer.__file__)"],
        cwd=clone, env=env, capture_output=True, text=True, timeout=60)
    assert Path(check.stdout.strip()).is_relative_to(clone)
    store = Store(f"sqlite:///{db}")
    sessions = store.sessions_frame()
    for name, (n_trials, n_participants, n_sessions) in SOURCE_COUNTS.items():
        mine = sessions[sessions["study"] == name]
        assert (mine["n_trials"].sum(), mine["participant"].nunique(), len(mine)) == \
            (n_trials, n_participants, n_sessions)
    # a short demo there: real people, models, report, no display needed
    demo = subprocess.run([sys.executable, "-m", "mirrorlab", "demo", "--quick", "--no-pilots"],
                          cwd=clone, env=env, capture_output=True, text=True, timeout=1200)
    assert demo.returncode == 0, demo.stderr[-3000:]
    report = clone / "mirrorlab-demo-report.html"
    assert demo.stdout.strip().splitlines()[-1] == f"report: {report}"
    assert "stark2024 (continuous-naming) already imported" in demo.stderr
    html = report.read_text(encoding="utf-8")
    for task in ("stroop", "picture-word", "association", "continuous-naming"):
        assert f'id="task-{task}"' in html


@pytest.mark.slow
@pytest.mark.parametrize("model", ["weaver-cumulative", "howard2006"])
def test_continuous_naming_models_replay_each_stark_controls_own_sequences(model, sqlite_url,
                                                                          bundled_data_dir):
    from mirrorlab.pipeline import human_trials_for, run_model_on_human_sequences

    store = Store(sqlite_url)
    import_dataset(store, "stark2024", data_dir=bundled_data_dir)
    people = human_trials_for(store, "continuous-naming", study="stark2024")
    controls = people[[e["group"] == "control" for e in people["extras"]]]
    assert controls["agent"].nunique() == 20
    result = run_model_on_human_sequences(store, model, controls, n=2, seed=5)
    assert "in-sample" in result.fit["fitted_to"] and "20 participants" in result.fit["fitted_to"]
    stored = store.trials_frame(model_run_id=result.run_id).sort_values("trial_id")
    assert len(stored) == 2 * len(controls) and set(stored["language"]) == {"de"}
    stored["human_agent"] = stored["agent"].str.split("/").str[1]
    stored["replica"] = stored["agent"].str.split("/").str[2]
    for (code, session), theirs in controls.groupby(["agent", "session"]):
        theirs = theirs.sort_values("trial_index")
        for replica in ("sim-001", "sim-002"):
            mine = stored[(stored["human_agent"] == code) & (stored["session"] == session)
                          & (stored["replica"] == replica)]
            assert list(mine["item_id"]) == list(theirs["item_id"]), (code, session, replica)
            assert list(mine["trial_index"]) == list(theirs["trial_index"])
            assert [e["human_trial_id"] for e in mine["extras"]] == list(theirs["trial_id"])
    run = store.model_runs_frame().set_index("model_run_id").loc[result.run_id]
    assert run["stimulus_set"] == "import:stark2024"
    assert run["stimulus_set_hash"] == store.sessions_frame()["stimulus_set_hash"].iloc[0]
    assert run["parameters"]["trial_sequences"] == "each participant's own"


@pytest.mark.slow
def test_fit_own_sequences_from_the_command_line(tmp_path, bundled_data_dir):
    db = str(tmp_path / "stark.db")
    imported = subprocess.run([*MIRRORLAB, "import", "stark2024", "--db", db], capture_output=True,
                              text=True, timeout=600)
    assert "imported 19200 trials of 40 participants" in imported.stdout, imported.stderr
    result = subprocess.run([*MIRRORLAB, "fit", "howard2006", "--task", "continuous-naming",
                             "--study", "stark2024", "--own-sequences", "--n", "1", "--seed", "2",
                             "--db", db], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "(in-sample), simulated 19200 trials on their own sequences" in result.stdout
    wrong = subprocess.run([*MIRRORLAB, "fit", "cohen1990", "--task", "stroop", "--own-sequences",
                            "--db", db], capture_output=True, text=True, timeout=300)
    assert wrong.returncode == 2 and "Traceback" not in wrong.stderr
    assert wrong.stderr.strip() == ("mirrorlab: error: --own-sequences is for tasks whose trial "
                                    "order matters (continuous-naming), without --stimuli")
