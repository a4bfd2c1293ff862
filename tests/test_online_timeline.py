"""The browser's session description, built from a real session plan on a real SQLite file:
the same instructions (en/ja), trial order, SOAs and keys as the lab session."""

from __future__ import annotations

import pytest

from db.store import Store
from experiments.instructions import instruction_text
from experiments.online.session_adapter import OnlineSessions, SlotClosed
from experiments.online.timeline import session_timeline


def open_slot(url, task, lang, **options):
    sessions = OnlineSessions(Store(url))
    (slot, token), = sessions.create_slots(study="tl", n=1, task=task, language=lang,
                                          options={"max_trials": 12, "max_practice_trials": 2,
                                                   "source": "simulated", **options})
    opened = sessions.open(slot)
    spec = session_timeline(opened, lambda r, which: f"/pic/{r['trial_index']}/{which}")
    return sessions, slot, opened, spec


def test_japanese_stroop_has_the_lab_instructions_and_keys(sqlite_url):
    _, _, opened, spec = open_slot(sqlite_url, "stroop", "ja")
    assert spec["language"] == "ja" and "色名呼称" in spec["intro"]
    assert instruction_text("stroop", "colour_naming", "ja", "赤 = D   緑 = F   青 = J   黄 = K") in spec["intro"]
    assert [t["trial_index"] for t in spec["trials"]] == [int(r["trial_index"]) for r in opened.to_run]
    for trial, record in zip(spec["trials"], opened.to_run):
        (component,) = trial["components"]
        assert component["is_target"] and component["items"][0]["text"] == record["word"]
        assert trial["keys"] == {"d": "d", "f": "f", "j": "j", "k": "k"}


def test_picture_word_components_follow_the_planned_soa(sqlite_url):
    _, _, opened, spec = open_slot(sqlite_url, "picture-word", "en")
    assert spec["params"]["iti_ms"] == 1500.0
    for trial, record in zip(spec["trials"], opened.to_run):
        by_name = {c["name"]: c for c in trial["components"]}
        assert by_name["picture"]["is_target"]
        assert by_name["word"]["start_ms"] == pytest.approx(float(record["soa_ms"]))
        assert by_name["word"]["items"][0]["text"] == record["distractor"]
        assert by_name["picture"]["items"][0]["src"] == f"/pic/{record['trial_index']}/picture"
        assert trial["keys"] == {" ": "space"}


def test_a_completed_session_cannot_be_opened_again(sqlite_url):
    sessions, slot, opened, _ = open_slot(sqlite_url, "stroop", "en")
    for record in opened.to_run:
        sessions.store_trial(slot, {"trial_index": int(record["trial_index"]),
                                    "is_practice": bool(record["is_practice"]), "key": "d",
                                    "target_onset_ms": 100.0, "key_time_ms": 700.0})
    assert sessions.finish(slot) == "completed"
    with pytest.raises(SlotClosed):
        sessions.open(slot)
