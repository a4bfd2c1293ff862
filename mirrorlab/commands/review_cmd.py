"""``mirrorlab review SESSION``: check the voice trials of a session, mark accuracy, correct onsets.

An energy voice key finds soft onsets (/f/ /s/ /h/) late and takes a cough for speech, and
it cannot tell a right answer from a wrong one, so after a voice session the experimenter
goes through the recordings (the CheckVocal workflow, Protopapas 2007): listen, look at the
level trace with the detected onset, answer "correct?" and, if needed, type the right onset.

This module keeps the prompts; reading a session's trials and applying a review live in
``db.reviews`` (no SQL here). Reviews are stored beside the trials and never overwrite the
measured values; ``Store.trials_frame()`` (what the analysis reads) applies them and keeps
the measured RT in ``measured_rt_ms``. Every review is committed as soon as it is given.

Modes: interactive (default), ``--list``, one trial from flags (``--trial N --correct yes
--rt-ms 612 --note ...``) for scripts, and ``--auto``, which re-runs the voice key on every
recording not yet reviewed by a person (e.g. with ``--voice-key band_high_hz=6000`` for a
fricative-initial stimulus set) and stores the onsets that changed as reviews by
``voicekey:<method>``.
"""

from __future__ import annotations

import argparse
import getpass
import math
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from db.reviews import (AUDIO_KEYS, AUTO_REVIEWER_PREFIX, KEEP,  # noqa: F401
                        VOICE_KEY_DETAILS_KEYS, apply_review)
from mirrorlab.cli import add_db_option

LEVEL_BARS = " ▁▂▃▄▅▆▇█"


class ReviewError(Exception):
    """A review that cannot be done as asked (unknown session or trial, bad value), one line."""

    user_facing = True


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "review", help="go through a session's voice trials: mark accuracy, correct onsets",
        description="Listen to each voice trial of a session, see the detected onset, mark the "
                    "answer correct or not and correct the onset. Reviews are stored beside the "
                    "trials (measured values are kept) and used by the analysis. Without --list, "
                    "--trial or --auto the review is interactive.",
        epilog="Examples: mirrorlab review 3 --list | mirrorlab review 3 | "
               "mirrorlab review 3 --trial 12 --correct no --rt-ms 655 --note 'said pear' | "
               "mirrorlab review 3 --auto --voice-key band_high_hz=6000")
    parser.add_argument("session", metavar="SESSION",
                        help="session id (see `mirrorlab db info`), or a participant code that "
                             "has exactly one voice session")
    add_db_option(parser)
    mode = parser.add_argument_group("what to do")
    mode.add_argument("--list", action="store_true",
                      help="list the session's trials with onset, review and audio file, then stop")
    mode.add_argument("--trial", metavar="N", help="the trial to review (trial index in the session)")
    mode.add_argument("--trial-id", metavar="ID", help="the trial to review (database trial id)")
    mode.add_argument("--auto", action="store_true",
                      help="re-measure every onset not reviewed by a person from its recording")
    values = parser.add_argument_group("review values (with --trial)")
    values.add_argument("--correct", metavar="yes|no", help="was the answer right?")
    values.add_argument("--rt-ms", metavar="X",
                        help="corrected voice onset in ms after stimulus onset ('measured' drops "
                             "an earlier correction)")
    values.add_argument("--response", metavar="TEXT", help="what the participant said")
    values.add_argument("--note", metavar="TEXT", help="free note stored with the review")
    values.add_argument("--reviewer", metavar="NAME", default=None,
                        help="who reviews (default: your login name)")
    options = parser.add_argument_group("review options")
    options.add_argument("--voice-key", metavar="NAME=VALUE", action="append", default=[],
                         help="voice-key parameter for --auto (e.g. band_high_hz=6000, "
                              "min_duration_ms=50); repeatable")
    options.add_argument("--all", action="store_true",
                         help="interactive: also go through trials already reviewed")
    options.add_argument("--no-play", action="store_true",
                         help="interactive: do not play the recordings")
    parser.set_defaults(handler=run_review)


