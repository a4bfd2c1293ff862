"""VoiceRecorder with sources of real audio (WAV files, espeak-ng speech): the WAV it writes,
the RT relative to stimulus onset, never overwriting a recording, and the one-line error
when there is no microphone."""

from __future__ import annotations

import wave

import numpy as np
import pytest

from experiments.voice import (
    MicrophoneUnavailableError,
    PrerecordedSpeech,
    SynthesizedSpeech,
    VoiceRecorder,
    VoiceResult,
    synthesize_word,
)
from experiments.voicekey import detect_voice_onset, read_wav, write_wav_pcm16

RATE = 48000


class FakeFlipClock:
    """A clock the test advances, standing in for the flip times of a window (the recorder
    and its sources are real; only time is chosen by the test)."""

    def __init__(self, now_s: float = 100.0):
        self.now_s = now_s

    def __call__(self) -> float:
        return self.now_s


def speech_file(path, word, language, speech_at_ms, snr_db=30, seed=0):
    speech = synthesize_word(word, language, RATE)
    lead = int(RATE * speech_at_ms / 1000)
    signal = np.concatenate([np.zeros(lead), speech, np.zeros(int(0.3 * RATE))])
    rms = np.sqrt(np.mean(speech[: int(0.3 * RATE)] ** 2))
    signal += np.random.default_rng(seed).standard_normal(signal.size) * rms / 10 ** (snr_db / 20)
    return write_wav_pcm16(path, signal, RATE)


def test_prerecorded_trials_give_rt_from_stimulus_onset(tmp_path):
    files = [speech_file(tmp_path / "in-1.wav", "red", "en", 720, seed=1),
             speech_file(tmp_path / "in-2.wav", "あお", "ja", 930, seed=2)]
    clock = FakeFlipClock()
    recorder = VoiceRecorder(tmp_path / "audio", RATE, source=PrerecordedSpeech(files), clock=clock)
    results = []
    for label, flip_delay_s in (("P01_s1_t000", 0.020), ("P01_s1_t001", 0.035)):
        start_s = recorder.start()
        onset_s = start_s + flip_delay_s          # the stimulus flip came after start()
        clock.now_s += 1.5
        results.append(recorder.stop(label, onset_s))
    recorder.close()

    first, second = results
    assert isinstance(first, VoiceResult)
    assert first.rt_ms == pytest.approx(720 - 20, abs=15)
    assert second.rt_ms == pytest.approx(930 - 35, abs=15)
    assert first.details["stimulus_onset_in_recording_ms"] == pytest.approx(20)
    assert first.details["onset_ms"] - first.details["stimulus_onset_in_recording_ms"] == \
        pytest.approx(first.rt_ms, abs=1e-3)
    for result, label in zip(results, ("P01_s1_t000", "P01_s1_t001")):
        assert result.wav_path == str(tmp_path / "audio" / f"{label}.wav")
        with wave.open(result.wav_path) as handle:
            assert (handle.getsampwidth(), handle.getnchannels(), handle.getframerate()) == (2, 1, RATE)
        samples, rate = read_wav(result.wav_path)   # the saved file gives the same onset
        assert detect_voice_onset(samples, rate) == pytest.approx(result.details["onset_ms"], abs=1.0)
    fields = first.trial_fields()
    assert fields["rt_ms"] == first.rt_ms and fields["audio_path"] == first.wav_path
    assert fields["voice_key"]["threshold_db"] > fields["voice_key"]["floor_db"]


