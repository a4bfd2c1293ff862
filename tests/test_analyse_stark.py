"""Stark et al. (2024) reproduced through the command line: their published lme4 model on their
bundled data, prepared as their 04_…Rmd does (analysis.preparations.stark2024_rt_trials — the
importer mapping for this dataset is another branch's; until it lands the test prepares the CSV
with that documented function), gives the numbers printed in their 04_analysis_output.txt."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from stimuli.published import published_table

#: The authors' printed output (db/datasets/stark2024_csi_aphasia/scripts/04_analysis_output.txt),
#: written down once in stimuli/published/stark2024.py.
TABLE = published_table("stark2024-lmer-fixed-effects")
PUBLISHED = {row["term"]: (row["estimate"], row["se"], row["df"]) for row in TABLE.rows}
FORMULA = ("lVOT ~ PosOr.cont*session*group + (PosOr.cont+session|subject) + "
           "(PosOr.cont+group|category)")


def four_digits(a: float, b: float) -> bool:
    return abs(a - b) <= 5e-4 * abs(b) or abs(a - b) < 5.1e-7


@pytest.fixture(scope="module")
def stark_run(tmp_path_factory):
    from analysis.preparations import stark2024_rt_trials

    folder = tmp_path_factory.mktemp("stark")
    trials = stark2024_rt_trials()
    csv = folder / "stark2024_rt.csv"
    trials.to_csv(csv, index=False)
    out = folder / "tables"
    result = subprocess.run(
        [sys.executable, "-m", "mirrorlab", "analyse", "--data", str(csv), "--formula", FORMULA,
         "--factor", "session", "--contrast", "session=simple", "--contrast", "group=sdif",
         "--levels", "group=control,PWA", "--out", str(out)],
        capture_output=True, text=True, timeout=600)
    return trials, result, out


def test_preparation_gives_their_rows(stark_run):
    trials, _, _ = stark_run
    assert len(trials) == 12455
    assert trials["subject"].nunique() == 40 and trials["category"].nunique() == 24
    assert (trials["VOT"] >= 200).all() and (trials["source"] == "human").all()


def test_published_fixed_effects_to_four_digits(stark_run):
    _, result, out = stark_run
    assert result.returncode == 0, result.stderr
    fixed = pd.read_csv(out / "fixed_effects.csv").set_index("term")
    for term, (estimate, se, df) in PUBLISHED.items():
        assert four_digits(fixed.loc[term, "estimate"], estimate), (term, fixed.loc[term, "estimate"])
        assert four_digits(fixed.loc[term, "se"], se), (term, fixed.loc[term, "se"])
        assert abs(fixed.loc[term, "df"] - df) <= 1e-3 * df, (term, fixed.loc[term, "df"])
    extras = TABLE.extras
    assert f"REML criterion: {extras['reml_criterion']}" in result.stdout
    assert (f"observations: {extras['n_observations']}; groups: subject {TABLE.n_participants}, "
            f"category {extras['n_categories']}") in result.stdout


def test_residual_sd_and_provenance(stark_run):
    _, _, out = stark_run
    random = pd.read_csv(out / "random_effects.csv")
    residual = random.loc[random["group"] == "Residual", "sd"].iloc[0]
    assert four_digits(residual, TABLE.extras["residual_sd"])
    provenance = json.loads((out / "provenance.json").read_text())
    assert provenance["factors"]["group"] == {"levels": ["control", "PWA"], "contrast": "sdif"}
    assert provenance["n_rows_used"] == 12455 and len(provenance["data_hash"]) == 16
    assert "mixedlm" in provenance["software_versions"]
    attempts = pd.read_csv(out / "attempts.csv")
    assert len(attempts) == 1 and not attempts["singular"].iloc[0]   # their model is not singular
