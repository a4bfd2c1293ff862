"""A dataset with no item column and two crossed factors: imported with the factors kept as
named columns (``factor:NAME``), analysed with a participant-only model through
``mirrorlab analyse``, matching lme4 numbers committed in tests/reference/analyse (made by
lme4_analyse_reference.R on the same file). Williams et al.'s Dutch bilinguals: colour naming
with congruency (Neutral/Incongruent) × response language (Dutch/English)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

REFERENCE = json.loads((Path(__file__).parent / "reference" / "analyse" /
                        "lme4_analyse_reference.json").read_text())
sys.path.insert(0, str(Path(__file__).resolve().parent / "reference" / "analyse"))
from williams_dutch import FORMULA, MAPPING, TERMS, WHERE  # noqa: E402


def mirrorlab(*args, timeout=600):
    return subprocess.run([sys.executable, "-m", "mirrorlab", *args], capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="module")
def imported(tmp_path_factory, bundled_data_dir):
    folder = tmp_path_factory.mktemp("williams")
    url = f"sqlite:///{folder / 'lab.db'}"
    mapping = folder / "williams_dutch.toml"
    mapping.write_text(MAPPING)
    source = bundled_data_dir / "williams_stroop_language" / "dutch_stroop.csv.gz"
    raw = folder / "dutch_stroop.csv"
    raw.write_bytes(__import__("gzip").decompress(source.read_bytes()))
    result = mirrorlab("import", str(raw), "--mapping", str(mapping), "--db", url)
    assert result.returncode == 0, result.stderr
    return url, folder


@pytest.mark.parametrize("method,reference", [("--reml", "williams_dutch_no_items"),
                                              ("--ml", "williams_dutch_no_items_ML")])
def test_participant_only_two_factor_model_matches_lme4(imported, method, reference):
    url, folder = imported
    out = folder / f"tables{method}"
    result = mirrorlab("analyse", "--db", url, "--formula", FORMULA, "--where", WHERE, method,
                       "--out", str(out))
    assert result.returncode == 0, result.stderr
    lme4 = REFERENCE[reference]
    fixed = pd.read_csv(out / "fixed_effects.csv").set_index("term")
    for ours, theirs in TERMS.items():
        assert fixed.loc[ours, "estimate"] == pytest.approx(lme4["fixef"][theirs], rel=1e-5, abs=1e-4)
        assert fixed.loc[ours, "se"] == pytest.approx(lme4["se"][theirs], rel=1e-4)
    assert f"observations: {lme4['nobs']}" in result.stdout
    criterion = float(result.stdout.split("REML criterion: " if method == "--reml" else "deviance: ")[1].split(";")[0])
    assert criterion == pytest.approx(lme4["criterion"], abs=2e-3)
    assert len(pd.read_csv(out / "attempts.csv")) == 1


def test_an_item_term_on_data_without_items_is_one_clear_error(imported):
    url, _ = imported
    result = mirrorlab("analyse", "--db", url, "--formula",
                       "rt_ms ~ congruency + (1 + congruency | participant) + (1 | item)", "--where", WHERE)
    assert result.returncode == 2
    assert result.stderr.startswith("mirrorlab: error: ") and "Traceback" not in result.stderr
    assert "item" in result.stderr and "without an item term" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("args,words", [
    (["--formula", "rt_ms ~ dose + (1 | participant)"], "dose"),
    (["--formula", "rt_ms ~ congruency + (1 | participant)", "--where", "study =="], "--where"),
    (["--formula", "rt_ms ~ congruency + (1 | participant)", "--where", "study == 'nope'"], "keeps no rows"),
    (["--formula", "rt_ms ~ congruency"], "no random effects"),
    (["--formula", "rt_ms ~ congruency + (1 | participant)", "--contrast", "congruency=weird"], "weird"),
    (["--formula", "rt_ms ~ congruency + (1 | participant)", "--levels", "congruency=Neutral"], "Incongruent"),
])
def test_bad_input_is_one_line(imported, args, words):
    url, _ = imported
    result = mirrorlab("analyse", "--db", url, *args)
    assert result.returncode == 2, result.stdout
    assert result.stderr.startswith("mirrorlab: error: ") and words in result.stderr
    assert "Traceback" not in result.stderr


def test_where_filters_by_study(imported):
    url, folder = imported
    out = folder / "study"
    result = mirrorlab("analyse", "--db", url, "--formula", "rt_ms ~ congruency + (1 | participant)",
                       "--where", "study == 'williams_dutch' and " + WHERE, "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert f"observations: {REFERENCE['williams_dutch_no_items']['nobs']}" in result.stdout


def test_log_transform_is_the_log_of_the_response(imported):
    from analysis import fit

    url, _ = imported
    formula = "rt_ms ~ congruency + (1 | participant)"
    logged = fit(url, formula, where=WHERE, transform="log")
    assert logged.final.formula.startswith("log_rt_ms ~")
    from analysis.formula_fit import load_data

    data, _ = load_data(url)
    data = data.query(WHERE, engine="python").assign(log_rt=lambda d: __import__("numpy").log(d["rt_ms"]))
    direct = fit(data, "log_rt ~ congruency + (1 | participant)")
    assert logged.final.fixed("congruencyNeutral") == pytest.approx(direct.final.fixed("congruencyNeutral"), rel=1e-9)


def test_factor_mapping_cannot_shadow_a_shared_field(tmp_path, bundled_data_dir):
    mapping = tmp_path / "bad.toml"
    mapping.write_text(MAPPING.replace('"factor:response_language"', '"factor:condition"'))
    raw = tmp_path / "dutch.csv"
    raw.write_bytes(__import__("gzip").decompress(
        (bundled_data_dir / "williams_stroop_language" / "dutch_stroop.csv.gz").read_bytes()))
    result = mirrorlab("import", str(raw), "--mapping", str(mapping), "--db", f"sqlite:///{tmp_path / 'x.db'}")
    assert result.returncode == 2
    assert result.stderr.startswith("mirrorlab: error: ") and "'condition'" in result.stderr
    assert "Traceback" not in result.stderr


def test_compare_fits_the_participant_only_model_when_the_data_have_no_items(sqlite_url, tmp_path):
    """`compare` used to add (1 | item) always and, on data without items, exit 0 having fitted
    nothing; now it fits the participant-only model and says so in its model table."""
    import numpy as np

    sys.path.insert(0, str(Path(__file__).resolve().parent / "reference"))
    from analysis_fixtures import human_stroop_rows

    from db.store import Store

    store = Store(sqlite_url)
    rng = np.random.default_rng(4)
    for code in ("P1", "P2", "P3", "P4", "P5", "P6"):
        rows = [{**row, "item_id": None} for row in human_stroop_rows(code, rng)]
        session = store.start_session(participant_code=code, task="stroop")
        store.add_trials(rows, session_id=session)
        store.finish_session(session)
    report = tmp_path / "r.html"
    result = mirrorlab("compare", "--task", "stroop", "--db", sqlite_url, "--report", str(report),
                       "--tables", str(tmp_path / "tables"), "--no-accuracy")
    assert result.returncode == 0, result.stderr
    fits = pd.read_csv(tmp_path / "tables" / "stroop_fits.csv")
    chosen = fits[fits["chosen"]]
    assert len(chosen) == 1 and "item" not in chosen["formula"].iloc[0]
    assert chosen["formula"].iloc[0].endswith("| participant)")
    assert int(chosen["n_items"].iloc[0]) == 0
    fixed = pd.read_csv(tmp_path / "tables" / "stroop_fixed_effects.csv")
    incongruent = fixed[fixed["chosen"] & (fixed["term"] == "condition[incongruent]")]
    assert incongruent["estimate"].iloc[0] == pytest.approx(90.0, abs=25.0)  # the effect put in
