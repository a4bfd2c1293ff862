"""The voice key on real synthesized speech (espeak-ng, resampled with sox) placed after known
silences in seeded white noise: the onset is found within +-15 ms; silence, noise, hum and
clicks give no onset."""

from __future__ import annotations

import subprocess
import wave

import numpy as np
import pytest

from experiments.voicekey import (
    VoiceKeyError,
    VoiceKeyParams,
    detect_voice_onset,
    measure_voice_onset,
    read_wav,
    write_wav_pcm16,
)

WORDS = [("en", "red"), ("en", "blue"), ("en", "green"), ("en", "yellow"),
         ("ja", "あか"), ("ja", "みどり")]
EPSILON = 1e-4  # "non-zero" for a clean synthesized file in [-1, 1]
TOLERANCE_MS = 15.0


@pytest.fixture(scope="module")
def spoken(tmp_path_factory):
    """word -> {sample rate: clean speech starting at its first above-epsilon sample}."""
    folder = tmp_path_factory.mktemp("speech")
    cache: dict[tuple[str, int], np.ndarray] = {}

    def get(language: str, word: str, sample_rate_hz: int = 48000) -> np.ndarray:
        key = (word, sample_rate_hz)
        if key not in cache:
            raw = folder / f"{language}-{len(cache)}-raw.wav"
            wav = folder / f"{language}-{len(cache)}-{sample_rate_hz}.wav"
            subprocess.run(["espeak-ng", "-v", language, "-w", str(raw), word], check=True)
            subprocess.run(["sox", "-D", str(raw), "-r", str(sample_rate_hz), str(wav)], check=True)
            samples, rate = read_wav(wav)
            assert rate == sample_rate_hz
            first = int(np.flatnonzero(np.abs(samples) > EPSILON)[0])
            speech = samples[first:]
            cache[key] = 0.5 * speech / np.abs(speech).max()
        return cache[key]

    return get


def in_noise(speech: np.ndarray, silence_ms: float, snr_db: float, sample_rate_hz: int,
             seed: int) -> np.ndarray:
    """Silence, then speech, then 400 ms, all in white noise ``snr_db`` below the speech RMS."""
    lead = int(round(sample_rate_hz * silence_ms / 1000))
    signal = np.concatenate([np.zeros(lead), speech, np.zeros(int(0.4 * sample_rate_hz))])
    speech_rms = np.sqrt(np.mean(speech[: int(0.3 * sample_rate_hz)] ** 2))
    noise = np.random.default_rng(seed).standard_normal(signal.size) * speech_rms / 10 ** (snr_db / 20)
    return signal + noise


@pytest.mark.parametrize("snr_db", [30, 20])
@pytest.mark.parametrize("silence_ms", [300, 500, 800])
@pytest.mark.parametrize("language,word", WORDS)
def test_onset_found_within_15_ms(spoken, language, word, silence_ms, snr_db):
    speech = spoken(language, word)
    audio = in_noise(speech, silence_ms, snr_db, 48000, seed=silence_ms + snr_db)
    onset_ms = detect_voice_onset(audio, 48000)
    assert onset_ms is not None, f"{word}: no onset found"
    assert abs(onset_ms - silence_ms) <= TOLERANCE_MS, f"{word}: {onset_ms:.1f} ms vs {silence_ms}"


@pytest.mark.parametrize("language,word", [("en", "red"), ("ja", "あか")])
def test_onset_at_espeak_native_rate_and_16_bit_file(spoken, tmp_path, language, word):
    audio = in_noise(spoken(language, word, 22050), 650, 25, 22050, seed=3)
    path = write_wav_pcm16(tmp_path / "trial.wav", audio, 22050)
    samples, rate = read_wav(path)
    assert rate == 22050
    onset_ms = detect_voice_onset(samples, rate)
    assert onset_ms is not None and abs(onset_ms - 650) <= TOLERANCE_MS