def test_a_recording_is_never_overwritten(tmp_path):
    files = [speech_file(tmp_path / f"in-{i}.wav", "green", "en", 600, seed=i) for i in range(2)]
    clock = FakeFlipClock()
    recorder = VoiceRecorder(tmp_path / "audio", RATE, source=PrerecordedSpeech(files), clock=clock)
    paths = []
    for _ in range(2):
        start_s = recorder.start()
        paths.append(recorder.stop("P01/s1 trial 3", start_s).wav_path)
    assert paths == [str(tmp_path / "audio" / "P01_s1_trial_3.wav"),
                     str(tmp_path / "audio" / "P01_s1_trial_3-2.wav")]
    assert all(read_wav(p)[0].size > RATE // 2 for p in paths)


@pytest.mark.parametrize("word,language,rt_ms", [("yellow", "en", 640.0), ("きいろ", "ja", 820.0)])
def test_synthesized_speaker_is_measured_at_its_latency(tmp_path, word, language, rt_ms):
    clock = FakeFlipClock()
    source = SynthesizedSpeech(RATE, snr_db=25, seed=7)
    recorder = VoiceRecorder(tmp_path, RATE, source=source, clock=clock)
    start_s = recorder.start()
    onset_s = start_s + 1 / 60                   # flip one frame after start()
    source.say(word, language, rt_ms=rt_ms)
    result = recorder.stop("sim", onset_s)
    assert result.rt_ms == pytest.approx(rt_ms, abs=15)
    assert result.details["source"] == "synthesized"
    assert not result.details["anticipation"]


def test_no_speech_gives_no_rt_but_keeps_the_audio(tmp_path):
    clock = FakeFlipClock()
    recorder = VoiceRecorder(tmp_path, RATE, source=SynthesizedSpeech(RATE, seed=3), clock=clock)
    start_s = recorder.start()
    result = recorder.stop("silent", start_s + 0.016)
    assert result.rt_ms is None and result.details["onset_ms"] is None
    assert read_wav(result.wav_path)[0].size >= RATE  # one second of room noise kept
    assert result.details["threshold_db"] is not None


def test_start_and_stop_must_alternate(tmp_path):
    recorder = VoiceRecorder(tmp_path, RATE, source=SynthesizedSpeech(RATE), clock=FakeFlipClock())
    with pytest.raises(RuntimeError, match="without start"):
        recorder.stop("x", 0.0)
    recorder.start()
    with pytest.raises(RuntimeError, match="twice"):
        recorder.start()


def test_real_microphone_or_one_line_error(tmp_path):
    """With a sound input (a lab PC) a short real recording is written; without one (CI, this
    machine) the recorder refuses with a one-line user-facing error."""
    from psychopy import core

    try:
        recorder = VoiceRecorder(tmp_path, RATE)
    except MicrophoneUnavailableError as error:
        assert error.user_facing is True
        message = str(error)
        assert message and "\n" not in message and "microphone" in message
        return
    with recorder:
        start_s = recorder.start()
        core.wait(0.3)
        result = recorder.stop("mic-check", start_s)
    assert read_wav(result.wav_path)[0].size > 0.2 * recorder.sample_rate_hz
    assert result.details["timing"] == "PsychPortAudio capture timestamp"


@pytest.mark.gui
def test_recording_around_a_real_window_flip(xvfb_display, tmp_path):
    """With its default clock the recorder's start time and a PsychoPy flip stamp are on the
    same clock: the stimulus lies a few ms into the recording and the RT is measured from it."""
    from psychopy import core, visual

    win = visual.Window((400, 300), units="pix", fullscr=False, allowGUI=False)
    try:
        text = visual.TextStim(win, "GREEN", color="green")
        source = SynthesizedSpeech(RATE, snr_db=30, seed=1)
        recorder = VoiceRecorder(tmp_path, RATE, source=source)   # default clock: core.getTime
        stamps: dict[str, float] = {}
        win.flip()
        text.draw()
        win.callOnFlip(lambda: stamps.__setitem__("onset_s", core.getTime()))
        recorder.start()
        win.flip()
        source.say("green", "en", rt_ms=700.0)
        for _ in range(5):
            text.draw()
            win.flip()
        result = recorder.stop("gui-trial", stamps["onset_s"])
    finally:
        win.close()
    assert 0.0 <= result.details["stimulus_onset_in_recording_ms"] < 250.0
    assert result.rt_ms == pytest.approx(700.0, abs=15)
    assert read_wav(result.wav_path)[1] == RATE


def test_stored_audio_path_is_absolute(tmp_path, monkeypatch):
    """The path goes into the database; `mirrorlab review` may run from another folder."""
    monkeypatch.chdir(tmp_path)
    recorder = VoiceRecorder("relative-audio", RATE, source=SynthesizedSpeech(RATE, seed=1),
                             clock=FakeFlipClock())
    start_s = recorder.start()
    result = recorder.stop("t0", start_s)
    assert result.wav_path == str(tmp_path / "relative-audio" / "t0.wav")
