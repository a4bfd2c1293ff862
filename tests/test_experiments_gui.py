"""Sessions in real PsychoPy windows under Xvfb, answered by real key events (XTEST).

A scripted participant presses known keys at known delays after each measured onset; the
stored RTs must match those delays within ±30 ms, the stored trials must equal the generated
list, the picture–word SOAs must land within one frame, Escape must end the session as
'aborted' with finished trials kept, and a Japanese Stroop word must actually be drawn.
Short ITIs and few trials keep the file to a few minutes.

Every session runs in a child process (``in_child``): psychtoolbox's keyboard queue keeps an X
connection for the life of the process, and when the test session's Xvfb stops at the end,
Xlib's fatal-IO-error handler would end the pytest process itself (exit 1, report lost).
"""

from __future__ import annotations

import csv
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
import pytest

from db.store import Store
from experiments.runner import run_session
from experiments.session_plan import participant_index_for, shorten
from experiments.simulated import ScriptedParticipant

pytestmark = pytest.mark.gui

FAST = {"fixation_ms": 100, "iti_ms": 100, "feedback_ms": 100}
RT_TOLERANCE_MS = 30.0
SIXTY_HZ_FRAME_MS = 1000.0 / 60.0
KEY_MAP = {"red": "d", "green": "f", "blue": "j", "yellow": "k"}
WRONG_KEY = {"red": "f", "green": "j", "blue": "k", "yellow": "d"}


# ---------------------------------------------------------------------------- scripts
def delay_for(trial) -> float:
    """Known, varied delays (300–590 ms) after the target's measured onset."""
    return 300.0 + (int(trial["trial_index"]) * 53) % 300


def stroop_every_fourth_wrong(trial):
    index = int(trial["trial_index"])
    colour = trial["expected_response"]
    wrong = index % 4 == 3 and not trial["is_practice"]
    return (WRONG_KEY if wrong else KEY_MAP)[colour], delay_for(trial)


def naming_after_the_word(trial):
    return "space", max(float(trial["soa_ms"]), 0.0) + delay_for(trial)


def naming_250_after_the_word(trial):
    return "space", max(float(trial["soa_ms"]), 0.0) + 250.0


def naming(trial):
    return "space", delay_for(trial)


def association_pick(trial) -> int:
    """Even trials pick the answer, odd trials the choice after it."""
    choices = list(trial["choices"])
    answer = choices.index(trial["expected_response"])
    return answer if int(trial["trial_index"]) % 2 == 0 else (answer + 1) % len(choices)


def association_keys(trial):
    return str(association_pick(trial) + 1), delay_for(trial)


def stroop_escape_on_third(trial):
    if int(trial["trial_index"]) == 2:
        return "escape", 250.0
    return KEY_MAP[trial["expected_response"]], delay_for(trial)


_ESCAPED: set[int] = set()


def stroop_escape_once_on_second(trial):
    """Escape the first showing of the second trial (then 'n'); answer it when shown again."""
    index = int(trial["trial_index"])
    if index == SECOND_TRIAL and index not in _ESCAPED:
        _ESCAPED.add(index)
        return "escape", 250.0
    return KEY_MAP[trial["expected_response"]], delay_for(trial)


SECOND_TRIAL = -1   # set from the trial list in the child (see _session)

SCRIPTS = {f.__name__: f for f in (stroop_every_fourth_wrong, naming_after_the_word,
                                   naming_250_after_the_word, naming, association_keys,
                                   stroop_escape_on_third, stroop_escape_once_on_second)}


# ---------------------------------------------------------------------------- helpers
CHILD_TIMEOUT_S = 300


def in_child(function, *args, **kwargs):
    """Run ``function`` (a module-level function of this file) in a fresh process; a child
    that dies raises ``BrokenProcessPool`` instead of hanging the test run."""
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    try:
        return pool.submit(function, *args, **kwargs).result(timeout=CHILD_TIMEOUT_S)
    except BaseException:
        for process in list(getattr(pool, "_processes", {}).values()):
            process.kill()                  # a hung session must not hang the test run
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _session(task, code, script=None, confirm_key=None, **kwargs):
    """Child side: one session answered by a scripted participant (or a simulated one)."""
    global SECOND_TRIAL
    agent = None
    if kwargs.get("trial_list") is not None:
        SECOND_TRIAL = int(kwargs["trial_list"]["trial_index"].iloc[1])
    if script is not None:
        agent = ScriptedParticipant(script=SCRIPTS[script], confirm_key=confirm_key,
                                    screen_reading_ms=150)
    return run_session(task, code, participant_agent=agent, windowed=True, params=FAST,
                       **kwargs)


