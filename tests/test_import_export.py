"""Importing the real datasets in ../shared/data and exporting trials."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from db.errors import ImportMappingError
from db.importer import import_dataset, import_files, load_mapping, mapping_from_options
from db.store import Store

MIRRORLAB = [sys.executable, "-m", "mirrorlab"]


def test_pratte2010_imports_with_the_counts_of_sources_md(sqlite_url, bundled_data_dir):
    store = Store(sqlite_url)
    result = import_dataset(store, "pratte2010", data_dir=bundled_data_dir)
    assert (result.n_participants, result.n_trials) == (38, 19152)
    trials = store.trials_frame(task="stroop")
    assert trials["agent"].nunique() == 38 and len(trials) == 19152
    assert set(trials["condition"]) == {"congruent", "neutral", "incongruent"}
    assert set(trials["ink"]) == {"red", "green", "blue"}
    assert set(trials["word"]) == {"RED", "GREEN", "BLUE", "XXX"}
    # item identity is ink x word; neutral trials have the XXX word
    assert trials.loc[trials["condition"] == "neutral", "word"].eq("XXX").all()
    congruent = trials[trials["condition"] == "congruent"]
    assert (congruent["word"].str.lower() == congruent["ink"]).all()
    # RTs were in seconds; condition means match those in SOURCES.md (correct, 200-2000 ms)
    clean = trials[trials["correct"].astype(bool) & trials["rt_ms"].between(200, 2000)]
    means = clean.groupby("condition")["rt_ms"].mean()
    assert means["congruent"] < means["neutral"] < means["incongruent"]
    assert abs(means["incongruent"] - 790) < 5 and abs(means["congruent"] - 703) < 5
    sessions = store.sessions_frame()
    assert set(sessions["status"]) == {"imported"} and len(sessions) == 38
    assert sessions["stimulus_set_hash"].str.len().eq(64).all()


def test_vonbastian_and_williams_import(postgres_server, pg_url, bundled_data_dir):
    store = Store(pg_url)
    result = import_dataset(store, "vonbastian2016", data_dir=bundled_data_dir)
    assert (result.n_participants, result.n_trials) == (121, 17424)
    result = import_dataset(store, "williams_stroop_language", data_dir=bundled_data_dir)
    assert result.n_participants == 141 and result.n_trials == 34120  # "about 34k"
    trials = store.trials_frame(task="stroop")
    williams = trials[trials["language"].isin(["ar", "zh", "nl"]) | trials["session_id"].isin(
        store.sessions_frame().query("study == 'williams_stroop_language'")["session_id"])]
    assert set(williams["condition"]) == {"neutral", "incongruent"}
    assert williams["rt_ms"].isna().sum() > 0  # missing RTs stay missing, never 0


def test_a_second_import_of_the_same_study_is_refused_and_changes_nothing(sqlite_url, bundled_data_dir):
    store = Store(sqlite_url)
    import_dataset(store, "vonbastian2016", data_dir=bundled_data_dir)
    with pytest.raises(ImportMappingError, match="already has 17424 trials"):
        import_dataset(store, "vonbastian2016", data_dir=bundled_data_dir)
    assert store.count_trials() == 17424


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_bad_rows_stop_the_import_before_anything_is_written(sqlite_url, tmp_path):
    store = Store(sqlite_url)
    data = _write(tmp_path / "data.csv", "subj,cond,rt\n1,c,500\n1,i,abc\n")
    mapping = mapping_from_options(["participant=subj", "condition=cond", "rt_ms=rt"], ["task=stroop"])
    with pytest.raises(ImportMappingError, match=r"data.csv line 3 column 'rt': rt_ms value 'abc' is not a number"):
        import_files(store, [data], mapping)
    assert store.count_trials() == 0 and store.sessions_frame().empty

    with pytest.raises(ImportMappingError, match=r"column\(s\) 'RT' named in mapping .* not found \(file has: subj, cond, rt\)"):
        import_files(store, [data], mapping_from_options(["participant=subj", "rt_ms=RT"], ["task=stroop"]))
    with pytest.raises(ImportMappingError, match="unknown field 'reaction_time'"):
        mapping_from_options(["participant=subj", "reaction_time=rt"], ["task=stroop"])
    with pytest.raises(ImportMappingError, match="no column for 'participant'"):
        mapping_from_options(["rt_ms=rt"], ["task=stroop"])
    empty = _write(tmp_path / "empty.csv", "subj,cond,rt\n")
    with pytest.raises(ImportMappingError, match="empty.csv: has no data rows"):
        import_files(store, [empty], mapping)
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("subj,cond,rt\n1,caf\xe9,500\n".encode("latin-1"))
    with pytest.raises(ImportMappingError, match="latin1.csv line 2 byte 6: not valid UTF-8"):
        import_files(store, [latin1], mapping)
    assert store.count_trials() == 0


def test_mapping_recodes_and_templates(sqlite_url, tmp_path):
    store = Store(sqlite_url)
    data = _write(tmp_path / "d.tsv", "s\tink\tw\tacc\trt\n7\t0\t1\tyes\t0.5\n")
    mapping_file = _write(tmp_path / "m.toml", """
