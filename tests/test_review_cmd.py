"""``mirrorlab review`` on a real SQLite store whose voice trials were recorded through the real
VoiceRecorder (espeak-ng speech in noise): listing, flag reviews, interactive reviews from a
piped terminal, automatic re-measurement, and one-line errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from db.provenance import software_versions
from db.store import Store
from experiments.voice import SynthesizedSpeech, VoiceRecorder

REPO_ROOT = Path(__file__).resolve().parent.parent
# (item, word spoken, expected answer, language, latency the speaker uses)
TRIALS = [("i1", "red", "red", "en", 640.0), ("i2", "blue", "green", "en", 720.0),
          ("i3", "green", "green", "en", 810.0), ("i4", "あか", "red", "ja", 590.0)]


def mirrorlab(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mirrorlab", *args], cwd=REPO_ROOT, input=stdin,
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})


def in_process(*args: str) -> str:
    """The same entry point as the console script, in this process (faster); its stdout."""
    import contextlib
    import io

    from mirrorlab.cli import main

    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        status = main(list(args))
    assert status == 0, output.getvalue()
    return output.getvalue()


@pytest.fixture()
def voice_session(sqlite_url, tmp_path):
    return record_voice_session(sqlite_url, tmp_path)


def record_voice_session(url, tmp_path):
    """A voice Stroop session with four recorded trials (and one practice trial); odd trials
    keep the audio path and voice-key details under the runner's extras names."""
    store = Store(url)
    session_id = store.start_session(participant_code="P07", task="stroop", session_number=1,
                                     seed=5, language="en", response_mode="voice",
                                     software_versions=software_versions())
    clock_s = [50.0]
    source = SynthesizedSpeech(48000, snr_db=30, seed=9)
    recorder = VoiceRecorder(tmp_path / "audio", 48000, source=source, clock=lambda: clock_s[0])
    rows = [("p0", "red", "red", "en", 600.0, True)] + [(*t, False) for t in TRIALS]
    for index, (item, said, expected, language, latency_ms, practice) in enumerate(rows):
        start_s = recorder.start()
        onset_s = start_s + 0.017
        source.say(said, language, rt_ms=latency_ms)
        result = recorder.stop(f"P07_s1_t{index:03d}", onset_s)
        clock_s[0] += 3.0
        fields = result.trial_fields()
        if index % 2:  # the session runner's names for the same extras
            fields = {"rt_ms": result.rt_ms, "voice_wav": result.wav_path, "voice": result.details}
        store.add_trial({"task": "stroop", "instruction": "colour_naming", "item_id": item,
                         "condition": "congruent", "word": expected.upper(), "ink": expected,
                         "language": language, "expected_response": expected,
                         "source": "human", "agent": "P07", "session": 1,
                         "block": 0 if practice else 1, "trial_index": index,
                         "is_practice": practice, "rt_ms": fields.pop("rt_ms"),
                         "extras": fields}, session_id=session_id)
    recorder.close()
    frame = store.trials_frame(session_id=session_id)
    store.dispose()
    return url, session_id, frame


def test_recorded_onsets_are_stored_as_rts(voice_session):
    _, _, frame = voice_session
    latencies = [t[4] for t in TRIALS]
    assert list(frame["trial_index"]) == [1, 2, 3, 4]
    assert (frame["rt_ms"] - latencies).abs().max() <= 15


def test_list_shows_onsets_and_audio(voice_session):
    url, session_id, frame = voice_session
    done = mirrorlab("review", str(session_id), "--db", url, "--list")
    assert done.returncode == 0, done.stderr
    assert f"session {session_id}: 5 trials, 5 with recordings, 0 reviewed by a person" in done.stdout
    for row in frame.itertuples():
        assert f"{row.rt_ms:.1f}" in done.stdout
        assert f"P07_s1_t{row.trial_index:03d}.wav" in done.stdout
    assert in_process("review", "P07", "--db", url, "--list") == done.stdout  # participant code