def test_no_onset_for_silence():
    assert detect_voice_onset(np.zeros(48000), 48000) is None
    assert detect_voice_onset(np.zeros(48000, dtype=np.int16), 48000) is None
    dither = np.random.default_rng(0).integers(-1, 2, 48000).astype(np.int16)  # +-1 LSB
    assert detect_voice_onset(dither, 48000) is None


@pytest.mark.parametrize("level", [0.001, 0.05, 0.3])
@pytest.mark.parametrize("seed", range(4))
def test_no_onset_for_noise_alone(level, seed):
    noise = np.random.default_rng(seed).standard_normal(2 * 48000) * level
    measured = measure_voice_onset(noise, 48000)
    assert measured.onset_ms is None
    assert measured.threshold_db > measured.floor_db  # it did measure a floor and a threshold


def test_noise_that_changes_level_slowly_is_not_speech():
    rng = np.random.default_rng(5)
    ramp = np.linspace(0.02, 0.03, 3 * 48000)  # +3.5 dB over 3 s: a fan speeding up
    assert detect_voice_onset(rng.standard_normal(ramp.size) * ramp, 48000) is None


def test_hum_and_clicks_do_not_trigger(spoken):
    rate = 48000
    audio = in_noise(spoken("en", "green"), 700, 25, rate, seed=11)
    t = np.arange(audio.size) / rate
    audio = audio + 0.2 * np.sin(2 * np.pi * 50 * t)             # loud mains hum
    for click_ms in (120, 300, 450):                             # 2 ms clicks before speech
        start = int(rate * click_ms / 1000)
        audio[start:start + int(0.002 * rate)] += 0.8
    onset_ms = detect_voice_onset(audio, rate)
    assert onset_ms is not None and abs(onset_ms - 700) <= TOLERANCE_MS
    assert detect_voice_onset(audio[: int(0.65 * rate)], rate) is None  # clicks and hum alone


def test_recording_that_starts_with_a_burst_keeps_the_true_floor(spoken):
    """The floor comes from the quietest stretch, not the first ms: a loud burst at the start
    of the recording does not raise it."""
    rate = 48000
    audio = in_noise(spoken("en", "red"), 600, 25, rate, seed=2)
    burst = np.random.default_rng(1).standard_normal(int(0.02 * rate)) * 0.3
    audio[: burst.size] += burst
    onset_ms = detect_voice_onset(audio, rate)
    assert onset_ms is not None and abs(onset_ms - 600) <= TOLERANCE_MS


def test_stereo_and_integer_input_give_the_same_onset(spoken):
    audio = in_noise(spoken("en", "blue"), 400, 30, 48000, seed=4)
    pcm = np.round(audio * 32767).astype(np.int16)
    stereo = np.stack([pcm, pcm], axis=1)
    mono_ms = detect_voice_onset(audio, 48000)
    assert detect_voice_onset(pcm, 48000) == pytest.approx(mono_ms, abs=1.0)
    assert detect_voice_onset(stereo, 48000) == pytest.approx(mono_ms, abs=1.0)


def test_parameters_change_the_detection(spoken):
    """min_duration_ms matters: a 40 ms tone burst is speech at 30 ms, not at 60 ms."""
    rate = 48000
    audio = np.random.default_rng(8).standard_normal(rate) * 0.002
    t = np.arange(int(0.04 * rate)) / rate
    start = int(0.5 * rate)
    audio[start:start + t.size] += 0.3 * np.sin(2 * np.pi * 800 * t)
    assert abs(detect_voice_onset(audio, rate) - 500) <= 5
    assert detect_voice_onset(audio, rate, min_duration_ms=60) is None


def test_measurement_details_are_json_ready(spoken):
    audio = in_noise(spoken("en", "red"), 500, 30, 48000, seed=6)
    details = measure_voice_onset(audio, 48000).details()
    assert details["method"] == "energy-1"
    assert details["floor_db"] < details["release_db"] <= details["threshold_db"] < details["peak_db"]
    assert details["crossing_ms"] >= details["onset_ms"]
    assert details["params"] == VoiceKeyParams().as_dict()


