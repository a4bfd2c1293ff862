"""Accuracy of the voice key over 18 words (English and Japanese espeak-ng voices) x 3 silences
x 3 signal-to-noise ratios, the numbers reported in docs/voice.md. Run with ``-s`` to print the
table. Asserts what the documentation claims: at 30 dB every word within +-15 ms; at 20 dB
every word not starting with a fricative within +-15 ms; fricative onsets are late, not early."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from experiments.voicekey import detect_voice_onset, read_wav

RATE = 48000
SILENCES_MS = (300, 500, 800)
SNRS_DB = (30, 20, 10)
VOICED_OR_STOP = [("en", w) for w in ("red", "blue", "green", "yellow", "apple", "dog", "table",
                                      "cat", "pear")] + \
                 [("ja", w) for w in ("あか", "あお", "みどり", "きいろ")]
FRICATIVE = [("en", w) for w in ("fish", "sun", "house", "shoe", "van")]


@pytest.fixture(scope="module")
def errors_ms(tmp_path_factory):
    """(word, snr) -> list of detected - true onset (ms; nan = not found)."""
    folder = tmp_path_factory.mktemp("accuracy")
    rng = np.random.default_rng(2026)
    table: dict[tuple[str, int], list[float]] = {}
    for number, (language, word) in enumerate(VOICED_OR_STOP + FRICATIVE):
        raw, wav = folder / f"{number}-raw.wav", folder / f"{number}.wav"
        subprocess.run(["espeak-ng", "-v", language, "-w", str(raw), word], check=True)
        subprocess.run(["sox", "-D", str(raw), "-r", str(RATE), str(wav)], check=True)
        speech, _ = read_wav(wav)
        speech = speech[np.flatnonzero(np.abs(speech) > 1e-4)[0]:]
        speech = 0.5 * speech / np.abs(speech).max()
        speech_rms = np.sqrt(np.mean(speech[: int(0.3 * RATE)] ** 2))
        for silence_ms in SILENCES_MS:
            lead = int(RATE * silence_ms / 1000)
            clean = np.concatenate([np.zeros(lead), speech, np.zeros(int(0.4 * RATE))])
            for snr_db in SNRS_DB:
                noise = rng.standard_normal(clean.size) * speech_rms / 10 ** (snr_db / 20)
                onset = detect_voice_onset(clean + noise, RATE)
                table.setdefault((word, snr_db), []).append(
                    np.nan if onset is None else onset - silence_ms)
    return table


def _summary(table, words, snr_db):
    values = np.array([e for _, w in words for e in table[(w, snr_db)]])
    return np.nanmean(values), np.nanmedian(np.abs(values)), np.nanmax(np.abs(values)), \
        int(np.isnan(values).sum())


def test_print_accuracy_table(errors_ms):
    print("\nvoice-key error (detected - true onset, ms), 48 kHz, white noise, 3 silences each")
    print(f"{'word':10s}" + "".join(f"  {snr:>2d} dB mean/max" for snr in SNRS_DB))
    for _, word in VOICED_OR_STOP + FRICATIVE:
        cells = []
        for snr in SNRS_DB:
            values = np.array(errors_ms[(word, snr)])
            cells.append(f"  {np.nanmean(values):7.1f} /{np.nanmax(np.abs(values)):5.1f}")
        print(f"{word:10s}" + "".join(cells))
    for name, words in (("voiced/stop", VOICED_OR_STOP), ("fricative", FRICATIVE)):
        for snr in SNRS_DB:
            mean, median_abs, max_abs, missed = _summary(errors_ms, words, snr)
            print(f"{name:12s} {snr:2d} dB: mean {mean:+.1f}, median |error| {median_abs:.1f}, "
                  f"max |error| {max_abs:.1f} ms, missed {missed}")


def test_every_word_within_15_ms_at_30_db(errors_ms):
    for _, word in VOICED_OR_STOP + FRICATIVE:
        assert np.nanmax(np.abs(errors_ms[(word, 30)])) <= 15, word


def test_voiced_and_stop_onsets_within_15_ms_at_20_db(errors_ms):
    for _, word in VOICED_OR_STOP:
        assert np.nanmax(np.abs(errors_ms[(word, 20)])) <= 15, word


def test_fricatives_are_found_late_never_early_and_nothing_is_missed(errors_ms):
    for snr in SNRS_DB:
        values = np.array([e for _, w in FRICATIVE for e in errors_ms[(w, snr)]])
        assert not np.isnan(values).any()
        assert values.min() >= -5
    mean_20, _, _, _ = _summary(errors_ms, FRICATIVE, 20)
    mean_30, _, _, _ = _summary(errors_ms, FRICATIVE, 30)
    assert mean_20 > mean_30  # the softer the onset relative to the noise, the later
