"""Experiments without a window: parameters, the simulated participant's model, the CSV file,
instruction texts, trial-list checks and the command line's refusals (no PsychoPy needed)."""

from __future__ import annotations

import csv
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from experiments.errors import ExperimentError
from experiments.instructions import instruction_text
from experiments.parameters import parse_param_options, resolve_parameters
from experiments.psychopy_csv import HEADER, PsychoPyCsv
from experiments.session_plan import check_trial_list, participant_index_for, shorten
from experiments.simulated import SimulationProfile, condition_mean_ms, draw_response
from experiments.tasks import TASKS, task_class


# ---------------------------------------------------------------------------- parameters
def test_parameters_defaults_and_string_overrides():
    declared = task_class("stroop").parameters()
    resolved = resolve_parameters(declared, {"iti_ms": "250", "key_map": "red:a,green:s",
                                             "end_on_response": "no"}, task="stroop")
    assert resolved["iti_ms"] == 250.0
    assert resolved["key_map"] == {"red": "a", "green": "s"}
    assert resolved["end_on_response"] is False
    assert resolved["fixation_ms"] == 500.0          # default kept


@pytest.mark.parametrize("override, fragment", [
    ({"nope_ms": 1}, "unknown parameter 'nope_ms'"),
    ({"iti_ms": "soon"}, "iti_ms='soon' is not a float"),
    ({"iti_ms": -5}, "below"),
    ({"key_map": "red"}, "key_map"),
])
def test_bad_parameters_are_one_line_user_errors(override, fragment):
    with pytest.raises(ExperimentError) as caught:
        resolve_parameters(task_class("stroop").parameters(), override, task="stroop")
    assert fragment in str(caught.value)
    assert "\n" not in str(caught.value)
    assert caught.value.user_facing is True


def test_param_options_need_name_equals_value():
    assert parse_param_options(["iti_ms=300", "key_map=red:d"]) == {"iti_ms": "300",
                                                                    "key_map": "red:d"}
    with pytest.raises(ExperimentError, match="NAME=VALUE"):
        parse_param_options(["iti_ms"])


def test_unknown_task_is_refused():
    with pytest.raises(ExperimentError, match="unknown task 'flanker'"):
        task_class("flanker")


def test_every_task_declares_documented_ms_parameters():
    for cls in TASKS.values():
        names = {p.name: p for p in cls.parameters()}
        for required in ("fixation_ms", "stimulus_duration_ms", "response_deadline_ms", "iti_ms"):
            assert names[required].unit == "ms"
            assert names[required].doc


# ---------------------------------------------------------------------------- instructions
def test_every_task_has_english_and_japanese_instructions():
    for cls in TASKS.values():
        for instruction in cls.instructions_supported:
            texts = cls.instruction_texts[instruction]
            assert set(texts) >= {"en", "ja"}
            japanese = instruction_text(cls.name, instruction, "ja", "KEYS")
            assert any("\u3040" <= ch <= "\u9fff" for ch in japanese)
            assert "KEYS" in japanese


# ---------------------------------------------------------------------------- simulated model
class _Stroop:
    name = "stroop"

    def key_for(self, trial, correct, rng):
        return "d" if correct else "f"


def _stroop_trial(index, condition):
    return {"task": "stroop", "instruction": "colour_naming", "condition": condition,
            "trial_index": index, "is_practice": False, "expected_response": "red"}


def test_simulated_draws_are_reproducible_and_seeded():
    profile = SimulationProfile()
    trial = _stroop_trial(3, "incongruent")
    first = draw_response(_Stroop(), trial, seed=11, profile=profile)
    again = draw_response(_Stroop(), trial, seed=11, profile=profile)
    other = draw_response(_Stroop(), trial, seed=12, profile=profile)
    assert first == again
    assert first.delay_ms != other.delay_ms


def test_simulated_stroop_rts_follow_published_condition_means():
    profile = SimulationProfile()
    means = {}
    for condition in ("congruent", "neutral", "incongruent"):
        delays = [draw_response(_Stroop(), _stroop_trial(i, condition), seed=5,
                                profile=profile).delay_ms for i in range(3000)]
        means[condition] = float(np.mean(delays))
    # Pratte et al. (2010) key-press means 703 / 720 / 790 ms (ex-Gaussian mean = mu + tau)
    assert means["congruent"] == pytest.approx(703, abs=8)
    assert means["neutral"] == pytest.approx(720, abs=8)
    assert means["incongruent"] == pytest.approx(790, abs=8)