# ---------------------------------------------------------------------------- reading
# The trials as a review sees them, and applying a review, live in ``db.reviews``.
from db.reviews import ReviewTrial, load_session_trials  # noqa: E402,F401


def resolve_session(store, text: str) -> int:
    """A session id from the SESSION argument (an id, or a participant code with one voice session)."""
    text = str(text).strip()
    if text.isdigit():
        store.get_session(int(text))  # StoreError (one line) if there is none
        return int(text)
    sessions = store.sessions_frame()
    mine = sessions[sessions["participant"] == text]
    if mine.empty:
        raise ReviewError(f"no session {text!r} in {store.url}: give a session id or a participant "
                          "code (see `mirrorlab db info`)")
    voice = mine[mine["response_mode"] == "voice"]
    candidates = voice if not voice.empty else mine
    if len(candidates) > 1:
        listing = ", ".join(f"{row.session_id} ({row.task} #{row.session_number})"
                            for row in candidates.itertuples())
        raise ReviewError(f"participant {text!r} has several sessions: give one id of {listing}")
    return int(candidates["session_id"].iloc[0])


def find_trial(trials: list[ReviewTrial], session_id: int, index: str | None,
               trial_id: str | None) -> ReviewTrial:
    if trial_id is not None:
        wanted = _integer(trial_id, "--trial-id")
        matches = [t for t in trials if t.trial_id == wanted]
        if not matches:
            raise ReviewError(f"session {session_id} has no trial with id {wanted}")
        return matches[0]
    wanted = _integer(index, "--trial")
    matches = [t for t in trials if t.trial_index == wanted]
    if not matches:
        known = [t.trial_index for t in trials if t.trial_index is not None]
        span = f" (trial indices {min(known)}-{max(known)})" if known else " (it has no trials)"
        raise ReviewError(f"session {session_id} has no trial {wanted}{span}")
    if len(matches) > 1:
        ids = ", ".join(str(t.trial_id) for t in matches)
        raise ReviewError(f"session {session_id} has several trials with index {wanted}: "
                          f"use --trial-id with one of {ids}")
    return matches[0]


def _integer(text: str | None, option: str) -> int:
    try:
        return int(str(text).strip())
    except ValueError:
        raise ReviewError(f"{option} must be a whole number, got {text!r}") from None


def parse_correct(text: str) -> bool:
    answer = str(text).strip().lower()
    if answer in ("yes", "y", "true", "1", "correct"):
        return True
    if answer in ("no", "n", "false", "0", "wrong", "error"):
        return False
    raise ReviewError(f"--correct must be yes or no, got {text!r}")


