"""Power of the preregistered model: Pratte 2010 interference at the original n, recovery of
the effect the simulation was given, the shortcut estimate equal to a real MixedLM fit, and
the same seed giving the same table on Dask with any number of workers."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analysis.project.power import estimate_and_test, power_grid, simulate_trials
from analysis.project.variance import VarianceComponents
from mirrorlab.cli import main
from mirrorlab.distributed import DistributedError, map_calls, spawn_seeds
from mirrorlab.project.planning import run_power


def test_pratte_power_at_the_original_sample_size_recovers_the_effect(tmp_path):
    folder = tmp_path / "stroop-class"
    assert main(["project", "new", str(folder), "--replicate", "pratte2010-stroop"]) == 0
    table, record = run_power(folder, n_simulations=300, participants=[10, 38], trials_per_level=[20],
                              workers=2, processes=False)
    n_original = record["n_original"]
    assert n_original == 38
    effect = record["variance_components"]["effect_ms"]
    at_original = table[table["n_participants"] == n_original].iloc[0]
    assert 0.0 <= at_original["power"] <= 1.0
    assert abs(at_original["mean_estimate_ms"] - effect) / effect < 0.02
    assert table.set_index("n_participants").loc[10, "power"] < at_original["power"]
    assert (folder / "power" / "power.png").stat().st_size > 1000
    saved = pd.read_csv(folder / "power" / "power.csv")
    assert list(saved["n_participants"]) == [10, 38]
    recorded = json.loads((folder / "power" / "power.json").read_text())
    assert recorded["seed"] == 18 and recorded["variance_components"]["source"].startswith("human")
    assert "dask" in recorded["software_versions"]


COMPONENTS = VarianceComponents(effect_ms=60.0, effect_sd_ms=25.0, intercept_ms=700.0,
                                intercept_sd_ms=120.0, residual_sd_ms=150.0, dz=np.nan,
                                n_participants=20, trials_per_level=30, source="test")


def test_the_shortcut_estimate_is_the_mixed_model_fixed_effect():
    """For balanced data the mean of participants' effects equals MixedLM's fixed effect."""
    import statsmodels.formula.api as smf

    rng = np.random.default_rng(3)
    rts = simulate_trials(COMPONENTS, np.array([0.0, 1.0]), 12, 30, rng)[0]
    estimate, _ = estimate_and_test(rts[None], np.array([0.0, 1.0]), 0.05)
    participant, level, _ = np.indices(rts.shape)
    frame = pd.DataFrame({"rt_ms": rts.ravel(), "x": level.ravel().astype(float),
                          "participant": participant.ravel()})
    fit = smf.mixedlm("rt_ms ~ x", frame, groups=frame["participant"], re_formula="~x").fit(reml=True)
    assert fit.params["x"] == pytest.approx(float(estimate[0]), abs=0.5)


def test_same_seed_same_table_whatever_the_worker_count():
    here = power_grid(COMPONENTS, [0.0, 1.0], [8, 16], [10], n_simulations=50, seed=5)
    on_dask = power_grid(COMPONENTS, [0.0, 1.0], [8, 16], [10], n_simulations=50, seed=5,
                         map_calls=lambda f, calls: map_calls(f, calls, workers=2, processes=False))
    pd.testing.assert_frame_equal(here, on_dask)
    other_seed = power_grid(COMPONENTS, [0.0, 1.0], [8, 16], [10], n_simulations=50, seed=6)
    assert not np.allclose(here["mean_estimate_ms"], other_seed["mean_estimate_ms"])


def test_distributed_helper_keeps_order_and_checks_the_scheduler_address():
    assert map_calls(pow, [(2, k) for k in range(6)], workers=2, processes=False) == [2 ** k for k in range(6)]
    assert spawn_seeds(1, 3) == spawn_seeds(1, 3) and len(set(spawn_seeds(1, 3))) == 3
    with pytest.raises(DistributedError, match="expected tcp://HOST:PORT"):
        map_calls(pow, [(2, 1)], scheduler="localhost")


@pytest.mark.parametrize("name", ["stark2024-csi", "glaser1984-pwi", "howard2006-csi"])
def test_power_of_every_other_target_says_where_its_components_come_from(tmp_path, name):
    folder = tmp_path / name
    assert main(["project", "new", str(folder), "--replicate", name]) == 0
    table, record = run_power(folder, n_simulations=60, participants=[20], trials_per_level=[10], workers=0)
    source = record["variance_components"]["source"]
    assert source.startswith("human: db/datasets/stark2024") or source.startswith("borrowed from human")
    assert 0.0 <= table.iloc[0]["power"] <= 1.0


def test_power_without_a_project_is_one_line(tmp_path, capsys):
    assert main(["project", "power", str(tmp_path / "nowhere")]) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("mirrorlab: error:") and "project.toml" in error and "\n" not in error


def test_an_existing_scheduler_is_used_by_address_and_from_the_environment(monkeypatch):
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp",
                      dashboard_address=None) as cluster:
        by_argument = map_calls(pow, [(3, k) for k in range(4)], scheduler=cluster.scheduler_address)
        monkeypatch.setenv("MIRRORLAB_DASK_SCHEDULER", cluster.scheduler_address)
        from_environment = power_grid(COMPONENTS, [0.0, 1.0], [8], [10], n_simulations=40, seed=2,
                                      map_calls=map_calls)
    assert by_argument == [1, 3, 9, 27]
    here = power_grid(COMPONENTS, [0.0, 1.0], [8], [10], n_simulations=40, seed=2)
    pd.testing.assert_frame_equal(from_environment, here)