def test_simulated_means_for_picture_word_and_continuous_naming():
    profile = SimulationProfile()
    related_0 = condition_mean_ms("picture-word", {"instruction": "picture_naming",
                                                   "condition": "related", "soa_ms": 0}, profile)
    nonword_0 = condition_mean_ms("picture-word", {"instruction": "picture_naming",
                                                   "condition": "nonword", "soa_ms": 0}, profile)
    assert related_0 - nonword_0 == pytest.approx(133)          # Glaser & Düngelhoff 1984
    positions = [condition_mean_ms("continuous-naming", {"ordinal_position": k}, profile)
                 for k in range(1, 6)]
    assert positions == [610.0, 635.0, 661.0, 688.0, 735.0]     # Howard et al. 2006
    scaled = SimulationProfile(effect_scale=2.0)
    assert condition_mean_ms("continuous-naming", {"ordinal_position": 5}, scaled) == 610 + 2 * 125


def test_unknown_simulation_parameter_is_refused():
    with pytest.raises(ExperimentError, match="unknown parameter 'speed'"):
        SimulationProfile.from_mapping({"speed": 2})


# ---------------------------------------------------------------------------- CSV
def test_csv_writes_psychopy_columns_and_appends_on_resume(tmp_path):
    path = tmp_path / "P01_stroop.csv"
    first = PsychoPyCsv(path)
    first.write({"participant": "P01", "key_resp.keys": "d", "key_resp.rt": 0.5123,
                 "key_resp.corr": 1, "choices": ["a", "b"]})
    first.close()
    second = PsychoPyCsv(path)                      # a resumed session appends
    second.write({"participant": "P01", "key_resp.keys": None})
    second.close()
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == HEADER
    assert len(rows) == 3
    assert {"participant", "session", "date", "expName", "psychopyVersion", "frameRate",
            "key_resp.keys", "key_resp.rt", "key_resp.corr"} <= set(rows[0])
    record = dict(zip(rows[0], rows[1]))
    assert record["key_resp.rt"] == "0.5123" and record["choices"] == "a|b"
    assert dict(zip(rows[0], rows[2]))["key_resp.keys"] == ""


# ---------------------------------------------------------------------------- trial lists
def _stroop_list(n_practice=2, n_main=6):
    rows = []
    for index in range(n_practice + n_main):
        rows.append({"task": "stroop", "instruction": "colour_naming", "item_id": f"i{index}",
                     "condition": "neutral", "language": "en", "expected_response": "red",
                     "block": 0 if index < n_practice else 1, "trial_index": index,
                     "is_practice": index < n_practice, "word": "XXXX", "ink": "red"})
    return pd.DataFrame(rows)


def test_shorten_keeps_the_first_trials_of_each_part():
    frame = shorten(_stroop_list(), max_trials=3, max_practice_trials=1, practice=True)
    assert frame["trial_index"].tolist() == [0, 2, 3, 4]
    assert shorten(_stroop_list(), None, None, practice=False)["is_practice"].sum() == 0


def test_trial_list_checks_name_the_missing_columns():
    with pytest.raises(ExperimentError, match="lacks column\\(s\\) ink"):
        check_trial_list(_stroop_list().drop(columns=["ink"]), task_class("stroop"), "test")
    with pytest.raises(ExperimentError, match="empty"):
        check_trial_list(_stroop_list().iloc[0:0], task_class("stroop"), "test")
    with pytest.raises(ExperimentError, match="not picture-word"):
        check_trial_list(_stroop_list(), task_class("picture-word"), "test")


def test_participant_index_uses_the_code_number_or_a_stable_hash():
    assert participant_index_for("P07") == 7
    assert participant_index_for("anna") == participant_index_for("anna")


