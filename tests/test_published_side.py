"""Published aggregates as a labelled human source (source="published"), and the published
analysis of the bundled Stark et al. (2024) data as a target, checked against the authors'
printed output."""

from __future__ import annotations

import re

import pytest

from analysis import write_report
from analysis.published_side import NoHumanData, compare_with_published
from db.store import Store
from mirrorlab.pipeline import run_model
from stimuli.published import published_table


def test_stark2024_fixed_effects_are_those_the_authors_printed(bundled_data_dir):
    text = (bundled_data_dir / "stark2024_csi_aphasia" / "scripts" / "04_analysis_output.txt").read_text(
        encoding="utf-8")
    start = text.index("REML criterion at convergence: 1158.2")
    block = text[start:text.index("Pr(>|t|)", start)]
    printed = {}
    for line in block.splitlines():
        match = re.match(r"## (\S+)\s+(-?[\d.]+)\s+([\d.]+)\s+([\d.]+)\s+(-?[\d.]+)$", line.strip())
        if match:
            printed[match.group(1)] = tuple(float(v) for v in match.groups()[1:])
    table = published_table("stark2024-lmer-fixed-effects")
    assert table.kind == "human" and table.tag == "SRC" and table.n_participants == 40
    assert len(printed) == len(table.rows) == 12
    for row in table.rows:
        assert printed[row["term"]] == (row["estimate"], row["se"], row["df"], row["t"]), row["term"]
    assert table.extras["n_observations"] == 12455 and "12455" in block


def test_picture_word_models_are_compared_with_published_aggregates_labelled_as_such(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'pw.db'}")
    run = run_model(store, "weaver", "picture-word-en", n=2, seed=3)
    keys = ["glaser1984-picture-naming", "glaser1984-word-reading"]
    result = compare_with_published(store, "picture-word", keys)
    assert result.models == {"weaver": run.run_id}
    assert set(result.fit_table["source"]) == {"published"}
    assert result.fit_table["n_published_cells"].tolist() == [27, 27]
    naming = result.cells[result.cells["published_table"] == keys[0]]
    # the model's effect is computed against the same baseline as the paper's (nonword)
    trials = store.trials_frame(model_run_id=run.run_id)
    ok = trials[trials["correct"].astype(bool) & trials["rt_ms"].between(200, 2000)
                & (trials["instruction"] == "picture_naming") & (trials["soa_ms"] == 0)]
    means = ok.groupby("condition")["rt_ms"].mean()
    cell = naming[(naming["condition"] == "related") & (naming["soa_ms"] == 0)].iloc[0]
    assert cell["model_value"] == pytest.approx(means["related"] - means["nonword"])
    assert cell["published_value"] == 133.0
    report = write_report([result, NoHumanData("association", "No human association data is bundled.")],
                          tmp_path / "r.html", tables_dir=tmp_path / "tables")
    html = report.read_text(encoding="utf-8")
    assert "published aggregates" in html and "Glaser &amp; Düngelhoff (1984)" in html
    assert "n not given" in html and "No human association data is bundled." in html
    assert "people" not in html.replace("not people", "")
    assert (tmp_path / "tables" / "picture-word_published_fit.csv").is_file()


def test_a_published_table_of_another_task_is_refused(tmp_path):
    from analysis.errors import AnalysisInputError

    store = Store(f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(AnalysisInputError, match="not human picture-word data"):
        compare_with_published(store, "picture-word", ["dunbar-macleod1984"])


def test_compare_on_picture_word_without_people_uses_the_published_aggregates(tmp_path):
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'pw.db'}"
    store = Store(url)
    run_model(store, "weaver", "picture-word-en", n=1, seed=4)
    report = tmp_path / "pw.html"
    result = subprocess.run([sys.executable, "-m", "mirrorlab", "compare", "--task", "picture-word",
                             "--db", url, "--report", str(report)], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    assert "the human side is published aggregates (glaser1984-picture-naming, " \
           "glaser1984-word-reading), labelled 'published'" in result.stderr
    rows = [line.split() for line in result.stdout.splitlines() if line.startswith("weaver")]
    assert [(r[1], r[2], r[3]) for r in rows] == [("glaser1984-picture-naming", "published", "27"),
                                                  ("glaser1984-word-reading", "published", "27")]
    assert "published aggregates" in report.read_text(encoding="utf-8")


def test_pratte2010_selection_is_the_one_in_the_authors_cleaning_script(bundled_data_dir):
    script = (bundled_data_dir / "pratte2010_stroop" / "cleaning.R.orig.txt").read_text(encoding="utf-8")
    experiment_1 = script[:script.index("##Experiment 2")]
    assert "dat$rt > .2 & dat$rt < 2" in experiment_1
    assert "acc == 1 & cond != 2 & exp == 1" in experiment_1 and "dat$trial %in% 0:4" in experiment_1
    row, = published_table("pratte2010-trial-selection").rows
    assert (row["rt_above_ms"], row["rt_below_ms"]) == (200.0, 2000.0)
    assert row["first_trials_dropped_per_block"] == len(range(0, 5))
    assert row["conditions"] == ("congruent", "incongruent") and row["correct_only"]