[source]
separator = "\\t"
[columns]
participant = "s"
ink = "ink"
word = "w"
correct = "acc"
rt_ms = "rt"
[constants]
task = "stroop"
[values.ink]
"0" = "red"
[values.word]
"1" = "GREEN"
[scale]
rt_ms = 1000
[templates]
item_id = "{ink}_{word}"
""")
    result = import_files(store, [data], load_mapping(str(mapping_file)), study="mine")
    assert result.study == "mine"
    row = store.trials_frame().iloc[0]
    assert (row["ink"], row["word"], row["item_id"], row["rt_ms"], row["correct"]) == (
        "red", "GREEN", "red_GREEN", 500.0, True)


def test_cli_import_export_round_trip(tmp_path, bundled_data_dir):
    db = tmp_path / "cli.db"
    result = subprocess.run(
        [*MIRRORLAB, "import", str(bundled_data_dir / "vonbastian_stroop" / "LEF_stroop.csv"),
         "--sep", ";", "--map", "participant=ID", "--map", "condition=congruency",
         "--map", "rt_ms=RT", "--map", "correct=accuracy", "--set", "task=stroop", "--db", str(db)],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "imported 17424 trials of 121 participants" in result.stdout
    for suffix in ("csv", "parquet"):
        out = tmp_path / f"trials.{suffix}"
        result = subprocess.run([*MIRRORLAB, "export", str(out), "--db", str(db), "--task", "stroop"],
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        frame = pd.read_csv(out) if suffix == "csv" else pd.read_parquet(out)
        assert len(frame) == 17424 and frame["agent"].nunique() == 121
        assert {"study", "stimulus_set_hash", "rt_ms", "condition"} <= set(frame.columns)


def test_cli_user_errors_are_one_line(tmp_path):
    db = tmp_path / "e.db"
    cases = [
        ([*MIRRORLAB, "import", str(tmp_path / "missing.csv"), "--map", "participant=a",
          "--set", "task=stroop", "--db", str(db)], "not found"),
        ([*MIRRORLAB, "import", "--dataset", "nosuchdata", "--db", str(db)], "mapping 'nosuchdata' not found"),
        ([*MIRRORLAB, "export", str(tmp_path / "x.csv"), "--db", str(db)], "no trials"),
        ([*MIRRORLAB, "db", "info", "--db", "postgresql+psycopg://x@127.0.0.1:1/none"], "unreachable"),
    ]
    for command, expected in cases:
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert result.returncode == 2, (command, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("mirrorlab: error:") and expected in lines[0], lines
        assert "Traceback" not in result.stderr


def test_exporting_picture_trials_carries_the_picture_attribution(tmp_path):
    from mirrorlab.pipeline import run_model

    db = tmp_path / "pictures.db"
    run_model(Store(str(db)), "weaver", "picture-word-en", n=1, seed=1)
    out = tmp_path / "pwi.csv"
    result = subprocess.run([*MIRRORLAB, "export", str(out), "--db", str(db)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "OpenMoji" in result.stdout and "CC BY-SA 4.0" in result.stdout
    notice = out.with_name("pwi.csv.ATTRIBUTION.txt").read_text(encoding="utf-8")
    assert "OpenMoji" in notice and "CC BY-SA 4.0" in notice
