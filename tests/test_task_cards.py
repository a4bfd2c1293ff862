"""Task cards and published targets: each task is declared once, on its card; each published
table exists once, in ``stimuli/published``; no other layer switches on a task name."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis.design import design_for
from analysis.errors import AnalysisInputError
from stimuli import load_set
from stimuli.published import all_tables, published_table
from stimuli.tasks import TASKS, UnknownTaskError, task_card, task_names

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ("stroop", "picture-word", "association", "continuous-naming")


def test_registry_lists_the_bundled_tasks_and_names_them_on_a_typo():
    assert task_names()[:4] == BUNDLED
    assert set(BUNDLED) <= set(TASKS) and TASKS["stroop"] is task_card("stroop")
    with pytest.raises(UnknownTaskError) as error:
        task_card("picture_word")
    assert "unknown task 'picture_word'" in str(error.value)
    for name in BUNDLED:
        assert name in str(error.value)
    with pytest.raises(AnalysisInputError, match="known tasks: stroop, picture-word"):
        design_for("strop")


@pytest.mark.parametrize("name", BUNDLED)
def test_card_is_complete_and_consistent(name):
    card = task_card(name)
    assert set(card.analysis.condition_levels) <= set(card.conditions)
    assert card.baseline is None or card.baseline in card.conditions
    for key in card.human_targets:
        table = published_table(key)
        assert table.task == name and table.kind == "human"
    for curve in card.analysis.curves:
        for key in curve.targets:
            assert curve.x in published_table(key).frame().columns
    if card.analysis.cell_targets:
        assert "rt_ms" in published_table(card.analysis.cell_targets).frame().columns
    # the card's default set is a set of this task, and its generator gives the card's columns
    stimulus_set = load_set(card.default_stimulus_set)
    assert stimulus_set.task == name and stimulus_set.card is card
    trials = stimulus_set.trial_list(seed=3)
    assert set(card.stimulus_columns) <= set(trials.columns)
    assert set(trials["task"]) == {name}
    assert set(trials["condition"]) <= set(card.conditions)
    assert card.citation()


def test_formulas_on_the_card_are_the_models_the_analysis_fits():
    card = task_card("picture-word")
    rows = pd.DataFrame([{"agent": f"P{p}", "item_id": f"i{i}", "instruction": "picture_naming",
                          "condition": c, "soa_ms": soa, "rt_ms": 700.0}
                         for p in range(2) for i in range(2) for c in card.conditions
                         for soa in (-100, 0, 100)])
    design = design_for("picture-word")
    frame = design.analysis_rows(rows)
    spec = design.rt_spec(frame).with_structure("maximal")
    assert spec.lme4_formula() == card.analysis.formulas()["rt"]
    assert [p.name for p in spec.predictors] == ["condition", "soa"]
    assert spec.predictor("condition").levels[0] == "unrelated"      # the card's reference level
    # one SOA only: the factor and its interaction drop out, the condition contrast stays
    one_soa = design.rt_spec(frame[frame["soa_ms"] == 0])
    assert [p.name for p in one_soa.predictors] == ["condition"] and one_soa.interactions == ()
    stroop = design_for("stroop").analysis_rows(rows.assign(condition="neutral"))
    assert design_for("stroop").rt_spec(stroop) is None               # nothing to contrast


def test_soa_convention_is_converted_once_in_the_published_table():
    naming = published_table("glaser1984-picture-naming").frame()
    reading = published_table("glaser1984-word-reading").frame()
    assert (naming["soa_ms"] == naming["gd_soa_ms"]).all()
    assert (reading["soa_ms"] == -reading["gd_soa_ms"]).all()
    # G&D word reading, identical distractor picture at their SOA −400 (picture first) = −32 ms,
    # which is word − picture = +400 ms on mirrorlab's axis
    row = reading[(reading["condition"] == "identical") & (reading["gd_soa_ms"] == -400)]
    assert float(row["soa_ms"].iloc[0]) == 400.0 and float(row["effect_ms"].iloc[0]) == -32.0


#: A distinctive run of numbers from each published table, as it is written down there.
PUBLISHED_FINGERPRINTS = {
    "Glaser & Düngelhoff picture naming": r"133,\s*160",
    "Glaser & Düngelhoff identity": r"-78,\s*-74,\s*-67",
    "Glaser & Düngelhoff word reading": r"-32,\s*-16,\s*-5",
    "Howard et al. by position": r"635,\s*(?:\d+:\s*)?661,\s*(?:\d+:\s*)?688",
    "Howard et al. by lag": r"679,\s*(?:\d+:\s*)?681,\s*(?:\d+:\s*)?681",
    "Dunbar & MacLeod": r"590\D{1,20}656\D{1,20}856",
    "Sato (2022) course items": r"麦わら帽子\W+帽子\W+ヘルメット",
    "Roelofs (2018)": r"\b11,\s*(?:\d+:\s*)?23,\s*(?:\d+:\s*)?34,\s*(?:\d+:\s*)?43\b",
}


def _source_files():
    for folder in ("analysis", "db", "experiments", "mirrorlab", "models", "stimuli", "tests"):
        yield from (ROOT / folder).rglob("*.py")


def test_each_published_table_is_written_down_once():
    for label, pattern in PUBLISHED_FINGERPRINTS.items():
        found = [str(p.relative_to(ROOT)) for p in _source_files()
                 if p.name != Path(__file__).name and re.search(pattern, p.read_text(encoding="utf-8"))]
        assert len(found) == 1 and found[0].startswith("stimuli/published/"), (label, found)
    assert len(all_tables()) >= 7


#: Where a task's name may appear as a string: its card, its presentation, the published
#: tables (which say whose targets they are), the models (which say what they simulate).
ALLOWED = ("stimuli/tasks/", "stimuli/published/", "experiments/tasks/", "models/")


def _non_docstring_strings(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.lineno, node.value


def test_no_layer_switches_on_a_task_name():
    names = set(BUNDLED) | {name.replace("-", "_") for name in BUNDLED if "-" in name}
    offenders = []
    for path in _source_files():
        relative = str(path.relative_to(ROOT))
        if relative.startswith(ALLOWED) or relative.startswith("tests/"):
            continue
        offenders += [f"{relative}:{line}: {value!r}" for line, value in _non_docstring_strings(path)
                      if value in names]
    assert offenders == []


def test_task_list_on_the_command_line_comes_from_the_cards():
    result = subprocess.run([sys.executable, "-m", "mirrorlab", "compare", "--task", "nonsense"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "stroop" in result.stderr and "continuous-naming" in result.stderr


def test_response_modes_come_from_the_card(tmp_path):
    from experiments.errors import ExperimentError
    from experiments.runner import run_session

    assert task_card("association").response_modes == ("keyboard",)
    database = tmp_path / "never.db"
    with pytest.raises(ExperimentError, match="answered with keyboard only"):
        run_session("association", "P01", response="voice", db=f"sqlite:///{database}")
    assert not database.exists()              # refused before anything is created


def test_a_registered_card_is_found_and_forgotten():
    from dataclasses import replace

    from stimuli.tasks import register_card, unregister_card

    extra = replace(task_card("association"), name="association-copy")
    register_card(extra)
    try:
        assert task_card("association-copy") is extra and task_names()[-1] == "association-copy"
        with pytest.raises(ValueError, match="already registered"):
            register_card(replace(extra))
    finally:
        unregister_card("association-copy")
    assert "association-copy" not in task_names()
    original = task_card("stroop")
    register_card(replace(original, title="changed"), replace=True)
    unregister_card("stroop")
    assert task_card("stroop") is original       # the bundled card comes back from its module


def test_every_presentation_presents_its_cards_task():
    from experiments.tasks import TASKS as PRESENTATIONS
    from experiments.tasks import check_against_card

    assert set(BUNDLED) <= set(PRESENTATIONS)
    for name, cls in PRESENTATIONS.items():
        check_against_card(cls)
        card = task_card(name)
        assert cls.instructions_supported == card.instructions
        assert set(cls.required_columns) <= set(card.stimulus_columns)
        assert set(cls.instruction_texts) == set(card.instructions)