def run_scripted(task, code, script, db, tmp_path, **kwargs):
    return in_child(_session, task, code, script, db=db, csv_dir=str(tmp_path), **kwargs)


def generated_list(set_name, code, seed, max_trials, max_practice, instruction=None):
    from stimuli import load_set

    stimulus_set = load_set(set_name)
    frame = stimulus_set.trial_list(seed=seed, instruction=instruction,
                                    participant_index=participant_index_for(code),
                                    include_practice=max_practice != 0)
    return shorten(frame, max_trials, max_practice, practice=max_practice != 0)


def stored(store, session_id):
    return store.trials_frame(session_id=session_id, include_practice=True).sort_values(
        "trial_id").reset_index(drop=True)


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def check_rts_match_plan(frame):
    """Stored RT = scheduled delay ± 30 ms. The delay counts from the scheduled time to the
    moment the helper really sent the key: on a machine shared with other jobs the helper
    can be late, and the RT must then follow the real key press, not the intention."""
    lateness = []
    for row in frame.itertuples():
        extras = row.extras
        late_ms = extras["simulated_press_late_ms"]
        assert late_ms is not None and late_ms >= 0
        lateness.append(late_ms)
        pressed_ms = extras["simulated_delay_ms"] + late_ms
        assert row.rt_ms == pytest.approx(pressed_ms, abs=RT_TOLERANCE_MS), row.trial_index
    assert np.median(lateness) < RT_TOLERANCE_MS      # the helper is punctual as a rule


def check_same_trials(frame, expected, columns):
    assert len(frame) == len(expected)
    for column in columns:
        assert frame[column].tolist() == expected[column].tolist(), column


# ---------------------------------------------------------------------------- each task end to end
def test_stroop_session_stores_scripted_keys_and_the_generated_list(xvfb_display, sqlite_url,
                                                                     tmp_path):
    session_id = run_scripted("stroop", "P01", "stroop_every_fourth_wrong", sqlite_url,
                              tmp_path, stimuli="stroop-en", seed=4, max_trials=8,
                              max_practice_trials=2)
    store = Store(sqlite_url)
    frame = stored(store, session_id)
    check_same_trials(frame, generated_list("stroop-en", "P01", 4, 8, 2),
                      ("trial_index", "item_id", "condition", "is_practice", "word", "ink"))
    check_rts_match_plan(frame)
    for row in frame.itertuples():
        should_be_right = not (row.trial_index % 4 == 3 and not row.is_practice)
        assert row.correct is should_be_right
        assert (row.response == row.expected_response) is should_be_right
        assert row.source == "simulated" and row.agent == "P01" and row.session == 1
        assert row.extras["dropped_frames"] >= 0 and row.extras["target_onset_s"] > 0
    session = store.get_session(session_id)
    assert session.status == "completed" and session.seed == 4
    assert session.frame_rate_hz > 0 and session.stimulus_set == "stroop-en"
    assert len(session.stimulus_set_hash) == 64 and "psychopy" in session.software_versions
    assert len(session.trial_list) == 10
    rows = read_csv(session.csv_path)
    assert [int(r["trials.thisIndex"]) for r in rows] == frame["trial_index"].tolist()
    for row, trial in zip(rows, frame.itertuples()):
        assert row["participant"] == "P01" and row["expName"] == "stroop"
        assert float(row["key_resp.rt"]) * 1000 == pytest.approx(trial.rt_ms, abs=0.01)
        assert row["key_resp.corr"] == str(int(trial.correct))