def parse_rt_ms(text: str) -> float | None:
    """A corrected onset in ms (>= 0); 'measured' means: no correction."""
    text = str(text).strip().lower()
    if text in ("measured", "m"):
        return None
    try:
        value = float(text)
    except ValueError:
        raise ReviewError(f"--rt-ms must be a number of ms or 'measured', got {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise ReviewError(f"--rt-ms must be a finite onset >= 0 ms after stimulus onset, got {text!r}")
    return value


# ---------------------------------------------------------------------------- writing
_KEEP = KEEP


def store_review(store, trial: ReviewTrial, *, correct: Any = KEEP, rt_ms: Any = KEEP,
                 response: Any = KEEP, note: Any = KEEP, reviewer: str | None) -> dict[str, Any]:
    """``db.reviews.apply_review``: fields not given keep their earlier reviewed value."""
    return apply_review(store, trial, correct=correct, rt_ms=rt_ms, response=response,
                        note=note, reviewer=reviewer)


def default_reviewer() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "experimenter"


# ---------------------------------------------------------------------------- display
def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _yes_no(value: bool | None) -> str:
    return "-" if value is None else ("yes" if value else "no")


def format_listing(trials: list[ReviewTrial], session_id: int) -> str:
    import pandas as pd

    rows = []
    for t in trials:
        audio = t.audio_path or "-"
        if t.audio_path and not Path(t.audio_path).exists():
            audio += " (missing)"
        rows.append({
            "trial": "-" if t.trial_index is None else t.trial_index, "id": t.trial_id,
            "block": "-" if t.block is None else t.block, "practice": "yes" if t.is_practice else "",
            "item": t.item_id or "-", "stimulus": t.stimulus or "-",
            "expected": t.expected_response or "-", "condition": t.condition or "-",
            "rt_ms": _ms(t.rt_ms), "measured_rt_ms": _ms(t.measured_rt_ms),
            "correct": _yes_no(t.correct),
            "reviewed": (t.review or {}).get("reviewer") or ("yes" if t.review else ""),
            "audio": audio})
    n_audio = sum(1 for t in trials if t.audio_path)
    n_reviewed = sum(1 for t in trials if t.reviewed_by_person)
    head = (f"session {session_id}: {len(trials)} trials, {n_audio} with recordings, "
            f"{n_reviewed} reviewed by a person")
    if not rows:
        return head
    return head + "\n" + pd.DataFrame(rows).to_string(index=False)


def level_trace(trial: ReviewTrial, width: int = 64) -> list[str]:
    """Two lines: the recording's level over time as bars, and markers for the stimulus
    onset (S) and the voice onset (^)."""
    import numpy as np

    from experiments.voicekey import read_wav

    samples, rate = read_wav(trial.audio_path)
    if samples.size < width:
        return []
    columns = np.array_split(samples - samples.mean(), width)
    levels = np.array([10 * np.log10(np.mean(c * c) + 1e-12) for c in columns])
    low, high = np.percentile(levels, 5), levels.max()
    scaled = np.clip((levels - low) / max(high - low, 1e-6), 0, 1)
    bars = "".join(LEVEL_BARS[int(round(v * (len(LEVEL_BARS) - 1)))] for v in scaled)
    duration_ms = 1000.0 * samples.size / rate
    markers = [" "] * width
    stimulus_ms = trial.voice_key.get("stimulus_onset_in_recording_ms")
    for position_ms, mark in ((stimulus_ms, "S"),
                              (None if trial.rt_ms is None or stimulus_ms is None
                               else stimulus_ms + trial.rt_ms, "^")):
        if position_ms is not None and 0 <= position_ms <= duration_ms:
            markers[min(width - 1, int(position_ms / duration_ms * width))] = mark
    return [f"  |{bars}| 0-{duration_ms:.0f} ms", f"  |{''.join(markers)}|  S stimulus, ^ onset"]


class AudioPlayer:
    """Plays WAV files with sox's ``play``; says once why it cannot, then stays quiet."""

    def __init__(self, enabled: bool):
        self.program = shutil.which("play") if enabled else None
        self.enabled = enabled
        self._complained = False

    def play(self, path: str | None) -> None:
        if not self.enabled or not path:
            return
        if self.program is None:
            self._complain("sox's `play` is not installed (Debian package sox)")
            return
        done = subprocess.run([self.program, "-q", path], capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            lines = [line for line in done.stderr.splitlines() if line.strip()]
            self._complain(lines[-1].strip() if lines else f"play exited with {done.returncode}")

    def _complain(self, why: str) -> None:
        if not self._complained:
            print(f"  (cannot play audio: {why}; use --no-play to silence this)")
            self._complained = True


# ---------------------------------------------------------------------------- modes
def run_review(args: argparse.Namespace) -> int:
    from db.store import Store

    store = Store(args.db)
    session_id = resolve_session(store, args.session)
    trials = load_session_trials(store, session_id)
    reviewer = args.reviewer or default_reviewer()
    flags_given = any(v is not None for v in (args.correct, args.rt_ms, args.response, args.note))
    one_trial = args.trial is not None or args.trial_id is not None
    if sum((one_trial, args.list, args.auto)) > 1:
        raise ReviewError("choose one of --list, --trial/--trial-id and --auto")
    if one_trial:
        return review_one(store, session_id, trials, args, reviewer)
    if flags_given:
        raise ReviewError("--correct, --rt-ms, --response and --note need --trial N or --trial-id ID")
    if args.list:
        print(format_listing(trials, session_id))
        return 0
    if args.auto:
        return review_auto(store, session_id, trials, args.voice_key)
    return review_interactive(store, session_id, trials, reviewer, include_reviewed=args.all,
                              player=AudioPlayer(enabled=not args.no_play))


def review_one(store, session_id: int, trials: list[ReviewTrial], args: argparse.Namespace,
               reviewer: str) -> int:
    trial = find_trial(trials, session_id, args.trial, args.trial_id)
    changes: dict[str, Any] = {}
    if args.correct is not None:
        changes["correct"] = parse_correct(args.correct)
    if args.rt_ms is not None:
        changes["rt_ms"] = parse_rt_ms(args.rt_ms)
    if args.response is not None:
        changes["response"] = args.response
    if args.note is not None:
        changes["note"] = args.note
    if not changes:
        raise ReviewError(f"nothing to store for {trial.label}: give --correct, --rt-ms, "
                          "--response or --note")
    store_review(store, trial, reviewer=reviewer, **changes)
    print(f"session {session_id} {trial.label} (id {trial.trial_id}): correct {_yes_no(trial.correct)}, "
          f"rt {_ms(trial.rt_ms)} ms (measured {_ms(trial.measured_rt_ms)}) - review stored")
    return 0


def review_auto(store, session_id: int, trials: list[ReviewTrial], overrides: list[str]) -> int:
    from experiments.voicekey import VOICE_KEY_VERSION, VoiceKeyParams, measure_voice_onset, read_wav

    params = VoiceKeyParams.from_kwargs(**_parse_overrides(overrides))
    setting = ", ".join(overrides) or "default parameters"
    voiced = [t for t in trials if t.audio_path and not t.is_practice]
    if not voiced:
        raise ReviewError(f"session {session_id} has no voice recordings (outside practice) "
                          "to re-measure")
    changed = kept = skipped = 0
    for trial in voiced:
        if trial.reviewed_by_person:
            skipped += 1
            continue
        if not Path(trial.audio_path).exists():
            print(f"{trial.label}: recording missing ({trial.audio_path}), left as it is")
            skipped += 1
            continue
        stimulus_ms = trial.voice_key.get("stimulus_onset_in_recording_ms")
        if stimulus_ms is None:
            print(f"{trial.label}: no voice-key timing stored with the trial, left as it is")
            skipped += 1
            continue
        samples, rate = read_wav(trial.audio_path)
        onset_ms = measure_voice_onset(samples, rate, params).onset_ms
        if onset_ms is None:
            print(f"{trial.label}: no onset found with {setting}; review it by ear")
            skipped += 1
            continue
        new_rt_ms = round(onset_ms - float(stimulus_ms), 3)
        if trial.measured_rt_ms is not None and abs(new_rt_ms - trial.measured_rt_ms) < 0.5:
            if trial.review is not None:  # an earlier automatic correction no longer applies
                store_review(store, trial, rt_ms=None, note=f"re-measured with {setting}",
                             reviewer=AUTO_REVIEWER_PREFIX + VOICE_KEY_VERSION)
            kept += 1
            continue
        store_review(store, trial, rt_ms=new_rt_ms, note=f"re-measured with {setting}",
                     reviewer=AUTO_REVIEWER_PREFIX + VOICE_KEY_VERSION)
        print(f"{trial.label}: onset {_ms(trial.measured_rt_ms)} -> {new_rt_ms:.1f} ms")
        changed += 1
    print(f"session {session_id}: {changed} onsets changed, {kept} unchanged, {skipped} not "
          f"re-measured (reviewed by a person, missing audio or no onset) - {setting}")
    return 0


def _parse_overrides(overrides: list[str]) -> dict[str, float]:
    values: dict[str, float] = {}
    for text in overrides:
        name, sep, value = text.partition("=")
        if not sep:
            raise ReviewError(f"--voice-key needs NAME=VALUE, got {text!r}")
        try:
            number = float(value)
        except ValueError:
            raise ReviewError(f"--voice-key {name.strip()} needs a number, got {value!r}") from None
        values[name.strip()] = int(number) if name.strip() == "filter_order" else number
    return values


def review_interactive(store, session_id: int, trials: list[ReviewTrial], reviewer: str, *,
                       include_reviewed: bool, player: AudioPlayer) -> int:
    todo = [t for t in trials if t.audio_path and not t.is_practice
            and (include_reviewed or not t.reviewed_by_person)]
    voiced = sum(1 for t in trials if t.audio_path)
    if voiced == 0:
        raise ReviewError(f"session {session_id} has no voice recordings to review "
                          "(use --trial N --correct yes|no for keyboard trials)")
    print(f"session {session_id}: {len(todo)} of {voiced} recorded trials to review "
          f"(reviewer {reviewer}). Answers: y/n, enter keeps, r replays, s skips, q quits.")
    done = 0
    for number, trial in enumerate(todo, start=1):
        outcome = _review_trial_interactively(store, trial, reviewer, player, number, len(todo))
        done += outcome.startswith("stored")
        if outcome.endswith("quit"):
            break
    print(f"session {session_id}: {done} reviews stored")
    return 0


def _ask(prompt: str) -> str | None:
    """One answer from the terminal; None at end of input."""
    print(prompt, end="", flush=True)
    line = sys.stdin.readline()
    if not line:
        print()
        return None
    return line.strip()


def _review_trial_interactively(store, trial: ReviewTrial, reviewer: str, player: AudioPlayer,
                                number: int, total: int) -> str:
    soa = "" if trial.soa_ms is None else f"  SOA {trial.soa_ms:+.0f} ms"
    print(f"\n[{number}/{total}] {trial.label} (id {trial.trial_id})  item {trial.item_id or '-'}  "
          f"{trial.condition or ''}{soa}")
    print(f"  stimulus: {trial.stimulus or '-'}   expected: {trial.expected_response or '-'}")
    print(f"  audio: {trial.audio_path}")
    if not Path(trial.audio_path).exists():
        print("  recording missing: skipped")
        return "skipped"
    for line in level_trace(trial):
        print(line)
    print(f"  voice onset: {_ms(trial.rt_ms)} ms after stimulus onset "
          f"(measured {_ms(trial.measured_rt_ms)})")
    skipped_ms = trial.voice_key.get("rejected_unvoiced_ms") or []
    stimulus_ms = trial.voice_key.get("stimulus_onset_in_recording_ms")
    if skipped_ms and stimulus_ms is not None:
        times = ", ".join(f"{t - stimulus_ms:.0f}" for t in skipped_ms)
        print(f"  unvoiced sounds skipped by the voice key at {times} ms (breath? noise?)")
    player.play(trial.audio_path)
    while True:
        keep = _yes_no(trial.correct)
        answer = _ask(f"  correct? [y/n, enter keeps '{keep}', r replays, s skips, q quits] ")
        if answer is None or answer.lower() == "q":
            return "quit"
        answer = answer.lower()
        if answer == "r":
            player.play(trial.audio_path)
            continue
        if answer == "s":
            return "skipped"
        if answer in ("", "y", "yes", "n", "no"):
            break
        print("  please answer y, n, r, s or q")
    correct: Any = _KEEP if answer == "" else answer.startswith("y")
    end_of_input = False
    while True:
        onset = _ask(f"  onset ms [enter keeps {_ms(trial.rt_ms)}, m = measured] ")
        if onset is None or onset == "":  # end of input keeps the onset, stores the answer
            end_of_input = onset is None
            rt_ms: Any = _KEEP
            break
        try:
            rt_ms = parse_rt_ms(onset)
            break
        except ReviewError as error:
            print(f"  {error}")
    if correct is _KEEP and rt_ms is _KEEP and trial.review is not None:
        return "quit" if end_of_input else "skipped"
    store_review(store, trial, correct=correct, rt_ms=rt_ms, reviewer=reviewer)
    print(f"  stored: correct {_yes_no(trial.correct)}, onset {_ms(trial.rt_ms)} ms")
    return "stored-quit" if end_of_input else "stored"


if __name__ == "__main__":  # pragma: no cover - `python -m mirrorlab.commands.review_cmd`
    from mirrorlab.cli import main

    raise SystemExit(main(["review", *sys.argv[1:]]))
