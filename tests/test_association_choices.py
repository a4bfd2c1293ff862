"""Association items with 2 to 6 choices (answer + 1 to 5 foils): the stimulus set, the
PsychoPy layout (real window under Xvfb, a simulated participant pressing real keys) and
the embedding model all handle 3, 5 and 6 choices."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from db.store import Store
from stimuli import StimulusError, load_set
from stimuli.stimulus_set import BUNDLED_DIR

EXTRA_FOILS = ["cactus", "umbrella", "violin", "carrot"]


def mixed_choice_set(tmp_path: Path) -> Path:
    """association-en with items of 3, 5 and 6 choices besides its 2- and 4-choice items."""
    folder = tmp_path / "association-mixed"
    shutil.copytree(BUNDLED_DIR / "association-en", folder)
    items = folder / "items.csv"
    lines = items.read_text(encoding="utf-8").splitlines()
    assert lines[0].split(",")[:7] == ["item_id", "target", "choice_1", "choice_2", "choice_3",
                                       "choice_4", "answer"]
    rows = []
    for number, line in enumerate(lines[1:]):
        cells = line.split(",")
        filled = [c for c in cells[2:6] if c]
        # 2-choice items become 2, 3, 5 or 6 choices; 4-choice items 4, 5 or 6
        wanted = (2, 3, 5, 6)[number % 4] if len(filled) == 2 else (4, 5, 6)[number % 3]
        foils = [f for f in EXTRA_FOILS if f not in cells]
        choices = (filled + foils)[:wanted]
        choices += [""] * (6 - len(choices))
        rows.append(",".join(cells[:2] + choices[:4] + [cells[6]] + cells[7:] + choices[4:6]))
    header = lines[0].split(",") + ["choice_5", "choice_6"]
    items.write_text("\n".join([",".join(header), *rows]) + "\n", encoding="utf-8")
    return folder


def test_a_set_with_3_5_and_6_choices_loads_and_builds_its_trial_list(tmp_path):
    stimulus_set = load_set(mixed_choice_set(tmp_path))
    frame = stimulus_set.trial_list(seed=3)
    counts = {len(c) for c in frame["choices"]}
    assert {3, 5, 6} <= counts and counts <= {2, 3, 4, 5, 6}
    for row in frame.itertuples():
        assert row.expected_response in row.choices and row.target not in row.choices


def test_a_gap_in_the_choices_is_refused_in_one_line(tmp_path):
    folder = mixed_choice_set(tmp_path)
    items = folder / "items.csv"
    lines = items.read_text(encoding="utf-8").splitlines()
    cells = lines[1].split(",")
    cells[4], cells[5] = "", "zebra"                 # choice_3 empty, choice_4 filled
    lines[1] = ",".join(cells)
    items.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(StimulusError, match="items.csv, line 2, column 'choice_3': a gap in the choices"):
        load_set(folder)


def test_the_embedding_model_chooses_among_any_number_of_choices(tmp_path):
    from models.embeddings.model import EmbeddingModel

    frame = load_set(mixed_choice_set(tmp_path)).trial_list(seed=3, include_practice=False)
    rows = EmbeddingModel(backend="use-multilingual").simulate(frame, n=1, seed=1)
    assert len(rows) == len(frame)
    for row, choices in zip(rows.itertuples(), frame["choices"]):
        assert row.response in choices


@pytest.mark.gui
def test_a_session_shows_and_scores_3_5_and_6_choices(xvfb_display, sqlite_url, tmp_path):
    from experiments import SessionOptions, run_session

    folder = mixed_choice_set(tmp_path)
    frame = load_set(folder).trial_list(seed=3, include_practice=False)
    picked = frame[[len(c) in (3, 5, 6) for c in frame["choices"]]].iloc[:6].copy()
    picked["trial_index"] = range(len(picked))
    store = Store(sqlite_url)
    options = SessionOptions(stimuli=str(folder), trial_list=picked, simulate=True, windowed=True,
                             store=store, csv_dir=tmp_path / "csv", practice=False,
                             params={"iti_ms": 200, "fixation_ms": 100},
                             simulation={"screen_reading_ms": 150, "error_rate": 0.0,
                                         "conflict_error_rate": 0.0})
    session_id = run_session("association", "CH01", options)
    trials = store.trials_frame(session_id=session_id)
    assert len(trials) == len(picked)
    assert [len(c) for c in trials["choices"]] == [len(c) for c in picked["choices"]]
    for row in trials.itertuples():
        assert row.response in row.choices          # the key pressed named one of the choices
    assert trials["correct"].all()


def test_more_than_four_choices_with_arrow_keys_is_refused_before_the_session(tmp_path,
                                                                               sqlite_url):
    import os

    from experiments import SessionOptions, run_session
    from experiments.errors import ExperimentError

    folder = mixed_choice_set(tmp_path)
    os.environ.setdefault("DISPLAY", ":99")
    store = Store(sqlite_url)
    with pytest.raises(ExperimentError, match="choices; 2–4 can be shown with key_layout=arrows"):
        run_session("association", "CH02", SessionOptions(
            stimuli=str(folder), store=store, simulate=True, params={"key_layout": "arrows"}))
    assert store.sessions_frame().empty