def test_picture_word_session_with_naming_proxy(xvfb_display, sqlite_url, tmp_path):
    session_id = run_scripted("picture-word", "P02", "naming_after_the_word", sqlite_url,
                              tmp_path, stimuli="picture-word-en", seed=9, max_trials=6,
                              max_practice_trials=1)
    frame = stored(Store(sqlite_url), session_id)
    expected = generated_list("picture-word-en", "P02", 9, 6, 1)
    check_same_trials(frame, expected, ("trial_index", "item_id", "condition", "soa_ms",
                                        "picture", "distractor"))
    check_rts_match_plan(frame)
    assert frame["response"].eq("named").all() and frame["correct"].all()
    assert all(e["accuracy_source"].startswith("assumed") for e in frame["extras"])


def test_association_session_stores_the_choice(xvfb_display, sqlite_url, tmp_path):
    session_id = run_scripted("association", "P03", "association_keys", sqlite_url, tmp_path,
                              stimuli="association-en", seed=2, max_trials=6,
                              max_practice_trials=1)
    frame = stored(Store(sqlite_url), session_id)
    expected = generated_list("association-en", "P03", 2, 6, 1)
    check_same_trials(frame, expected, ("trial_index", "item_id", "target"))
    assert frame["choices"].tolist() == [list(c) for c in expected["choices"]]
    check_rts_match_plan(frame)
    for row in frame.itertuples():
        trial = {"choices": row.choices, "expected_response": row.expected_response,
                 "trial_index": row.trial_index}
        pick = association_pick(trial)
        assert row.response == list(row.choices)[pick]
        assert row.correct is (row.response == row.expected_response)
    assert not frame["correct"].all() and frame["correct"].any()


def test_continuous_naming_stores_ordinal_position_and_lag(xvfb_display, sqlite_url, tmp_path):
    session_id = run_scripted("continuous-naming", "P04", "naming", sqlite_url, tmp_path,
                              stimuli="continuous-naming-en", seed=3, max_trials=10,
                              practice=False)
    frame = stored(Store(sqlite_url), session_id)
    expected = generated_list("continuous-naming-en", "P04", 3, 10, 0)
    check_same_trials(frame, expected, ("trial_index", "item_id", "condition", "category"))
    for column in ("ordinal_position", "lag"):
        got = [None if pd.isna(v) else int(v) for v in frame[column]]
        want = [None if pd.isna(v) else int(v) for v in expected[column]]
        assert got == want, column
    assert frame["ordinal_position"].notna().any()
    check_rts_match_plan(frame)


# ---------------------------------------------------------------------------- timing of SOAs
def test_picture_word_measured_soas_within_one_frame(xvfb_display, sqlite_url, tmp_path):
    from stimuli import load_set

    frame = load_set("picture-word-en").trial_list(seed=1, include_practice=False).iloc[:9].copy()
    frame["soa_ms"] = [-400, -300, -200, -100, 0, 100, 200, 300, 400]
    session_id = run_scripted("picture-word", "P05", "naming_250_after_the_word", sqlite_url,
                              tmp_path, stimuli="picture-word-en", trial_list=frame,
                              practice=False)
    store = Store(sqlite_url)
    trials = stored(store, session_id)
    assert trials["soa_ms"].tolist() == frame["soa_ms"].tolist()
    errors = []
    for row in trials.itertuples():
        extras = row.extras
        intervals = extras["onset_frame_intervals_ms"]
        # one frame: of a 60-Hz lab display, or the (longer) frames this machine just drew
        one_frame = max(SIXTY_HZ_FRAME_MS, intervals.get("word", 0) + intervals.get("picture", 0))
        error = extras["measured_soa_ms"] - row.soa_ms
        assert abs(error) <= one_frame, (row.soa_ms, extras["measured_soa_ms"])
        errors.append(abs(error))
    assert np.median(errors) < 5.0
    rows = read_csv(store.get_session(session_id).csv_path)
    assert [float(r["measured_soa_ms"]) for r in rows] == pytest.approx(
        [e["measured_soa_ms"] for e in trials["extras"]])


