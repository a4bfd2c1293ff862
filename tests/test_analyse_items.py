"""Crossed participants and items, against lme4 numbers committed in tests/reference/analyse
(lme4_analyse_reference.R, the same bundled file): Williams et al.'s Dutch colour naming with
word–colour items. Also the binomial case of issue 15: the reported logLik of the crossed GLMM
is never below the participant-only model's. And the same analysis on a real PostgreSQL store."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis import fit

REFERENCE = json.loads((Path(__file__).parent / "reference" / "analyse" /
                        "lme4_analyse_reference.json").read_text())


@pytest.fixture(scope="module")
def williams(bundled_data_dir):
    data = pd.read_csv(bundled_data_dir / "williams_stroop_language" / "dutch_stroop.csv.gz")
    return pd.DataFrame({"participant": data["SubjectID"].astype(str), "item": data["WordColour"],
                         "congruency": data["Stroop"], "rt_ms": data["RT"],
                         "correct": (data["Accuracy"] == "Correct").astype(int), "source": "human"})


def test_gaussian_with_items_matches_lme4(williams):
    lme4 = REFERENCE["williams_dutch_items"]
    result = fit(williams, "rt_ms ~ congruency + (1 + congruency | participant) + (1 | item)",
                 where="correct == 1 and rt_ms >= 200 and rt_ms <= 3000")
    assert result.final.n_obs == lme4["nobs"]
    assert result.final.criterion == pytest.approx(lme4["criterion"], abs=2e-3)
    for term, estimate in lme4["fixef"].items():
        assert result.final.fixed(term) == pytest.approx(estimate, rel=1e-5)
        assert result.final.fixed(term, "se") == pytest.approx(lme4["se"][term], rel=1e-4)


def test_binomial_with_items_at_glmers_optimum_and_above_the_nested_model(williams):
    lme4 = REFERENCE["williams_dutch_items_binomial"]
    result = fit(williams, "correct ~ congruency + (1 | participant) + (1 | item)", family="binomial")
    assert result.final.log_likelihood >= lme4["logLik"] - 1e-3
    for term, estimate in lme4["fixef"].items():
        assert result.final.fixed(term) == pytest.approx(estimate, rel=2e-3, abs=1e-3)
        assert result.final.fixed(term, "se") == pytest.approx(lme4["se"][term], rel=1e-2)
    check = result.nested.iloc[0]
    assert check["nested_model"] == "correct ~ congruency + (1 | participant)"
    assert check["log_likelihood"] >= check["nested_log_likelihood"] and not check["below_nested"]


@pytest.mark.postgres
def test_analyse_on_postgresql(pg_url, tmp_path, bundled_data_dir):
    sys.path.insert(0, str(Path(__file__).resolve().parent / "reference" / "analyse"))
    from williams_dutch import FORMULA, MAPPING, WHERE

    mapping = tmp_path / "williams_dutch.toml"
    mapping.write_text(MAPPING)
    raw = tmp_path / "dutch.csv"
    raw.write_bytes(gzip.decompress((bundled_data_dir / "williams_stroop_language" / "dutch_stroop.csv.gz").read_bytes()))
    run = [sys.executable, "-m", "mirrorlab"]
    imported = subprocess.run([*run, "import", str(raw), "--mapping", str(mapping), "--db", pg_url],
                              capture_output=True, text=True, timeout=600)
    assert imported.returncode == 0, imported.stderr
    out = tmp_path / "tables"
    result = subprocess.run([*run, "analyse", "--db", pg_url, "--formula", FORMULA, "--where", WHERE,
                             "--out", str(out)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    lme4 = REFERENCE["williams_dutch_no_items"]
    fixed = pd.read_csv(out / "fixed_effects.csv").set_index("term")
    for term, estimate in lme4["fixef"].items():
        assert fixed.loc[term, "estimate"] == pytest.approx(estimate, rel=1e-5)