# ---------------------------------------------------------------------------- command line
def test_help_does_not_import_psychopy():
    code = ("import sys; from mirrorlab.cli import build_parser; build_parser(); "
            "import experiments.runner, experiments.tasks; "
            "print(','.join(m for m in ('psychopy', 'torch', 'statsmodels') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == ""


def test_duplicate_participant_refused_without_resume(sqlite_url, capsys, monkeypatch):
    monkeypatch.setenv("DISPLAY", ":99")        # never opened: refused before
    from db.store import Store
    from mirrorlab.cli import main

    Store(sqlite_url).start_session(participant_code="P01", task="stroop", session_number=1)
    status = main(["run", "stroop", "--participant", "P01", "--db", sqlite_url, "--windowed"])
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("mirrorlab: error: participant 'P01' already has stroop session 1")
    assert "--resume" in err and err.count("\n") == 1 and "Traceback" not in err


def test_resume_without_a_session_is_refused(sqlite_url, capsys, monkeypatch):
    monkeypatch.setenv("DISPLAY", ":99")        # never opened: refused before
    from mirrorlab.cli import main

    status = main(["run", "stroop", "--participant", "P02", "--db", sqlite_url, "--resume"])
    assert status == 2
    assert "has no stroop session 1" in capsys.readouterr().err


def test_bad_param_on_the_command_line_is_one_line(sqlite_url, capsys, monkeypatch):
    monkeypatch.setenv("DISPLAY", ":99")        # never opened: refused before
    from db.store import Store
    from mirrorlab.cli import main

    status = main(["run", "stroop", "--participant", "P03", "--db", sqlite_url,
                   "--param", "iti_ms=fast"])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1 and "iti_ms='fast'" in err
    assert Store(sqlite_url).sessions_frame().empty         # nothing was started


def test_stroop_key_map_must_cover_every_answer_before_a_session_exists(sqlite_url, capsys,
                                                                        monkeypatch):
    from db.store import Store
    from mirrorlab.cli import main

    monkeypatch.setenv("DISPLAY", ":99")        # never opened: the refusal comes first
    status = main(["run", "stroop", "--participant", "P04", "--db", sqlite_url,
                   "--param", "key_map=red:d,green:f,blue:j"])
    err = capsys.readouterr().err
    assert status == 2 and "key_map has no key for yellow" in err and err.count("\n") == 1
    status = main(["run", "stroop", "--participant", "P04", "--db", sqlite_url,
                   "--param", "key_map=red:d,green:d,blue:j,yellow:k"])
    assert status == 2 and "same key" in capsys.readouterr().err
    assert Store(sqlite_url).sessions_frame().empty


def test_no_display_is_refused_before_a_session_exists(sqlite_url, capsys, monkeypatch):
    from db.store import Store
    from mirrorlab.cli import main

    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    status = main(["run", "stroop", "--participant", "P05", "--db", sqlite_url])
    assert status == 2 and "no display" in capsys.readouterr().err
    assert Store(sqlite_url).sessions_frame().empty


@pytest.mark.parametrize("layout, n, keys", [
    ("digits", 2, ["1", "2"]), ("digits", 4, ["1", "2", "3", "4"]),
    ("arrows", 2, ["left", "right"]), ("arrows", 4, ["up", "left", "right", "down"]),
])
def test_association_key_layouts(layout, n, keys):
    cls = task_class("association")
    params = resolve_parameters(cls.parameters(), {"key_layout": layout}, task="association")
    task = cls(params)
    choices = [f"c{i}" for i in range(n)]
    assert task.response_key_map({"choices": choices}) == dict(zip(keys, choices))
    target, positions = task.positions(n)
    assert len(set(positions)) == n and target not in positions


def test_word_reading_uses_glaser_dungelhoffs_soa_sign():
    """soa_ms is word − picture onset; in word reading G&D's SOA is picture − word."""
    profile = SimulationProfile()

    def effect(instruction, condition, soa_ms):
        trial = {"instruction": instruction, "condition": condition, "soa_ms": soa_ms}
        nonword = dict(trial, condition="nonword")
        return (condition_mean_ms("picture-word", trial, profile)
                - condition_mean_ms("picture-word", nonword, profile))

    # picture 400 ms before the word = G&D word-reading SOA −400: identity effect −32 ms
    assert effect("word_reading", "identical", 400.0) == pytest.approx(-32.0)
    assert effect("word_reading", "identical", -400.0) == pytest.approx(-2.0)
    # picture naming: word 400 ms before the picture = G&D SOA −400: identity −78 ms
    assert effect("picture_naming", "identical", -400.0) == pytest.approx(-78.0)
