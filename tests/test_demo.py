"""`mirrorlab demo` end to end: real data, simulated participants in PsychoPy, every model,
the comparison and one report — on a fresh SQLite file."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from db.store import Store


@pytest.mark.slow
@pytest.mark.gui
def test_demo_runs_the_whole_pipeline(tmp_path, xvfb_display):
    db = tmp_path / "demo.db"
    report = tmp_path / "report.html"
    result = subprocess.run(
        [sys.executable, "-m", "mirrorlab", "demo", "--quick", "--participants", "2",
         "--db", str(db), "--report", str(report), "--tables", str(tmp_path / "tables")],
        capture_output=True, text=True, timeout=1500, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().splitlines()[-1] == f"report: {report}"
    assert "failed" not in result.stderr, result.stderr[-3000:]

    store = Store(f"sqlite:///{db}")
    sessions = store.sessions_frame()
    simulated = sessions[sessions["study"] == "demo"]
    assert set(simulated["task"]) == {"stroop", "picture-word", "association", "continuous-naming"}
    assert set(simulated["status"]) == {"completed"} and (simulated["n_trials"] > 0).all()
    assert (sessions["study"] == "pratte2010").sum() == 38
    runs = store.model_runs_frame()
    assert {"cohen1990", "cohen-huston1994", "weaver", "weaver-cumulative", "howard2006",
            "embedding"} <= set(runs["model"])
    assert runs["fit"].map(bool).all() and set(runs["status"]) == {"completed"}

    html = report.read_text(encoding="utf-8")
    for task in ("stroop", "picture-word", "association", "continuous-naming"):
        assert f'id="task-{task}"' in html
    assert len(re.findall(r'<div class="plot" id="figure-\d+"', html)) >= 6   # interactive figures
    for model in ("cohen1990", "weaver", "howard2006", "embedding"):
        assert model in html

    # a second run reuses the stored sessions and adds new model runs
    again = subprocess.run(
        [sys.executable, "-m", "mirrorlab", "demo", "--quick", "--participants", "2",
         "--db", str(db), "--report", str(report), "--tables", str(tmp_path / "tables")],
        capture_output=True, text=True, timeout=1500, cwd=tmp_path)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "all simulated sessions already in the database" in again.stderr
    assert len(Store(f"sqlite:///{db}").sessions_frame()) == len(sessions)