# ---------------------------------------------------------------------------- Escape
def test_escape_confirmed_ends_session_as_aborted_keeping_finished_trials(
        xvfb_display, sqlite_url, tmp_path):
    session_id = run_scripted("stroop", "P06", "stroop_escape_on_third", sqlite_url, tmp_path,
                              stimuli="stroop-en", seed=1, max_trials=6, practice=False,
                              confirm_key="y")
    store = Store(sqlite_url)
    session = store.get_session(session_id)
    assert session.status == "aborted" and session.ended_at is not None
    frame = stored(store, session_id)
    assert frame["trial_index"].tolist() == [0, 1]        # trial 2 was interrupted
    check_same_trials(frame, generated_list("stroop-en", "P06", 1, 2, 0),
                      ("trial_index", "item_id", "condition"))
    check_rts_match_plan(frame)
    assert len(read_csv(session.csv_path)) == 2


# ---------------------------------------------------------------------------- Japanese
def test_japanese_stroop_word_is_drawn(xvfb_display):
    from psychopy import visual

    from experiments.tasks.stroop import StroopTask
    from stimuli import load_set

    stimulus_set = load_set("stroop-ja")
    trials = stimulus_set.trial_list(seed=1)
    red_word = trials[trials["word"] == "赤"].iloc[0].to_dict()
    green_word = trials[trials["word"] == "緑"].iloc[0].to_dict()
    params = {p.name: p.default for p in StroopTask.parameters()}
    task = StroopTask(params, language="ja", stimulus_set=stimulus_set)
    win = visual.Window((400, 300), units="pix", color=task.rgb(params["background_rgb"]),
                        colorSpace="rgb", waitBlanking=False)
    try:
        task.setup(win)
        crops = []
        for trial in (red_word, green_word):
            prepared = task.prepare(win, trial)
            win.clearBuffer()
            for component in prepared.components:
                component.draw()
            image = np.asarray(win.getMovieFrame(buffer="back").convert("RGB"), dtype=float)
            win.movieFrames = []
            h, w, _ = image.shape
            crops.append(image[h // 2 - 50:h // 2 + 50, w // 2 - 60:w // 2 + 60])
            win.clearBuffer()
    finally:
        win.close()
    background = np.array(params["background_rgb"], dtype=float)
    shapes = []
    for crop, trial in zip(crops, (red_word, green_word)):
        inked = np.abs(crop - background).sum(axis=2) > 60
        assert inked.mean() > 0.03, f"{trial['word']} not drawn"
        ink = np.array(stimulus_set.colour_rgb(trial["ink"]), dtype=float)
        assert np.abs(crop[inked] - ink).sum(axis=1).min() < 60      # drawn in its ink
        shapes.append(inked)
    assert (shapes[0] ^ shapes[1]).mean() > 0.02    # two different glyphs, not missing-glyph boxes


# ---------------------------------------------------------------------------- simulated participants
FAST_SIMULATION = {"sigma_ms": 12, "tau_ms": 12, "effect_scale": 3, "mean_shift_ms": -350,
                   "error_rate": 0, "conflict_error_rate": 0, "screen_reading_ms": 150}


def run_simulated(task, set_name, sqlite_url, tmp_path, **kwargs):
    session_id = in_child(_session, task, "SIM1", db=sqlite_url, stimuli=set_name,
                          simulate=True, simulation=FAST_SIMULATION, seed=21, practice=False,
                          csv_dir=str(tmp_path), **kwargs)
    store = Store(sqlite_url)
    assert store.get_session(session_id).status == "completed"
    frame = stored(store, session_id)
    frame["model_mean_ms"] = [e["simulated_mean_ms"] for e in frame["extras"]]
    check_rts_match_plan(frame)
    return frame


def test_simulated_stroop_ja_session_follows_condition_effects(xvfb_display, sqlite_url, tmp_path):
    from PIL import Image

    from experiments.runner import screenshot_name
    from stimuli import load_set

    shots = tmp_path / "shots"
    frame = run_simulated("stroop", "stroop-ja", sqlite_url, tmp_path, max_trials=12,
                          screenshot_dir=str(shots))
    means = frame.groupby("condition")["rt_ms"].mean()
    assert means["incongruent"] > means["neutral"] > means["congruent"]
    # scaled Pratte et al. effect: 3 × (790 − 703) = 261 ms
    assert means["incongruent"] - means["congruent"] == pytest.approx(261, abs=60)
    assert frame["correct"].all() and (frame["language"] == "ja").all()
    # the session's own back buffer: every Japanese word drawn, in its ink, where it belongs
    stimulus_set = load_set("stroop-ja")
    background = np.array((128, 128, 128), dtype=float)
    shapes = {}
    for row in frame.itertuples():
        image = np.asarray(Image.open(shots / screenshot_name(row._asdict())).convert("RGB"),
                           dtype=float)
        h, w, _ = image.shape
        crop = image[h // 2 - 60:h // 2 + 60, w // 2 - 100:w // 2 + 100]
        inked = np.abs(crop - background).sum(axis=2) > 60
        assert inked.mean() > 0.02, f"{row.word} not drawn"
        ink = np.array(stimulus_set.colour_rgb(row.ink), dtype=float)
        assert np.abs(crop[inked] - ink).sum(axis=1).min() < 60
        shapes[row.word] = inked
    words = list(shapes)
    assert len(words) >= 2 and (shapes[words[0]] ^ shapes[words[1]]).mean() > 0.02


def test_simulated_picture_word_session_follows_soa_effects(xvfb_display, sqlite_url, tmp_path):
    from stimuli import load_set

    frame = load_set("picture-word-en").trial_list(seed=5, include_practice=False)
    frame = frame[frame["soa_ms"] == 0].iloc[:12]       # strongest effects at SOA 0
    result = run_simulated("picture-word", "picture-word-en", sqlite_url, tmp_path,
                           trial_list=frame)
    means = result.groupby("condition")["rt_ms"].mean()
    assert means["related"] > means["unrelated"] > means["identical"]
    assert np.corrcoef(result["rt_ms"], result["model_mean_ms"])[0, 1] > 0.9


def test_simulated_association_session_follows_choice_count(xvfb_display, sqlite_url, tmp_path):
    from stimuli import load_set

    full = load_set("association-en").trial_list(seed=21, include_practice=False)
    sizes = full["choices"].map(len)
    subset = full[sizes == 2].iloc[:4].index.union(full[sizes == 4].iloc[:4].index)
    frame = run_simulated("association", "association-en", sqlite_url, tmp_path,
                          trial_list=full.loc[subset])
    n_choices = frame["choices"].map(len)
    assert set(n_choices) == {2, 4}
    slower = frame[n_choices == 4]["rt_ms"].mean() - frame[n_choices == 2]["rt_ms"].mean()
    assert slower == pytest.approx(3 * 120, abs=60)
    assert (frame["response"] == frame["expected_response"]).all()


def test_simulated_continuous_naming_slows_with_ordinal_position(xvfb_display, sqlite_url,
                                                                 tmp_path):
    from stimuli import load_set

    full = load_set("continuous-naming-en").trial_list(seed=8, include_practice=False)
    members = full[full["ordinal_position"].notna()]
    two = members["category"].unique()[:2]
    result = run_simulated("continuous-naming", "continuous-naming-en", sqlite_url, tmp_path,
                           trial_list=members[members["category"].isin(two)])
    positions = result["ordinal_position"].astype(float)
    assert sorted(set(positions)) == [1, 2, 3, 4, 5]
    slope = np.polyfit(positions, result["rt_ms"], 1)[0]
    # Howard et al. 2006: 610 → 735 ms over positions 1–5 (~31 ms a step), scaled by 3
    assert slope == pytest.approx(3 * 125 / 4, abs=30)


# ---------------------------------------------------------------------------- voice responses
def test_simulated_voice_session_stores_voice_onsets_and_audio(xvfb_display, sqlite_url,
                                                               tmp_path):
    """--response voice with a simulated speaker: espeak-ng speech over noise at the drawn
    latency goes through the real recorder and voice key; onsets within ±15 ms."""
    from pathlib import Path

    session_id = in_child(_session, "picture-word", "V01", db=sqlite_url,
                          stimuli="picture-word-en", response="voice", simulate=True,
                          simulation=FAST_SIMULATION | {"mean_shift_ms": -100}, seed=3,
                          practice=False, max_trials=3, csv_dir=str(tmp_path))
    store = Store(sqlite_url)
    frame = stored(store, session_id)
    assert len(frame) == 3
    for row in frame.itertuples():
        assert row.rt_ms == pytest.approx(row.extras["simulated_delay_ms"], abs=15.0)
        assert Path(row.extras["audio_path"]).is_file()
        assert row.correct is None and row.extras["accuracy_source"] == "to review (voice)"
    rows = read_csv(store.get_session(session_id).csv_path)
    assert [float(r["voice.rt"]) * 1000 for r in rows] == pytest.approx(frame["rt_ms"].tolist())
    assert all(r["voice.wav"] for r in rows)


# ---------------------------------------------------------------------------- blocks, Escape 'n'
def test_break_between_blocks_and_escape_declined(xvfb_display, sqlite_url, tmp_path):
    from stimuli import load_set

    full = load_set("stroop-en").trial_list(seed=2, include_practice=False)
    frame = pd.concat([full[full["block"] == 1].iloc[:2], full[full["block"] == 2].iloc[:2]])
    session_id = run_scripted("stroop", "P07", "stroop_escape_once_on_second", sqlite_url,
                              tmp_path, stimuli="stroop-en", trial_list=frame, practice=False,
                              confirm_key="n")
    store = Store(sqlite_url)
    assert store.get_session(session_id).status == "completed"
    trials = stored(store, session_id)
    assert trials["trial_index"].tolist() == frame["trial_index"].tolist()   # shown again, once
    assert trials["block"].tolist() == [1, 1, 2, 2]
    check_rts_match_plan(trials)
    assert [e.get("escape_declined") for e in trials["extras"]] == [None, 1, None, None]
    assert [e.get("after_break", False) for e in trials["extras"]] == [False, False, True, False]


# ---------------------------------------------------------------------------- a lab server
@pytest.mark.postgres
def test_simulated_session_on_postgresql(xvfb_display, pg_url, tmp_path):
    session_id = in_child(_session, "stroop", "PG1", db=pg_url, stimuli="stroop-en",
                          simulate=True, simulation=FAST_SIMULATION, seed=5, practice=False,
                          max_trials=4, csv_dir=str(tmp_path))
    store = Store(pg_url)
    assert store.get_session(session_id).status == "completed"
    frame = stored(store, session_id)
    assert len(frame) == 4 and frame["rt_ms"].notna().all()
    check_rts_match_plan(frame)
    store.dispose()


# ---------------------------------------------------------------------------- picture choices
def test_association_with_pictures_draws_target_and_choices(xvfb_display):
    """Picture items: the target and every choice picture are drawn where the layout puts
    them (checked on the back buffer, in-process: no keyboard is opened)."""
    from psychopy import visual

    from experiments.parameters import resolve_parameters
    from experiments.tasks import task_class
    from stimuli import load_set

    pictures = load_set("picture-word-en").trial_list(seed=1)["picture_file"].unique()[:5]
    trial = {"task": "association", "trial_index": 0, "target": "t",
             "choices": ["a", "b", "c", "d"], "expected_response": "b",
             "target_picture_file": pictures[0], "choice_picture_files": list(pictures[1:5])}
    cls = task_class("association")
    params = resolve_parameters(cls.parameters(), {}, task="association")
    task = cls(params)
    win = visual.Window((1024, 768), units="pix", color=task.rgb(params["background_rgb"]),
                        colorSpace="rgb", waitBlanking=False)
    try:
        task.setup(win)
        prepared = task.prepare(win, trial)
        win.clearBuffer()
        for component in prepared.components:
            component.draw()
        image = np.asarray(win.getMovieFrame(buffer="back").convert("RGB"), dtype=float)
        win.movieFrames = []
    finally:
        win.close()
    assert prepared.response_keys == {"1": "a", "2": "b", "3": "c", "4": "d"}
    stims = prepared.components[0].stims
    assert sum(type(stim).__name__ == "ImageStim" for stim in stims) == 5
    background = np.array(params["background_rgb"], dtype=float)
    target_pos, choice_pos = task.positions(4)
    h, w, _ = image.shape
    for x, y in [target_pos, *choice_pos]:
        row, col = int(h / 2 - y), int(w / 2 + x)
        patch = image[row - 60:row + 60, col - 60:col + 60]
        assert (np.abs(patch - background).sum(axis=2) > 60).mean() > 0.05, (x, y)
