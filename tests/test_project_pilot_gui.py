"""A project's first pilot, exactly as its README says: `project new`, then the pilot command
from project.toml run as a real process in a real PsychoPy window under Xvfb with a simulated
participant, then `project merge` of the pilot database and a report that labels it simulated."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tomllib

import pytest

from db.store import Store
from mirrorlab.cli import main
from mirrorlab.project.merge import merge_files
from mirrorlab.project.report import build_report

pytestmark = pytest.mark.gui


def test_first_pilot_runs_unedited_and_merges_as_simulated(xvfb_display, tmp_path):
    folder = tmp_path / "stroop-class"
    assert main(["project", "new", str(folder), "--replicate", "pratte2010-stroop"]) == 0
    cfg = tomllib.loads((folder / "project.toml").read_text())
    command = shlex.split(cfg["pilot"]["command"])
    assert command[0] == "mirrorlab"
    result = subprocess.run([sys.executable, "-m", "mirrorlab", *command[1:]], cwd=folder,
                            capture_output=True, text=True, timeout=300,
                            env={**os.environ, "DISPLAY": os.environ.get("DISPLAY", "")})
    assert result.returncode == 0, result.stderr[-2000:]
    store = Store(f"sqlite:///{folder / 'pilot.db'}")
    sessions = store.sessions_frame()
    store.dispose()
    assert len(sessions) == 1 and sessions.iloc[0]["status"] == "completed"
    assert sessions.iloc[0]["stimulus_set_hash"] == cfg["task"]["stimulus_set_hash"]
    merged = merge_files(folder, [folder / "pilot.db"], ["pilot"])
    assert merged.merged_sessions == 1 and merged.merged_trials == sessions.iloc[0]["n_trials"]
    with pytest.raises(Exception, match="no human trials"):
        build_report(folder)
    path, summary = build_report(folder, include_simulated=True)
    assert summary["simulated_sessions"] == 1
    assert "SIMULATED participants" in path.read_text()
