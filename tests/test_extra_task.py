"""Adding a task = one task card + its PsychoPy presentation, and nothing else.

A fifth task, lexical decision (a letter string: press F for a word, J for a nonword), is
defined entirely in this file: its card (columns, conditions, generator, checks, simulated
participant, analysis design) and its presentation class. It gets a trial list from a stimulus
set written into a temporary folder, runs real sessions in real PsychoPy windows under Xvfb
answered by the simulated participant (real key events), is stored in a real SQLite file, and
is analysed — condition means and a crossed mixed model — by the same code as the bundled
tasks. No file outside this test is touched for it.

Every session runs in a child process, for the reason given in tests/test_experiments_gui.py.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pandas as pd
import pytest

from experiments.tasks.base import Component, PreparedTrial, Task
from stimuli.errors import StimulusError
from stimuli.tasks import AnalysisDesign, TaskCard

pytestmark = pytest.mark.gui

TASK = "lexical-decision"
KEYS = {"f": "word", "j": "nonword"}
WORDS = ("table", "garden", "river", "candle", "window", "pencil")
NONWORDS = ("tible", "gorden", "rivor", "cendle", "wondow", "pancil")
#: The simulated participant of this task: words 600 ms, nonwords 680 ms (our choice, a
#: typical lexicality effect); its seed makes each session's answers reproducible.
SIMULATED_MEANS_MS = {"word": 600.0, "nonword": 680.0}
FAST = {"fixation_ms": 100, "iti_ms": 100, "feedback_ms": 100}
CHILD_TIMEOUT_S = 300


# ---------------------------------------------------------------------------- the card
def lexical_decision_trial_list(stimulus_set, *, seed, instruction, participant_index,
                                include_practice) -> pd.DataFrame:
    """Every experimental item once, shuffled by seed and participant; practice items first."""
    import numpy as np

    from stimuli.generators.rows import to_frame

    rng = np.random.default_rng([seed, participant_index])
    items = stimulus_set.items.to_dict("records")
    practice = [i for i in items if i["role"] == "practice"] if include_practice else []
    main = [i for i in items if i["role"] != "practice"]
    rows = []
    for block, pool in ((0, practice), (1, [main[k] for k in rng.permutation(len(main))])):
        for item in pool:
            rows.append({"task": stimulus_set.task, "instruction": instruction,
                         "item_id": item["item_id"], "condition": item["lexicality"],
                         "language": stimulus_set.language,
                         "expected_response": item["lexicality"], "block": block,
                         "is_practice": block == 0, "letters": item["letters"]})
    return to_frame(rows, ("letters",))


def check_lexical_items(table, card, folder, metadata) -> dict:
    for index, row in enumerate(table.rows):
        if row["lexicality"] not in card.conditions:
            raise StimulusError("unknown lexicality", path=table.path, line=table.line_of(index),
                                column="lexicality", value=row["lexicality"],
                                expected=f"one of {', '.join(card.conditions)}")
    return {}


def simulated_mean_ms(trial: Mapping[str, Any], effect_scale: float) -> float:
    base = SIMULATED_MEANS_MS["word"]
    return base + effect_scale * (SIMULATED_MEANS_MS.get(str(trial.get("condition")), base) - base)


CARD = TaskCard(
    name=TASK, title="Lexical decision",
    required_columns=("item_id", "letters", "lexicality"),
    conditions=("word", "nonword"), baseline="word",
    instructions=("lexical_decision",),
    stimulus_columns=("letters",),
    trial_list=lexical_decision_trial_list,
    check_items=check_lexical_items,
    response_modes=("keyboard",),
    default_stimulus_set="lexical-decision-en",
    simulated_mean_ms=simulated_mean_ms,
    analysis=AnalysisDesign(condition_levels=("word", "nonword"), fixed_effects="condition",
                            random_slopes=("condition",)),
)


# ---------------------------------------------------------------------------- the presentation
class LexicalDecisionTask(Task):
    """A letter string in the centre until the response; F = word, J = nonword."""

    name = TASK
    title = "Lexical decision"
    instructions_supported = ("lexical_decision",)
    required_columns = ("letters",)
    instruction_texts = {"lexical_decision": {
        "en": "Is it a word?\n\nPress the key as fast and as accurately as you can.\n\n{keys}",
        "ja": "単語ですか？\n\nできるだけ速く正確にキーを押してください。\n\n{keys}",
    }}

    def setup(self, win) -> None:
        from psychopy import visual

        # the runner draws ``self.fixation`` before each trial (as every bundled task has it)
        self.fixation = visual.TextStim(win, "+", height=self.params["text_height_px"],
                                        color=self.rgb(self.params["foreground_rgb"]),
                                        colorSpace="rgb", font=self.font(), units="pix")
        self.letters = visual.TextStim(win, "", height=self.params["text_height_px"],
                                       color=self.rgb(self.params["foreground_rgb"]),
                                       colorSpace="rgb", font=self.font(), units="pix")

    def response_key_map(self, trial: Mapping[str, Any]) -> dict[str, str]:
        return dict(KEYS)

    def prepare(self, win, trial: Mapping[str, Any]) -> PreparedTrial:
        self.letters.text = str(trial["letters"])
        target = Component("letters", [self.letters], 0.0, self.params["stimulus_duration_ms"],
                           is_target=True)
        return PreparedTrial([target], self.response_key_map(trial))

    def key_legend(self, trial_list=None) -> str:
        return "F = word     J = nonword"


def register_extra_task() -> None:
    from experiments.tasks import register_task_class
    from stimuli.tasks import register_card

    register_card(CARD, replace=True)
    register_task_class(LexicalDecisionTask)


@pytest.fixture
def extra_task():
    from experiments.tasks import unregister_task_class
    from stimuli.tasks import unregister_card

    register_extra_task()
    yield CARD
    unregister_task_class(TASK)
    unregister_card(TASK)


def write_stimulus_set(folder) -> str:
    folder.mkdir()
    lines = ["item_id,letters,lexicality,role", "p1,house,word,practice", "p2,hause,nonword,practice"]
    lines += [f"w{k},{w},word," for k, w in enumerate(WORDS)]
    lines += [f"n{k},{w},nonword," for k, w in enumerate(NONWORDS)]
    (folder / "items.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "set.toml").write_text(
        f'name = "lexical-decision-test"\ntask = "{TASK}"\nlanguage = "en"\n'
        'licence = "CC0"\n', encoding="utf-8")
    return str(folder)


# ---------------------------------------------------------------------------- sessions
def _simulated_session(code: str, seed: int, stimuli: str, db: str, csv_dir: str) -> int:
    """Child side: the extra task is registered here too (the child is a fresh process)."""
    from experiments.runner import run_session

    register_extra_task()
    return run_session(TASK, code, stimuli=stimuli, simulate=True, seed=seed, windowed=True,
                       params=FAST, db=db, csv_dir=csv_dir, max_practice_trials=1,
                       simulation={"screen_reading_ms": 150, "error_rate": 0.0,
                                   "conflict_error_rate": 0.0})


def in_child(function, *args):
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    try:
        return pool.submit(function, *args).result(timeout=CHILD_TIMEOUT_S)
    except BaseException:
        for process in list(getattr(pool, "_processes", {}).values()):
            process.kill()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def test_a_fifth_task_defined_in_a_test_runs_is_stored_and_analysed(extra_task, xvfb_display,
                                                                      sqlite_url, tmp_path):
    from analysis import compare
    from db.store import Store
    from stimuli import load_set

    folder = write_stimulus_set(tmp_path / "lexical-decision-test")
    stimulus_set = load_set(folder)
    assert stimulus_set.task == TASK and stimulus_set.card is extra_task
    listed = stimulus_set.trial_list(seed=1)
    assert listed["condition"].value_counts().to_dict() == {"word": 7, "nonword": 7}

    codes = ("LD01", "LD02", "LD03")
    session_ids = [in_child(_simulated_session, code, 10 + k, folder, sqlite_url, str(tmp_path))
                   for k, code in enumerate(codes)]

    store = Store(sqlite_url)
    trials = store.trials_frame(task=TASK)
    assert set(trials["session_id"]) == set(session_ids)
    assert sorted(trials["agent"].unique()) == list(codes)
    assert len(trials) == 3 * len(WORDS + NONWORDS)          # practice is not returned
    assert set(trials["condition"]) == {"word", "nonword"}
    assert trials["correct"].all()                            # error rate 0: every key right
    assert ((trials["response"] == trials["expected_response"])).all()
    for session_id in session_ids:
        session = store.get_session(session_id)
        assert session.status == "completed" and session.stimulus_set == "lexical-decision-test"
        assert session.stimulus_set_hash == stimulus_set.hash

    # the sessions were answered by simulated participants: stored as such, analysed on request
    result = compare(store, TASK, engine="mixedlm", fit_accuracy=False, include_simulated=True)
    human = result.condition_means[result.condition_means["source"] == "human"]
    means = human.set_index("condition")["rt_ms"]
    assert means["nonword"] > means["word"]                  # the simulated lexicality effect
    chosen = result.fixed_effects[result.fixed_effects["chosen"]
                                  & (result.fixed_effects["analysis"] == "RT")]
    effect = float(chosen.loc[chosen["term"] == "condition[nonword]", "estimate"].iloc[0])
    print(f"condition means: {means.round(1).to_dict()}; mixed-model nonword effect {effect:.1f} ms")
    assert 0 < effect < 250
    assert result.fits["formula"].str.contains("condition").any()