def test_bad_input_is_a_one_line_user_error(tmp_path):
    with pytest.raises(VoiceKeyError) as unknown:
        detect_voice_onset(np.zeros(1000), 48000, threshold_db=3)
    assert unknown.value.user_facing and "\n" not in str(unknown.value)
    assert "threshold_db" in str(unknown.value)
    with pytest.raises(VoiceKeyError, match="sample rate"):
        detect_voice_onset(np.zeros(1000), 0)
    with pytest.raises(VoiceKeyError, match="NaN"):
        detect_voice_onset(np.full(1000, np.nan), 48000)
    with pytest.raises(VoiceKeyError, match="band"):
        detect_voice_onset(np.zeros(8000), 8000, band_low_hz=5000)
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF0000WAVEnot really")
    with pytest.raises(VoiceKeyError, match="broken.wav"):
        read_wav(broken)
    with pytest.raises(VoiceKeyError, match="not found"):
        read_wav(tmp_path / "missing.wav")
    assert detect_voice_onset(np.zeros(0), 48000) is None


def test_wav_is_16_bit_pcm_and_round_trips(tmp_path):
    rate = 48000
    audio = 0.5 * np.sin(2 * np.pi * 440 * np.arange(rate // 10) / rate)
    path = write_wav_pcm16(tmp_path / "sub" / "tone.wav", audio, rate)
    with wave.open(str(path)) as handle:
        assert (handle.getsampwidth(), handle.getnchannels(), handle.getframerate()) == (2, 1, rate)
        assert handle.getnframes() == audio.size
    back, back_rate = read_wav(path)
    assert back_rate == rate and np.max(np.abs(back - audio)) < 1e-4
    assert not list(tmp_path.glob("sub/.partial-*"))


def breath(rate: int, duration_ms: float, level: float, seed: int) -> np.ndarray:
    """Breath-like sound: band-limited noise (400-2500 Hz) under a Hann envelope."""
    from scipy.signal import butter, sosfilt

    n = int(rate * duration_ms / 1000)
    noise = np.random.default_rng(seed).standard_normal(n)
    sos = butter(4, [400, 2500], btype="bandpass", fs=rate, output="sos")
    shaped = sosfilt(sos, noise) * np.hanning(n)
    return level * shaped / np.sqrt(np.mean(shaped ** 2))


def test_an_audible_breath_before_the_word_is_not_the_onset(spoken):
    rate = 48000
    speech = spoken("en", "blue")
    audio = in_noise(speech, 750, 25, rate, seed=12)
    start = int(0.25 * rate)
    loud_breath = breath(rate, 200, 0.5 * np.sqrt(np.mean(speech[: int(0.3 * rate)] ** 2)), seed=3)
    audio[start:start + loud_breath.size] += loud_breath
    measured = measure_voice_onset(audio, rate)
    assert measured.onset_ms is not None and abs(measured.onset_ms - 750) <= TOLERANCE_MS
    assert measured.voicing >= 0.7
    assert len(measured.rejected_unvoiced_ms) == 1 and abs(measured.rejected_unvoiced_ms[0] - 250) < 40
    # a plain energy key (voicing not required) takes the breath for the answer
    energy_only = detect_voice_onset(audio, rate, require_voicing=False)
    assert energy_only is not None and energy_only < 350
    # the breath alone is no response
    assert detect_voice_onset(audio[: int(0.7 * rate)], rate) is None


def test_periodicity_separates_voice_from_noise(spoken):
    from experiments.voicekey import VoiceKeyParams, periodicity

    rate, params = 48000, VoiceKeyParams()
    vowel_part = spoken("ja", "あか")[: int(0.3 * rate)]
    assert periodicity(vowel_part, rate, params) > 0.9
    noise_scores = [periodicity(np.random.default_rng(s).standard_normal(int(0.3 * rate)), rate, params)
                    for s in range(20)]
    assert max(noise_scores) < 0.7
    assert np.isnan(periodicity(np.ones(100), rate, params))  # too short to judge
