"""`mirrorlab demo` end to end on a fresh SQLite file: real people (Pratte 2010 for Stroop,
the Stark 2024 controls for continuous naming), published aggregates for picture–word, a plain
statement for the association task, every model, simulated pilots in PsychoPy kept in their
own labelled section, one report."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from db.store import Store


def _sections(html: str) -> dict[str, str]:
    return {task: body for task, body in re.findall(r'<section class="task" id="task-([^"]+)">(.*?)</section>',
                                                    html, re.S)}


def _participants(section: str) -> tuple[int, list[str]]:
    """The participant list of a task section (folded into <details> when long)."""
    count = int(re.search(r"<summary>Participants \((\d+)\)</summary>", section).group(1))
    codes = re.findall(r"<li><bdi>([^<]*)</bdi></li>", section.split('class="participants"', 1)[1]
                       .split("</ul>", 1)[0])
    return count, codes


@pytest.mark.slow
@pytest.mark.gui
def test_demo_runs_the_whole_pipeline(tmp_path, xvfb_display):
    db = tmp_path / "demo.db"
    report = tmp_path / "report.html"
    command = [sys.executable, "-m", "mirrorlab", "demo", "--quick", "--participants", "2",
               "--db", str(db), "--report", str(report), "--tables", str(tmp_path / "tables")]
    result = subprocess.run(command, capture_output=True, text=True, timeout=1500, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().splitlines()[-1] == f"report: {report}"
    assert "failed" not in result.stderr, result.stderr[-3000:]
    for step in ("import people", "models", "simulated pilots in PsychoPy",
                 "which model explains these people (held-out likelihood)", "report"):
        assert f"[demo] {step}" in result.stderr and re.search(
            rf"\[demo\] {re.escape(step)}[^\n]*: done in [\d.]+ s", result.stderr), step

    store = Store(f"sqlite:///{db}")
    sessions = store.sessions_frame()
    pilots = sessions[sessions["study"] == "demo"]
    assert set(pilots["task"]) == {"stroop", "picture-word", "association", "continuous-naming"}
    assert set(pilots["status"]) == {"completed"} and (pilots["n_trials"] > 0).all()
    assert pilots["simulated"].all() and not sessions.loc[sessions["study"] != "demo", "simulated"].any()
    assert set(store.trials_frame(source="simulated")["agent"]) == {"SIM01", "SIM02"}
    assert (sessions["study"] == "pratte2010").sum() == 38
    assert (sessions["study"] == "stark2024").sum() == 120
    runs = store.model_runs_frame()
    assert {"cohen1990", "cohen-huston1994", "weaver", "weaver-cumulative", "howard2006",
            "dark-side", "embedding"} <= set(runs["model"])
    assert set(runs["status"]) == {"completed"}
    fitted = runs[runs["task"].isin(["stroop", "continuous-naming"])]
    assert fitted["fit"].map(bool).all()             # fitted to people
    unfitted = runs[runs["task"].isin(["picture-word", "association"])]
    assert not unfitted["fit"].map(bool).any()       # no people to fit to: published defaults
    replay = runs[runs["model"] == "howard2006"].iloc[-1]
    assert replay["stimulus_set"] == "import:stark2024" and "in-sample" in replay["fit"]["fitted_to"]

    html = report.read_text(encoding="utf-8")
    sections = _sections(html)
    assert set(sections) == {"stroop", "stroop-model-selection", "picture-word", "association",
                             "continuous-naming", "simulated-pilots"}
    # the core question on people: process model vs the dummy predictor, by held-out likelihood
    assert "By held-out log-likelihood" in result.stderr and "dummy-conditions" in result.stderr
    heldout = runs[runs["fit"].map(lambda f: isinstance(f, dict) and f.get("kind") == "heldout_fit")]
    assert len(heldout) == 2 * 2 * (2 + 1)           # models × people × (folds + full-data fit)
    assert {f["participant"] for f in heldout["fit"]} == {"01", "02"}      # Pratte people
    assert "protected_exceedance_probability" in sections["stroop-model-selection"]
    n_stroop, stroop_codes = _participants(sections["stroop"])
    assert n_stroop == 38 and len(stroop_codes) == 38 and not any("SIM" in c for c in stroop_codes)
    assert "2 simulated participant(s) (SIM01, SIM02" in sections["stroop"]    # said, left out
    assert _participants(sections["continuous-naming"]) == (4, ["201", "202", "203", "204"])
    assert "published aggregates" in sections["picture-word"]
    assert "people" not in sections["picture-word"].replace("not people", "")
    assert "No human data for the association task is bundled" in sections["association"]
    assert "Simulated pilots (not people)" in sections["simulated-pilots"]
    assert "SIM01" in sections["simulated-pilots"]
    assert len(re.findall(r'<div class="plot" id="figure-\d+"', html)) >= 6   # interactive figures
    for model in ("cohen1990", "weaver", "howard2006"):
        assert model in html
    # the three cumulative-interference accounts side by side, on the same controls
    for model in ("weaver-cumulative", "howard2006", "dark-side"):
        assert model in sections["continuous-naming"], model

    # a second run reuses the stored data and sessions and adds new model runs
    again = subprocess.run(command, capture_output=True, text=True, timeout=1500, cwd=tmp_path)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "all simulated sessions already in the database" in again.stderr
    assert "pratte2010 (stroop) already imported" in again.stderr
    assert len(Store(f"sqlite:///{db}").sessions_frame()) == len(sessions)
    again_runs = Store(f"sqlite:///{db}").model_runs_frame()
    assert (again_runs["fit"].map(lambda f: isinstance(f, dict) and f.get("kind") == "heldout_fit")
            .sum() == len(heldout))                 # the stored fits were reused, none duplicated
