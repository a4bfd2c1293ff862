"""compare() and `mirrorlab compare` on real stores (SQLite files, a PostgreSQL server) with known data."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "reference"))
import analysis_fixtures as fx  # noqa: E402

from analysis import AnalysisInputError, CleaningOptions, compare, write_report  # noqa: E402
from analysis.cleaning import clean_trials  # noqa: E402
from db.store import Store  # noqa: E402
from mirrorlab.cli import main  # noqa: E402

PARTICIPANTS = [f"P{i:02d}" for i in range(1, 9)]
MODEL_MEANS = {"congruent": 640.0, "neutral": 660.0, "incongruent": 760.0}


@pytest.fixture()
def stroop_store(sqlite_url):
    store = Store(sqlite_url)
    fx.add_human_stroop(store, PARTICIPANTS)
    return store


def test_cleaning_counts_every_removal_per_source():
    rows = pd.DataFrame({
        "source": ["human"] * 7 + ["model:m"] * 2,
        "agent": ["A"] * 7 + ["m#1/sim-001"] * 2,
        "condition": ["congruent"] * 9,
        "rt_ms": [500, 150, 2500, np.nan, 600, 700, 800, 550, 560],
        "correct": [True, True, True, None, False, None, True, True, True],
        "response": ["red", "red", "red", None, "blue", "red", "timeout", "red", "red"],
    })
    cleaned = clean_trials(rows, CleaningOptions())
    human = cleaned.summary.set_index("source").loc["human"]
    assert (human["timeouts"], human["too_fast"], human["too_slow"], human["errors"]) == (2, 1, 1, 1)
    assert human["correct_unknown"] == 1
    assert human["rt_trials_kept"] == 2          # 500 and 700 (unknown correctness kept for RT)
    assert human["accuracy_trials_kept"] == 2    # 500 (correct) and 600 (error)
    assert sorted(cleaned.rt["rt_ms"]) == [500, 550, 560, 700]
    with pytest.raises(AnalysisInputError, match="RT bounds"):
        CleaningOptions(rt_min_ms=900, rt_max_ms=300)


def test_sd_trimming_removes_outliers_per_agent_and_condition():
    rt = [600.0] * 19 + [1500.0]
    rows = pd.DataFrame({"source": "human", "agent": "A", "condition": "neutral", "rt_ms": rt,
                         "correct": True, "response": "red"})
    cleaned = clean_trials(rows, CleaningOptions(sd_trim=2.5))
    assert cleaned.summary["sd_trimmed"].iloc[0] == 1
    assert cleaned.rt["rt_ms"].max() == 600.0


def test_compare_stroop_people_and_model(stroop_store):
    fx.add_model_stroop(stroop_store, "toy", MODEL_MEANS, fit={"r": 0.9})
    result = compare(stroop_store, "stroop", engine="mixedlm")
    # condition means recomputed independently from the store: mean of participant means
    human = stroop_store.trials_frame(task="stroop", source="human")
    kept = human[human["correct"].astype(bool) & human["rt_ms"].between(200, 2000)]
    expected = kept.groupby(["condition", "agent"])["rt_ms"].mean().groupby("condition").mean()
    table = result.condition_comparison.set_index("condition")
    for condition, value in expected.items():
        assert table.loc[condition, "human_rt_ms"] == pytest.approx(value)
    assert list(result.condition_comparison["condition"]) == ["congruent", "neutral", "incongruent"]
    model_means = table["model_rt_ms"]
    r = np.corrcoef(table["human_rt_ms"], model_means)[0, 1]
    rmse = np.sqrt(np.mean((table["human_rt_ms"] - model_means) ** 2))
    row = result.fit_table.iloc[0]
    assert row["r"] == pytest.approx(r) and row["rmse_ms"] == pytest.approx(rmse)
    assert row["n_items_matched"] == 12 and np.isfinite(row["item_r"])
    assert np.isfinite(row["prediction_slope"])
    # the RT model: maximal on mixedlm, chosen, the incongruent effect near the simulated 90 ms
    rt_fits = result.fits[(result.fits["analysis"] == "RT") & result.fits["chosen"]]
    assert len(rt_fits) == 1
    fixed = result.fixed_effects
    effect = fixed[(fixed["analysis"] == "RT") & fixed["chosen"] & (fixed["term"] == "condition[incongruent]")]
    assert abs(float(effect["estimate"].iloc[0]) - 90) < 40
    assert (result.fits["analysis"] == "accuracy").any()
    assert result.participants == PARTICIPANTS
    assert len(result.sessions) == len(PARTICIPANTS)
    assert result.sessions["stimulus_set_hash"].iloc[0] == "abc123" * 6
    assert list(result.model_runs["model"]) == ["toy"]


def test_newest_fitted_run_of_each_model_is_used(stroop_store):
    fitted = fx.add_model_stroop(stroop_store, "toy", MODEL_MEANS, fit={"r": 0.9})
    fx.add_model_stroop(stroop_store, "toy", {k: v + 300 for k, v in MODEL_MEANS.items()}, fit=None)
    result = compare(stroop_store, "stroop", engine="mixedlm", fit_accuracy=False)
    assert result.models == {"toy": fitted}
    assert result.fit_table["model_run_id"].iloc[0] == fitted
    assert any("2 runs" in m for m in result.messages)


def test_statsmodels_engine_end_to_end_labels_zero_correlation(stroop_store, tmp_path):
    fx.add_model_stroop(stroop_store, "toy", MODEL_MEANS)
    result = compare(stroop_store, "stroop", engine="statsmodels")
    rt = result.fits[result.fits["analysis"] == "RT"]
    assert rt["structure"].iloc[0] == "zero_correlation"
    assert "zero-correlation (||)" in rt["structure_label"].iloc[0]
    assert rt["chosen"].any()
    accuracy = result.fits[result.fits["analysis"] == "accuracy"]
    assert "posterior SD" in accuracy["se_definition"].iloc[0]
    html = write_report(result, tmp_path / "r.html").read_text()
    assert "posterior SDs are smaller than glmer" in html


def test_cli_writes_report_and_tables(stroop_store, sqlite_url, tmp_path, capsys):
    fx.add_model_stroop(stroop_store, "toy", MODEL_MEANS)
    report, tables = tmp_path / "out" / "report.html", tmp_path / "tables"
    code = main(["compare", "--task", "stroop", "--db", sqlite_url, "--engine", "mixedlm",
                 "--report", str(report), "--tables", str(tables)])
    assert code == 0
    assert report.is_file() and '<div class="plot"' in report.read_text()   # an embedded figure
    fit_table = pd.read_csv(tables / "stroop_fit_table.csv")
    assert fit_table["model"].tolist() == ["toy"]
    assert (tables / "stroop_cleaning.csv").is_file() and (tables / "stroop_fixed_effects.csv").is_file()
    assert f"report: {report}" in capsys.readouterr().out


def test_cli_empty_database_is_one_line(sqlite_url, capsys):
    code = main(["compare", "--db", sqlite_url, "--task", "stroop"])
    err = capsys.readouterr().err
    assert code == 2
    assert "no stroop trials" in err and err.count("\n") == 1 and "Traceback" not in err


def test_cli_unknown_model_is_one_line_naming_the_models_there(stroop_store, sqlite_url, capsys):
    fx.add_model_stroop(stroop_store, "toy", MODEL_MEANS)
    code = main(["compare", "--db", sqlite_url, "--task", "stroop", "--models", "nope"])
    err = capsys.readouterr().err
    assert code == 2
    assert "no nope trials" in err and "toy" in err and err.count("\n") == 1


def test_statsmodels_cannot_fit_maximal_and_says_which_engine_can(stroop_store, sqlite_url, capsys):
    code = main(["compare", "--db", sqlite_url, "--task", "stroop", "--structure", "maximal",
                 "--engine", "statsmodels"])
    err = capsys.readouterr().err
    assert code == 2 and "mixedlm" in err and err.count("\n") == 1


def test_no_model_trials_gives_people_only_report(stroop_store, tmp_path):
    result = compare(stroop_store, "stroop", engine="mixedlm")
    assert result.fit_table.empty
    assert any("no model trials for task stroop" in m for m in result.messages)
    html = write_report(result, tmp_path / "r.html").read_text()
    assert "no model trials for task stroop" in html and "No model trials to compare with" in html


def test_single_participant_gives_means_and_a_message(sqlite_url, tmp_path):
    store = Store(sqlite_url)
    fx.add_human_stroop(store, ["ONLY"])
    fx.add_model_stroop(store, "toy", MODEL_MEANS)
    result = compare(store, "stroop", engine="mixedlm")
    assert result.fits.empty
    assert any("only one participant (ONLY)" in m for m in result.messages)
    assert result.fit_table["n_cells"].iloc[0] == 3
    assert "only one participant" in write_report(result, tmp_path / "r.html").read_text()


def test_condition_missing_for_the_model_is_reported(stroop_store):
    fx.add_model_stroop(stroop_store, "toy", MODEL_MEANS, conditions=("congruent", "incongruent"))
    result = compare(stroop_store, "stroop", engine="mixedlm", fit_accuracy=False)
    assert result.fit_table["n_cells"].iloc[0] == 2
    assert np.isnan(result.fit_table["r"].iloc[0])  # r needs 3 cells; RMSE is still given
    assert np.isfinite(result.fit_table["rmse_ms"].iloc[0])
    assert any("model toy has no trials in 1 cell(s)" in m and "neutral" in m for m in result.messages)


def test_condition_missing_in_human_data_drops_the_level(sqlite_url):
    store = Store(sqlite_url)
    fx.add_human_stroop(store, PARTICIPANTS, conditions=("congruent", "incongruent"))
    fx.add_model_stroop(store, "toy", MODEL_MEANS)
    result = compare(store, "stroop", engine="mixedlm", fit_accuracy=False)
    terms = set(result.fixed_effects["term"])
    assert "condition[incongruent]" in terms and "condition[neutral]" not in terms
    assert any("the human data has no trials" in m for m in result.messages)


def test_unknown_task_and_engine_are_user_errors(stroop_store):
    with pytest.raises(AnalysisInputError, match="unknown task"):
        compare(stroop_store, "flanker")
    with pytest.raises(AnalysisInputError, match="unknown engine"):
        compare(stroop_store, "stroop", engine="lme4")


def test_compare_with_a_real_model_run(stroop_store):
    """cohen1990 simulated on the bundled English Stroop set through the normal pipeline."""
    from mirrorlab.pipeline import human_trials_for, run_model

    run = run_model(stroop_store, "cohen1990", "stroop-en", n=2, seed=3,
                    human_trials=human_trials_for(stroop_store, "stroop"))
    result = compare(stroop_store, "stroop", engine="mixedlm", fit_accuracy=False)
    assert result.models == {"cohen1990": run.run_id}
    row = result.fit_table[result.fit_table["subset"] == "colour_naming"].iloc[0]
    assert row["n_cells"] == 3 and row["r"] > 0.8   # the model orders the three conditions as people do


@pytest.mark.postgres
def test_compare_reads_a_postgresql_store(pg_url):
    store = Store(pg_url)
    fx.add_human_stroop(store, PARTICIPANTS[:4])
    fx.add_model_stroop(store, "toy", MODEL_MEANS)
    result = compare(pg_url, "stroop", engine="mixedlm", fit_accuracy=False)
    assert result.fit_table["n_cells"].iloc[0] == 3
    assert result.participants == PARTICIPANTS[:4]


def test_imported_pratte_data_through_the_store_reproduce_lme4(sqlite_url, bundled_data_dir):
    """Real human data imported with db.importer, cleaned with the defaults, fitted by the
    pipeline: the chosen RT model equals lme4's maximal fit on the same 18,000 trials."""
    import json

    from db.importer import import_dataset

    store = Store(sqlite_url)
    import_dataset(store, "pratte2010", data_dir=bundled_data_dir)
    fx.add_model_stroop(store, "toy", MODEL_MEANS)
    result = compare(store, "stroop", engine="mixedlm", fit_accuracy=False)
    human = result.cleaning.set_index("source").loc["human"]
    assert human["rt_trials_kept"] == 18000
    reference = json.loads((Path(__file__).resolve().parent / "reference" / "lme4_reference.json")
                           .read_text())["datasets"]["pratte2010"]["maximal"]
    fits = result.fits[(result.fits["analysis"] == "RT") & result.fits["chosen"]]
    assert fits["structure"].tolist() == ["maximal"]
    assert fits["log_likelihood"].iloc[0] == pytest.approx(reference["logLik"], abs=1e-3)
    fixed = result.fixed_effects
    chosen = fixed[(fixed["analysis"] == "RT") & fixed["chosen"]].set_index("term")
    assert chosen.loc["condition[incongruent]", "estimate"] == pytest.approx(
        reference["fixef"]["conditionincongruent"], rel=1e-5)
    assert len(result.participants) == 38