def test_flag_review_is_applied_and_measured_value_kept(voice_session):
    url, session_id, frame = voice_session
    measured = float(frame.loc[frame["trial_index"] == 2, "rt_ms"].iloc[0])
    done = mirrorlab("review", str(session_id), "--db", url, "--trial", "2", "--correct", "no",
                     "--rt-ms", "655", "--note", "said blue", "--reviewer", "AK")
    assert done.returncode == 0, done.stderr
    assert "review stored" in done.stdout
    in_process("review", str(session_id), "--db", url, "--trial", "3", "--correct", "yes")
    # a later flag on the same trial keeps what was not given
    in_process("review", str(session_id), "--db", url, "--trial", "2", "--response", "blue",
               "--reviewer", "AK")

    store = Store(url)
    reviewed = store.trials_frame(session_id=session_id).set_index("trial_index")
    assert reviewed.loc[2, "rt_ms"] == 655.0
    assert reviewed.loc[2, "measured_rt_ms"] == pytest.approx(measured)
    assert reviewed.loc[2, "correct"] == False  # noqa: E712 - numpy/pandas booleans
    assert reviewed.loc[2, "response"] == "blue"
    assert reviewed.loc[3, "correct"] == True  # noqa: E712
    assert reviewed.loc[3, "rt_ms"] == reviewed.loc[3, "measured_rt_ms"]
    assert bool(reviewed.loc[2, "reviewed"]) and not bool(reviewed.loc[1, "reviewed"])
    raw = store.trials_frame(session_id=session_id, apply_reviews=False).set_index("trial_index")
    assert raw.loc[2, "rt_ms"] == pytest.approx(measured)
    with store.orm() as orm:
        from db.schema import TrialReview
        review = orm.get(TrialReview, int(reviewed.loc[2, "trial_id"]))
        assert (review.note, review.reviewer, review.response) == ("said blue", "AK", "blue")

    # "measured" drops the onset correction, keeps the accuracy mark
    in_process("review", str(session_id), "--db", url, "--trial", "2", "--rt-ms", "measured")
    after = Store(url).trials_frame(session_id=session_id).set_index("trial_index")
    assert after.loc[2, "rt_ms"] == pytest.approx(measured)
    assert after.loc[2, "correct"] == False  # noqa: E712


def test_interactive_review_from_piped_answers(voice_session):
    url, session_id, frame = voice_session
    # trial 1: correct, keep onset; trial 2: wrong, onset 700; trial 3: skip; then quit
    answers = "y\n\nn\n700\ns\nq\n"
    done = mirrorlab("review", str(session_id), "--db", url, "--no-play", "--reviewer", "AK",
                     stdin=answers)
    assert done.returncode == 0, done.stderr
    assert "4 of 5 recorded trials to review" in done.stdout
    assert "S stimulus, ^ onset" in done.stdout           # the level trace was drawn
    assert "2 reviews stored" in done.stdout
    reviewed = Store(url).trials_frame(session_id=session_id).set_index("trial_index")
    assert reviewed.loc[1, "correct"] == True  # noqa: E712
    assert reviewed.loc[1, "rt_ms"] == reviewed.loc[1, "measured_rt_ms"]
    assert reviewed.loc[2, "correct"] == False and reviewed.loc[2, "rt_ms"] == 700.0  # noqa: E712
    assert not bool(reviewed.loc[3, "reviewed"]) and not bool(reviewed.loc[4, "reviewed"])
    # a second pass only offers what is not reviewed yet; end of input stops cleanly
    rest = mirrorlab("review", str(session_id), "--db", url, "--no-play", stdin="y\n")
    assert rest.returncode == 0, rest.stderr
    assert "2 of 5 recorded trials to review" in rest.stdout
    assert "1 reviews stored" in rest.stdout


def test_auto_re_measures_unreviewed_trials_only(voice_session):
    url, session_id, frame = voice_session
    store = Store(url)
    first_id = int(frame.loc[frame["trial_index"] == 1, "trial_id"].iloc[0])
    store.review_trial(first_id, correct=True, rt_ms=500.0, reviewer="AK")  # a person's review
    # default parameters: the recordings give the measured onsets again -> nothing changes
    same = mirrorlab("review", str(session_id), "--db", url, "--auto")
    assert same.returncode == 0, same.stderr
    assert "0 onsets changed, 3 unchanged, 1 not re-measured" in same.stdout
    # a much less sensitive key (25 dB above the floor) finds onsets later
    strict = in_process("review", str(session_id), "--db", url, "--auto",
                        "--voice-key", "threshold_min_db=25", "--voice-key", "release_min_db=25")
    reviewed = store.trials_frame(session_id=session_id).set_index("trial_index")
    assert reviewed.loc[1, "rt_ms"] == 500.0                 # the person's review is untouched
    changed = [i for i in (2, 3, 4) if reviewed.loc[i, "rt_ms"] != reviewed.loc[i, "measured_rt_ms"]]
    assert changed and f"{len(changed)} onsets changed" in strict
    with store.orm() as orm:
        from db.schema import TrialReview
        reviewers = {r.reviewer for r in orm.query(TrialReview).all()}
    assert reviewers <= {"AK", "voicekey:energy-1"}


def test_unknown_session_is_one_line_and_exit_2(voice_session):
    url, _, _ = voice_session
    done = mirrorlab("review", "999", "--db", url, "--list")
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.strip().splitlines() == [
        f"mirrorlab: error: no session with id 999 in {url}"]


