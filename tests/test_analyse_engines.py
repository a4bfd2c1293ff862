"""Engines, honestly: mixedlm is the default; statsmodels is available where it is right, says
before fitting (one line) when a model or the data size is beyond it, and its variational-Bayes
posterior SDs are reported as such, never as standard errors."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from analysis import fit
from analysis.errors import EngineCapabilityError
from analysis.formula_fit import engine_precheck
from analysis.mixed.engine_cost import statsmodels_cost_note
from analysis.mixed.formula import parse_formula


@pytest.fixture(scope="module")
def vonbastian_csv(bundled_data_dir, tmp_path_factory):
    data = pd.read_csv(bundled_data_dir / "vonbastian_stroop" / "LEF_stroop.csv", sep=";")
    data = data.rename(columns={"ID": "participant", "RT": "rt_ms"})
    path = tmp_path_factory.mktemp("vb") / "vonbastian.csv"
    data.to_csv(path, index=False)
    return path


def analyse(*args):
    return subprocess.run([sys.executable, "-m", "mirrorlab", "analyse", *args], capture_output=True,
                          text=True, timeout=600)


def test_statsmodels_refuses_correlated_slopes_before_fitting(vonbastian_csv):
    result = analyse("--data", str(vonbastian_csv), "--engine", "statsmodels", "--formula",
                     "rt_ms ~ congruency + (1 + congruency | participant)")
    assert result.returncode == 2
    assert result.stderr.startswith("mirrorlab: error: engine statsmodels cannot fit")
    assert "--engine mixedlm" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_mixedlm_is_the_default_engine(vonbastian_csv):
    result = analyse("--data", str(vonbastian_csv), "--formula", "rt_ms ~ congruency + (1 | participant)")
    assert result.returncode == 0, result.stderr
    assert "engine: mixedlm" in result.stdout


def test_statsmodels_intercept_model_agrees_with_mixedlm(vonbastian_csv):
    data = pd.read_csv(vonbastian_csv)
    formula = "rt_ms ~ congruency + (1 | participant)"
    ours = fit(data, formula, engine="statsmodels").fixed_effects.set_index("term")
    reference = fit(data, formula).fixed_effects.set_index("term")
    # statsmodels names treatment contrasts congruency[incongruent], lme4 congruencyincongruent
    ours.index = [name.replace("[", "").replace("]", "") for name in ours.index]
    for term in reference.index:
        assert ours.loc[term, "estimate"] == pytest.approx(reference.loc[term, "estimate"], rel=1e-4)
        assert ours.loc[term, "se"] == pytest.approx(reference.loc[term, "se"], rel=1e-3)


def test_variational_bayes_reports_posterior_sds_not_ses(vonbastian_csv):
    data = pd.read_csv(vonbastian_csv)
    result = fit(data, "accuracy ~ congruency + (1 | participant)", family="binomial",
                 engine="statsmodels", check_nested=False)
    fixed = result.fixed_effects
    assert "posterior_sd" in fixed.columns and "se" not in fixed.columns
    assert fixed["posterior_sd"].gt(0).all() and fixed["p"].isna().all()
    assert "NOT a standard error" in result.final.se_definition
    assert result.final.log_likelihood is None


def test_statsmodels_refuses_binomial_slopes_and_other_families():
    frame = pd.DataFrame({"y": [0, 1] * 10, "x": np.arange(20.0), "participant": list("ab") * 10})
    with pytest.raises(EngineCapabilityError, match="intercepts only"):
        engine_precheck(parse_formula("y ~ x + (1 + x || participant)"), frame, "binomial", "statsmodels", {})
    with pytest.raises(EngineCapabilityError, match="gamma-identity"):
        engine_precheck(parse_formula("y ~ x + (1 | participant)"), frame, "gamma-identity", "statsmodels", {})


def test_size_note_is_one_line_before_fitting():
    rows = 100_000
    frame = pd.DataFrame({"rt_ms": np.zeros(rows), "x": np.zeros(rows),
                          "participant": np.arange(rows) % 700, "item": np.arange(rows) % 400})
    note = engine_precheck(parse_formula("rt_ms ~ x + (1 | participant) + (1 | item)"), frame,
                           "gaussian", "statsmodels", {})
    assert note is not None and "\n" not in note
    assert "CPU-s" in note and "GB" in note and "mixedlm" in note
    assert statsmodels_cost_note(2_000, 40, 1) is None          # small designs: nothing to say
    assert engine_precheck(parse_formula("rt_ms ~ x + (1 | participant) + (1 | item)"), frame,
                           "gaussian", "mixedlm", {}) is None
