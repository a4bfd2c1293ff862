"""Simulated participants are not people: `mirrorlab run --simulate` stores source
"simulated", their sessions are listed apart, analyses and model fits leave them out unless
asked (--include-simulated), and migration 0004 relabels the rows older versions stored as
"human"."""

from __future__ import annotations

import subprocess
import sys

import pytest
from alembic import command

from db.importer import import_dataset
from db.migrate import alembic_config, current_revision
from db.store import Store

MIRRORLAB = [sys.executable, "-m", "mirrorlab"]


def _simulated_session(url: str, code: str, tmp_path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*MIRRORLAB, "run", "stroop", "--participant", code, "--simulate", "--windowed",
         "--max-trials", "6", "--max-practice", "0", "--seed", "3", "--study", "demo",
         "--param", "iti_ms=100", "--param", "fixation_ms=100",
         "--csv-dir", str(tmp_path / "csv"), "--db", url],
        capture_output=True, text=True, timeout=600)


@pytest.mark.gui
@pytest.mark.slow
def test_the_stroop_demo_analysis_has_exactly_the_38_pratte_participants(xvfb_display, tmp_path,
                                                                          bundled_data_dir):
    from analysis import compare
    from mirrorlab.demo import DemoOptions

    url = f"sqlite:///{tmp_path / 'pilots.db'}"
    store = Store(url)
    import_dataset(store, "pratte2010", data_dir=bundled_data_dir)
    for code in ("SIM01", "SIM02"):
        result = _simulated_session(url, code, tmp_path)
        assert result.returncode == 0, result.stderr[-2000:]
    simulated = store.trials_frame(task="stroop", source="simulated")
    assert set(simulated["agent"]) == {"SIM01", "SIM02"} and len(simulated) == 12
    assert store.count_trials(task="stroop", source="human") == 19152
    sessions = store.sessions_frame()
    assert sorted(sessions.loc[sessions["simulated"], "participant"]) == ["SIM01", "SIM02"]
    assert not sessions.loc[sessions["study"] == "pratte2010", "simulated"].any()

    pratte = sorted(store.trials_frame(task="stroop", source="human")["agent"].unique())
    assert len(pratte) == 38
    options = DemoOptions()
    result = compare(store, "stroop", engine=options.engine, structure=options.structure,
                     fit_accuracy=False)
    assert result.participants == pratte
    assert "SIM01" not in set(result.sessions["participant"]) and len(result.sessions) == 38
    assert any("2 simulated participant(s) (SIM01, SIM02, 12 trials) left out" in m
               for m in result.messages)
    included = compare(store, "stroop", engine=options.engine, structure=options.structure,
                       fit_accuracy=False, include_simulated=True)
    assert included.participants == sorted(pratte + ["SIM01", "SIM02"])
    assert any("includes 2 simulated participant(s)" in m for m in included.messages)

    info = subprocess.run([*MIRRORLAB, "db", "info", "--db", url], capture_output=True, text=True,
                          timeout=120)
    people = info.stdout.split("people:\n", 1)[1]
    people, _, simulated_part = people.partition("simulated participants")
    assert "pratte2010 stroop" in people and "demo" not in people
    assert "demo stroop completed" in " ".join(simulated_part.split())


def test_models_are_fitted_to_people_only(tmp_path):
    url = f"sqlite:///{tmp_path / 'sim.db'}"
    store = Store(url)
    session_id = store.start_session(participant_code="SIM01", task="stroop",
                                     parameters={"simulated_participant": "SimulatedParticipant"})
    for k in range(4):
        store.add_trial({"task": "stroop", "condition": "neutral", "item_id": "red_XXX", "rt_ms": 600.0,
                         "correct": True, "source": "simulated", "agent": "SIM01"}, session_id=session_id)
    result = subprocess.run([*MIRRORLAB, "fit", "cohen1990", "--task", "stroop", "--db", url],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    line, = result.stderr.strip().splitlines()
    assert "no human stroop trials" in line and "4 trials of simulated participants are not people" in line
    compare = subprocess.run([*MIRRORLAB, "compare", "--task", "stroop", "--db", url,
                              "--report", str(tmp_path / "r.html")], capture_output=True, text=True,
                             timeout=300)
    assert compare.returncode == 2 and "simulated participant(s) (SIM01" in compare.stderr
    assert not (tmp_path / "r.html").exists()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_migration_0004_relabels_old_simulated_rows_and_nothing_else(backend, tmp_path, request):
    url = f"sqlite:///{tmp_path / 'old.db'}" if backend == "sqlite" else request.getfixturevalue("pg_url")
    store = Store(url)
    # a database of the version before simulated participants had their own source
    command.downgrade(alembic_config(store.engine), "0003_session_lease")
    assert current_revision(store.engine) == "0003_session_lease"
    old = Store(url, migrate=False)
    pilot = old.start_session(participant_code="SIM01", task="stroop",
                              parameters={"simulated_participant": "SimulatedParticipant(seed=1)"})
    person = old.start_session(participant_code="P01", task="stroop",
                               parameters={"simulated_participant": None})
    for session_id, code in ((pilot, "SIM01"), (person, "P01")):
        for k in range(3):   # as older versions stored them: every session's trials "human"
            old.add_trial({"task": "stroop", "source": "human", "agent": code, "rt_ms": 500.0 + k},
                          session_id=session_id)
    run_id = old.start_model_run(model="cohen1990", model_version="1", task="stroop", parameters={})
    old.add_trials([{"task": "stroop", "source": "model:cohen1990", "agent": "m/sim-001"}],
                   model_run_id=run_id)

    result = subprocess.run([*MIRRORLAB, "db", "upgrade", "--db", url], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    store = Store(url)
    trials = store.trials_frame()
    assert set(trials.loc[trials["agent"] == "SIM01", "source"]) == {"simulated"}
    assert set(trials.loc[trials["agent"] == "P01", "source"]) == {"human"}
    assert set(trials.loc[trials["model_run_id"].notna(), "source"]) == {"model:cohen1990"}
    assert trials.loc[trials["agent"] == "P01", "rt_ms"].tolist() == [500.0, 501.0, 502.0]
    command.downgrade(alembic_config(store.engine), "0003_session_lease")
    back = Store(url, migrate=False).trials_frame()
    assert set(back.loc[back["agent"] == "SIM01", "source"]) == {"human"}