@pytest.mark.parametrize("args,expected", [
    (("NOBODY", "--list"), "no session 'NOBODY'"),
    (("{sid}", "--trial", "42", "--correct", "yes"), "has no trial 42"),
    (("{sid}", "--trial", "x", "--correct", "yes"), "--trial must be a whole number"),
    (("{sid}", "--trial-id", "4242", "--correct", "yes"), "has no trial with id 4242"),
    (("{sid}", "--trial", "1", "--rt-ms", "-5"), "--rt-ms must be a finite onset"),
    (("{sid}", "--trial", "1", "--rt-ms", "soon"), "--rt-ms must be a number"),
    (("{sid}", "--trial", "1"), "nothing to store"),
    (("{sid}", "--trial", "1", "--correct", "maybe"), "--correct must be yes or no"),
    (("{sid}", "--trial", "1", "--correct", "yes", "--auto"), "choose one of"),
    (("{sid}", "--correct", "yes"), "need --trial"),
    (("{sid}", "--auto", "--voice-key", "loudness=3"), "unknown voice-key parameter"),
    (("{sid}", "--auto", "--voice-key", "min_duration_ms"), "NAME=VALUE"),
])
def test_bad_input_is_one_line_and_exit_2(voice_session, capsys, args, expected):
    """Same entry point as the console script, run in-process to keep the suite fast."""
    from mirrorlab.cli import main

    url, session_id, _ = voice_session
    status = main(["review", *[a.format(sid=session_id) for a in args], "--db", url])
    captured = capsys.readouterr()
    assert status == 2, captured.out + captured.err
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mirrorlab: error:"), captured.err
    assert expected in lines[0]


def test_bad_input_changes_nothing(voice_session):
    from mirrorlab.cli import main

    url, session_id, _ = voice_session
    assert main(["review", str(session_id), "--db", url, "--trial", "1", "--rt-ms", "-5"]) == 2
    reviewed = Store(url).trials_frame(session_id=session_id)
    assert not reviewed["reviewed"].any()


@pytest.mark.postgres
def test_review_on_a_postgresql_lab_server(pg_url, tmp_path):
    url, session_id, frame = record_voice_session(pg_url, tmp_path)
    measured = float(frame.loc[frame["trial_index"] == 4, "rt_ms"].iloc[0])
    in_process("review", str(session_id), "--db", url, "--trial", "4", "--correct", "no",
               "--rt-ms", "612.5", "--reviewer", "AK")
    listing = in_process("review", str(session_id), "--db", url, "--list")
    assert "1 reviewed by a person" in listing and "612.5" in listing
    store = Store(url)
    reviewed = store.trials_frame(session_id=session_id).set_index("trial_index")
    assert reviewed.loc[4, "rt_ms"] == 612.5
    assert reviewed.loc[4, "measured_rt_ms"] == pytest.approx(measured)
    assert reviewed.loc[4, "correct"] == False  # noqa: E712
    store.dispose()


def test_interactive_review_points_at_a_skipped_breath(sqlite_url, tmp_path, monkeypatch, capsys):
    """A breath before the word is skipped by the voice key and shown to the reviewer."""
    import io

    import numpy as np
    from scipy.signal import butter, sosfilt

    from experiments.voice import PrerecordedSpeech, synthesize_word
    from experiments.voicekey import write_wav_pcm16
    from mirrorlab.cli import main

    rate = 48000
    speech = synthesize_word("pear", "en", rate)
    audio = np.concatenate([np.zeros(int(0.8 * rate)), speech, np.zeros(int(0.3 * rate))])
    rms = np.sqrt(np.mean(speech[: int(0.3 * rate)] ** 2))
    breath = sosfilt(butter(4, [400, 2500], btype="bandpass", fs=rate, output="sos"),
                     np.random.default_rng(4).standard_normal(int(0.2 * rate))) * np.hanning(int(0.2 * rate))
    audio[int(0.3 * rate):int(0.5 * rate)] += 0.5 * rms * breath / np.sqrt(np.mean(breath ** 2))
    audio += np.random.default_rng(5).standard_normal(audio.size) * rms / 10 ** (25 / 20)
    wav = write_wav_pcm16(tmp_path / "breath.wav", audio, rate)

    store = Store(sqlite_url)
    session_id = store.start_session(participant_code="P08", task="picture-word", response_mode="voice")
    recorder = VoiceRecorder(tmp_path / "audio", rate, source=PrerecordedSpeech([wav]),
                             clock=lambda: 20.0)
    start_s = recorder.start()
    result = recorder.stop("P08_t0", start_s + 0.1)   # stimulus 100 ms into the recording
    store.add_trial({"task": "picture-word", "item_id": "pear", "picture": "pear",
                     "expected_response": "pear", "source": "human", "agent": "P08",
                     "trial_index": 0, "block": 1, "rt_ms": result.rt_ms,
                     "extras": {k: v for k, v in result.trial_fields().items() if k != "rt_ms"}},
                    session_id=session_id)
    assert result.rt_ms == pytest.approx(700, abs=15)

    monkeypatch.setattr("sys.stdin", io.StringIO("y\n\n"))
    assert main(["review", str(session_id), "--db", sqlite_url, "--no-play"]) == 0
    shown = capsys.readouterr().out
    skipped = [line for line in shown.splitlines() if "unvoiced sounds skipped" in line]
    assert len(skipped) == 1
    skipped_ms = float(skipped[0].split(" at ")[1].split(" ms")[0])
    assert 150 <= skipped_ms <= 260                  # the breath began 200 ms after the stimulus
    assert Store(sqlite_url).trials_frame(session_id=session_id)["correct"].tolist() == [True]
