"""The HTML report: self-contained, opens in headless Chromium, figures embedded, data escaped."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "reference"))
import analysis_fixtures as fx  # noqa: E402

from analysis import compare, write_report  # noqa: E402
from db.store import Store  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
EVIL = "<script>alert(1)</script>"
#: An embedded interactive figure: its plot element and its JSON specification beside it.
FIGURE = re.compile(r'<div class="plot" id="(figure-\d+)"[^>]*></div><script type="application/json" id="\1-data">\{')
SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.IGNORECASE)


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium not found: install Debian's chromium package (scripts/setup.sh does)")
    profile = tmp_path / "chromium-profile"
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", *args],
        capture_output=True, text=True, timeout=120)


@pytest.fixture()
def stroop_report(sqlite_url, tmp_path):
    store = Store(sqlite_url)
    fx.add_human_stroop(store, ["P01", "P02", EVIL, "P04", "P05"])
    fx.add_model_stroop(store, "toy", {"congruent": 640.0, "neutral": 660.0, "incongruent": 760.0})
    result = compare(store, "stroop", engine="mixedlm")
    return write_report(result, tmp_path / "report.html", tables_dir=tmp_path / "tables"), result


def test_report_is_self_contained_with_embedded_figures(stroop_report):
    path, result = stroop_report
    html = path.read_text(encoding="utf-8")
    assert len(FIGURE.findall(html)) >= 2   # condition means + item scatter
    markup = re.sub(r"<script>.*?</script>", "", html, flags=re.DOTALL)   # the report's own markup
    text = re.sub(r'<script type="application/json".*?</script>', "", markup, flags=re.DOTALL)
    assert "`" not in text, "raw reStructuredText/Markdown backticks reach the reader"
    assert not re.search(r'(src|href)="(https?:)?//', markup), "report must not fetch anything"
    # (that nothing is requested at run time either is checked in a browser: test_report_browser)
    # the only scripts are the report's own: inline plotly.js, its renderer, figure data (JSON)
    tags = SCRIPT_TAG.findall(html)
    assert tags and all(tag in ("<script>", '<script type="application/json" id="' + tag.split('id="')[-1])
                        for tag in tags), tags
    assert sum(tag == "<script>" for tag in tags) == 2
    assert EVIL not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    for heading in ("Design and data provenance", "Cleaning", "Mixed-effects models", "Fit table"):
        assert heading in html
    assert "abc123abc123" in html                       # stimulus-set hash (shortened)
    assert "Dunbar &amp; MacLeod" in html               # original study cited
    tables = sorted(p.name for p in (path.parent / "tables").iterdir())
    assert "stroop_fit_table.csv" in tables and "stroop_sessions.csv" in tables


def test_report_opens_in_headless_chromium_and_escapes_participant_codes(stroop_report, tmp_path):
    path, _ = stroop_report
    screenshot = tmp_path / "shot.png"
    shot = chromium(tmp_path, f"--screenshot={screenshot}", "--window-size=1200,1600", path.as_uri())
    assert screenshot.is_file(), shot.stderr[-2000:]
    import matplotlib.image

    pixels = matplotlib.image.imread(screenshot)[..., :3]
    assert pixels.std() > 0.05, "screenshot is blank"
    assert (pixels < 0.5).mean() > 0.005, "screenshot has (almost) no dark pixels: no text rendered"

    dom = chromium(tmp_path, "--dump-dom", path.as_uri()).stdout
    assert 'data-rendered="true"' in dom and 'class="main-svg"' in dom   # plotly drew the figures
    assert EVIL not in dom                                  # no live script element with that text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom   # shown as text instead
    assert not re.search(r"<script[^>]*>\s*alert\(1\)", dom)


def _trial_frame(task: str, rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    frame["task"] = task
    for column in ("instruction", "soa_ms", "ordinal_position", "lag", "response"):
        if column not in frame:
            frame[column] = None
    frame["model_run_id"] = frame["source"].map(lambda s: 1 if s.startswith("model:") else None)
    return frame


def picture_word_trials(seed: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    effect = {"related": 60, "unrelated": 30, "identical": -50, "nonword": 0}
    rows = []
    for source, agents in (("human", [f"P{i}" for i in range(6)]), ("model:weaver", ["weaver#1/sim-001"])):
        for agent in agents:
            for soa in (-100.0, 0.0, 100.0):
                for condition, shift in effect.items():
                    for item in range(4):
                        rt = 700 + shift * (1.4 if soa == 0 else 0.6) + rng.normal(0, 40 if source == "human" else 5)
                        rows.append({"instruction": "picture_naming", "item_id": f"pic{item}",
                                     "condition": condition, "soa_ms": soa, "rt_ms": rt, "correct": True,
                                     "response": f"pic{item}", "source": source, "agent": agent})
    return _trial_frame("picture-word", rows)


def continuous_naming_trials(seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for source, agents in (("human", [f"P{i}" for i in range(6)]), ("model:howard2006", ["howard2006#1/sim-001"])):
        for agent in agents:
            for category in range(6):
                for position in range(1, 6):
                    rows.append({"instruction": "picture_naming", "item_id": f"c{category}-{position}",
                                 "condition": "experimental", "ordinal_position": position,
                                 "lag": None if position == 1 else [2, 4, 6, 8][(category + position) % 4],
                                 "rt_ms": 610 + 28 * (position - 1) + rng.normal(0, 40), "correct": True,
                                 "response": "x", "source": source, "agent": agent})
    return _trial_frame("continuous-naming", rows)


def association_trials(seed: int = 6) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for source, agents in (("human", [f"P{i}" for i in range(8)]), ("model:embedding", ["embedding#1/sim-001"])):
        for agent in agents:
            for item in range(12):
                correct = bool(rng.random() < (0.92 if source == "human" else 0.8))
                rows.append({"instruction": "choose_associate", "item_id": f"triad{item}",
                             "condition": "words" if item % 2 else "pictures",
                             "response": f"answer{item}" if correct else f"foil{item}", "correct": correct,
                             "rt_ms": 1100 + rng.normal(0, 150) if source == "human" else 900.0,
                             "source": source, "agent": agent})
    return _trial_frame("association", rows)


@pytest.mark.parametrize("task,build,expected", [
    ("picture-word", picture_word_trials, ("SOA curves", "Glaser &amp; Düngelhoff")),
    ("continuous-naming", continuous_naming_trials, ("RT by ordinal position", "RT by lag", "Howard")),
    ("association", association_trials, ("Item-by-item choices", "choice_agreement")),
])
def test_task_specific_views(task, build, expected, tmp_path):
    result = compare(build(), task, engine="mixedlm", fit_accuracy=False)
    html = write_report(result, tmp_path / f"{task}.html", tables_dir=tmp_path).read_text()
    for text in expected:
        assert text in html, text
    assert FIGURE.search(html)
    if task == "picture-word":
        soa = result.curves["soa"]
        human = soa[(soa["source"] == "human") & (soa["condition"] == "related")].set_index("soa_ms")
        assert human.loc[0.0, "effect_ms"] > human.loc[100.0, "effect_ms"]   # built-in peak at SOA 0
        assert (soa["source"] == "published").any()        # Glaser & Düngelhoff, labelled as published
    if task == "continuous-naming":
        fixed = result.fixed_effects
        slope = fixed[(fixed["term"] == "preceding_members") & fixed["chosen"] & (fixed["analysis"] == "RT")]
        assert abs(float(slope["estimate"].iloc[0]) - 28) < 10     # ms per preceding category member
    if task == "association":
        row = result.fit_table.iloc[0]
        assert 0 <= row["choice_agreement"] <= 1 and row["n_items"] == 12


def test_several_tasks_in_one_report(tmp_path):
    results = [compare(build(), task, engine="mixedlm", fit_accuracy=False)
               for task, build in (("continuous-naming", continuous_naming_trials),
                                   ("association", association_trials))]
    html = write_report(results, tmp_path / "all.html", tables_dir=tmp_path / "tables").read_text()
    assert html.count("<!DOCTYPE html>") == 1 and html.count("</html>") == 1
    assert '<a href="#task-continuous-naming">' in html and '<a href="#task-association">' in html
    assert 'id="continuous-naming-cleaning"' in html and 'id="association-cleaning"' in html
    assert "RT by ordinal position" in html and "Item-by-item choices" in html
    tables = {p.name for p in (tmp_path / "tables").iterdir()}
    assert {"continuous-naming_fit_table.csv", "association_fit_table.csv"} <= tables


def test_summary_comes_first_with_the_human_effect_the_model_question_and_the_data(stroop_report, tmp_path):
    from analysis.report_summary import data_basis, human_effects

    path, result = stroop_report
    html = path.read_text(encoding="utf-8")
    body = html[html.index("<body>"):]
    assert body.index('id="summary"') < body.index('id="task-stroop"')
    effects = human_effects(result)
    incongruent = effects[(effects["analysis"] == "RT") & effects["term"].str.contains("incongruent")].iloc[0]
    assert incongruent["ci_low"] < 90 < incongruent["ci_high"]          # the built-in 90 ms effect
    assert incongruent["ci_low"] > 0                                     # and it is clearly there
    assert f"{incongruent['estimate']:.1f} ms [{incongruent['ci_low']:.1f}, {incongruent['ci_high']:.1f}]" in html
    assert "Only descriptive fits are available" in html                 # no likelihood comparison yet
    basis = data_basis(result)
    assert basis["n_people"] == 5 and basis["n_trials"] == int(result.cleaning.loc[
        result.cleaning["source"] == "human", "n_trials"].sum())
    assert "human" in basis["sources"] and "model:toy" in basis["sources"]
    # once a likelihood-based comparison is attached, the summary shows what it contains
    result.model_selection = pd.DataFrame({"model": ["toy"], "heldout_log_likelihood": [-1234.5],
                                           "selection_weight": [0.97]})
    html = write_report(result, tmp_path / "with-selection.html").read_text(encoding="utf-8")
    summary = html[html.index('id="summary"'):html.index('id="task-stroop"')]
    assert "heldout_log_likelihood" in summary and "-1234" in summary
    assert "Only descriptive fits are available" not in summary
