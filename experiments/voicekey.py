"""Voice key: find the onset of speech in a recording (an energy/envelope voice key).

Naming latencies are measured from the audio, after the fact, the way modern software voice
keys do it (Jansen & Watter, 2008, "SayWhen", Behavior Research Methods 40:744-751; Roux,
Armstrong & Carreiras, 2017, "Chronset", BRM 49:1864-1881) rather than with a hardware
threshold trigger, whose biases Kessler, Treiman & Mullennix (2002, Journal of Memory and
Language 47:145-171) and Rastle & Davis (2002, JEP:HPP 28:307-314) documented. The steps:

1. **Band-pass** 300-3000 Hz (4th-order Butterworth, run forwards and backwards so that the
   filter adds no delay): keeps the formant energy of speech, drops hum, breath pops and hiss.
2. **Short-time level**: RMS in 5 ms windows every 1 ms, in dB re full scale (dBFS). A frame
   is time-stamped by its latest sample, as a causal (hardware) key would see it.
3. **Noise floor** from the quietest 100 ms stretch of the recording (mean and SD of the
   frame levels there), so a recording that starts with speech, a click or a cough still
   gets the right floor. Exact digital silence (zeros) is left out of the estimate.
4. **Threshold** = floor + max(6 dB, 4 SD), and never below -60 dBFS, so that silence and
   faint room noise give no onset.
5. **Sound events** = times the level stays above the threshold for at least 30 ms (short
   clicks never do). An event counts as speech only if it becomes **voiced** within 400 ms:
   somewhere in it a 30 ms window has a normalised autocorrelation of at least 0.7 at a lag in
   the pitch range (60-500 Hz). Voiced speech scores 0.9-1.0, breath and noise bursts below
   0.5, so an audible breath or a chair creak before the answer is skipped (and reported),
   while words starting with a fricative still count because their vowel follows.
6. **Onset** of the first speech event: its threshold crossing refined **backwards** to where
   the level first left the floor (floor + max(3 dB, 2 SD)), taking in a louder burst up to
   25 ms earlier (the release of /b/, /d/, /g/ before voicing).

Everything is vectorised numpy/scipy over samples, frames and autocorrelation windows.

Limits (those of every energy key): onsets of soft consonants - fricatives /f/ /s/ /h/ /θ/,
whose energy lies mostly above 3 kHz or is weak - are found late, at the vowel, by tens of
ms; a breath or lip smack running straight into the word without a pause, or a voiced cough
or "um", counts as the answer; a level that drifts up by more than the margin looks like an
onset; whispered answers are not voiced (``require_voicing=False`` for whispering studies). That is why every recording is kept
and ``mirrorlab review`` lets the experimenter check and correct each onset (the CheckVocal
workflow of Protopapas, 2007, BRM 39:859-862). ``docs/voice.md`` gives the errors measured.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from experiments.errors import ExperimentError

VOICE_KEY_VERSION = "energy-1"
DIGITAL_SILENCE_DB = -110.0  # below 16-bit quantisation noise: samples that are exactly zero


class VoiceKeyError(ExperimentError, ValueError):
    """Bad audio or bad voice-key parameters, explained in one line."""

    user_facing = True


@dataclass(frozen=True)
class VoiceKeyParams:
    """Parameters of the energy voice key (defaults as described in the module docstring)."""

    band_low_hz: float = 300.0       # band-pass lower edge
    band_high_hz: float = 3000.0     # band-pass upper edge (lowered to 0.45 x sample rate if needed)
    filter_order: int = 4            # Butterworth order of each band edge
    window_ms: float = 5.0           # RMS window
    hop_ms: float = 1.0              # step between RMS windows (the time resolution)
    floor_stretch_ms: float = 100.0  # length of the quietest stretch that defines the noise floor
    threshold_sd: float = 4.0        # threshold = floor + max(threshold_min_db, threshold_sd x SD)
    threshold_min_db: float = 6.0
    release_sd: float = 2.0          # "left the floor" = floor + max(release_min_db, release_sd x SD)
    release_min_db: float = 3.0
    min_duration_ms: float = 30.0    # the level must stay above threshold this long
    max_gap_ms: float = 25.0         # an above-threshold burst this close before the onset belongs to it
    min_level_dbfs: float = -60.0    # the threshold is never below this absolute level
    require_voicing: bool = True     # a sound event counts only if it becomes voiced (periodic)
    voicing_threshold: float = 0.7   # normalised autocorrelation at the pitch period that counts as voiced
    voicing_search_ms: float = 400.0 # how far after the threshold crossing voicing is looked for
    pitch_min_hz: float = 60.0       # pitch range searched for periodicity
    pitch_max_hz: float = 500.0

    @classmethod
    def from_kwargs(cls, **params: Any) -> "VoiceKeyParams":
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(params) - known)
        if unknown:
            raise VoiceKeyError(f"unknown voice-key parameter(s) {', '.join(unknown)}; "
                                f"known: {', '.join(sorted(known))}")
        return cls(**params)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class VoiceOnset:
    """What the voice key found in one recording (levels in dBFS, times in ms from its start)."""

    onset_ms: float | None          # speech onset, None if no speech
    crossing_ms: float | None       # where the level first stayed above the threshold
    floor_db: float | None          # noise floor (mean level of the quietest stretch)
    floor_sd_db: float | None
    threshold_db: float | None
    release_db: float | None
    peak_db: float | None           # loudest frame
    duration_ms: float              # length of the recording
    params: VoiceKeyParams
    voicing: float | None = None    # periodicity of the accepted sound event (None: not checked)
    rejected_unvoiced_ms: tuple[float, ...] = ()  # onsets of loud but unvoiced events skipped

    def details(self) -> dict[str, Any]:
        """A JSON-ready record of the measurement, for a trial's extras."""
        values: dict[str, Any] = {
            k: (None if v is None else round(float(v), 3))
            for k, v in dataclasses.asdict(self).items()
            if k not in ("params", "rejected_unvoiced_ms")}
        values["rejected_unvoiced_ms"] = [round(float(v), 3) for v in self.rejected_unvoiced_ms]
        values["method"] = VOICE_KEY_VERSION
        values["params"] = self.params.as_dict()
        return values


def as_mono_float(samples: np.ndarray) -> np.ndarray:
    """Audio as float64 mono in [-1, 1]: integer PCM is scaled, channels are averaged."""
    array = np.asarray(samples)
    if array.ndim == 2:
        # (n_samples, n_channels) as from wav files and sound cards
        array = array.astype(np.float64).mean(axis=1) if np.issubdtype(array.dtype, np.floating) \
            else (array / _full_scale(array.dtype)).mean(axis=1)
    elif array.ndim != 1:
        raise VoiceKeyError(f"audio must be 1-D (mono) or 2-D (samples x channels), got shape {array.shape}")
    if np.issubdtype(array.dtype, np.integer):
        array = array / _full_scale(array.dtype)
    elif not np.issubdtype(array.dtype, np.floating):
        raise VoiceKeyError(f"audio samples must be numbers, got dtype {array.dtype}")
    array = np.asarray(array, dtype=np.float64)
    if not np.all(np.isfinite(array)):
        raise VoiceKeyError("audio contains NaN or infinite samples")
    return array


def _full_scale(dtype: np.dtype) -> float:
    info = np.iinfo(dtype)
    if info.min == 0:  # unsigned 8-bit wav
        raise VoiceKeyError("unsigned 8-bit audio is not supported; use 16-bit PCM or float")
    return float(-info.min)


def _band_pass(x: np.ndarray, sample_rate_hz: int, params: VoiceKeyParams) -> tuple[np.ndarray, float]:
    from scipy.signal import butter, sosfiltfilt

    high_hz = min(params.band_high_hz, 0.45 * sample_rate_hz)
    if not 0 < params.band_low_hz < high_hz:
        raise VoiceKeyError(f"voice-key band {params.band_low_hz}-{params.band_high_hz} Hz does not "
                            f"fit a sample rate of {sample_rate_hz} Hz")
    sos = butter(params.filter_order, [params.band_low_hz, high_hz], btype="bandpass",
                 fs=sample_rate_hz, output="sos")
    padlen = min(x.size - 1, 3 * (2 * len(sos) + 1))
    return sosfiltfilt(sos, x, padlen=padlen), high_hz


def frame_levels_db(x: np.ndarray, window: int, hop: int) -> np.ndarray:
    """RMS level (dBFS) of windows of ``window`` samples every ``hop`` samples (cumulative sums)."""
    cumulative = np.concatenate(([0.0], np.cumsum(x * x)))
    starts = np.arange(0, x.size - window + 1, hop)
    energy = (cumulative[starts + window] - cumulative[starts]) / window
    return 10.0 * np.log10(np.maximum(energy, 1e-30))


def _noise_floor(levels_db: np.ndarray, stretch: int) -> tuple[float, float] | None:
    """Mean and SD of the frame levels in the quietest stretch (digital silence left out)."""
    valid = levels_db > DIGITAL_SILENCE_DB
    if not valid.any():
        return None
    stretch = max(1, min(stretch, int(valid.sum())))
    level = np.where(valid, levels_db, 0.0)
    sums = np.concatenate(([0.0], np.cumsum(level)))
    squares = np.concatenate(([0.0], np.cumsum(level * level)))
    counts = np.concatenate(([0], np.cumsum(valid)))
    n = counts[stretch:] - counts[:-stretch]
    eligible = n >= max(1, int(0.9 * stretch))
    if not eligible.any():  # valid frames scattered among zeros: use all of them
        chosen = levels_db[valid]
        return float(chosen.mean()), float(chosen.std())
    with np.errstate(invalid="ignore", divide="ignore"):
        means = (sums[stretch:] - sums[:-stretch]) / n
        mean_squares = (squares[stretch:] - squares[:-stretch]) / n
    means = np.where(eligible, means, np.inf)
    best = int(np.argmin(means))
    sd = float(np.sqrt(max(mean_squares[best] - means[best] ** 2, 0.0)))
    return float(means[best]), sd


def periodicity(x: np.ndarray, sample_rate_hz: int, params: VoiceKeyParams,
                window_ms: float = 30.0, step_ms: float = 10.0) -> float:
    """Highest normalised autocorrelation at a lag in the pitch range over 30 ms windows of
    ``x`` (vectorised over windows with FFTs): near 1 for voiced speech, low for breath,
    fricatives and noise."""
    length = int(round(window_ms * sample_rate_hz / 1000.0))
    min_lag = max(1, int(sample_rate_hz / params.pitch_max_hz))
    max_lag = int(np.ceil(sample_rate_hz / params.pitch_min_hz))
    length = min(length, x.size)
    if length <= 2 * max_lag // 3 or length <= min_lag + 2:
        return float("nan")  # too short to judge
    max_lag = min(max_lag, length - 2)
    step = max(1, int(round(step_ms * sample_rate_hz / 1000.0)))
    starts = np.arange(0, x.size - length + 1, step)
    windows = x[starts[:, None] + np.arange(length)[None, :]]
    windows = windows - windows.mean(axis=1, keepdims=True)
    n_fft = 1 << int(np.ceil(np.log2(2 * length)))
    spectrum = np.fft.rfft(windows, n_fft, axis=1)
    products = np.fft.irfft(spectrum * np.conj(spectrum), n_fft, axis=1)[:, min_lag:max_lag + 1]
    squares = np.concatenate([np.zeros((windows.shape[0], 1)), np.cumsum(windows ** 2, axis=1)], axis=1)
    lags = np.arange(min_lag, max_lag + 1)
    head = squares[:, length - lags]                      # energy of x[0 : L-lag]
    tail = squares[:, -1:] - squares[:, lags]             # energy of x[lag : L]
    with np.errstate(invalid="ignore", divide="ignore"):
        normalised = products / np.sqrt(head * tail)
    normalised = np.where(np.isfinite(normalised), normalised, 0.0)
    return float(normalised.max())


def _runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (exclusive) indices of the runs of True in a boolean array."""
    padded = np.concatenate(([False], mask, [False])).astype(np.int8)
    edges = np.diff(padded)
    return np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)


def measure_voice_onset(samples: np.ndarray, sample_rate_hz: int,
                        params: VoiceKeyParams | None = None) -> VoiceOnset:
    """Run the voice key on one recording and return the onset with its measurements."""
    params = params or VoiceKeyParams()
    if not isinstance(sample_rate_hz, (int, np.integer)) or sample_rate_hz < 4000:
        raise VoiceKeyError(f"sample rate must be an integer of at least 4000 Hz, got {sample_rate_hz!r}")
    x = as_mono_float(samples)
    duration_ms = 1000.0 * x.size / sample_rate_hz
    window = max(1, int(round(params.window_ms * sample_rate_hz / 1000.0)))
    hop = max(1, int(round(params.hop_ms * sample_rate_hz / 1000.0)))
    empty = VoiceOnset(None, None, None, None, None, None, None, duration_ms, params)
    if x.size < window + hop:
        return empty
    filtered, _ = _band_pass(x - x.mean(), int(sample_rate_hz), params)
    levels = frame_levels_db(filtered, window, hop)
    hop_ms = 1000.0 * hop / sample_rate_hz
    floor = _noise_floor(levels, max(1, int(round(params.floor_stretch_ms / hop_ms))))
    if floor is None:  # all digital silence
        return empty
    floor_db, floor_sd = floor
    threshold_db = max(floor_db + max(params.threshold_min_db, params.threshold_sd * floor_sd),
                       params.min_level_dbfs)
    release_db = min(floor_db + max(params.release_min_db, params.release_sd * floor_sd),
                     threshold_db)
    peak_db = float(levels.max())
    found = dataclasses.replace(empty, floor_db=floor_db, floor_sd_db=floor_sd,
                                threshold_db=threshold_db, release_db=release_db, peak_db=peak_db)

    def frame_time_ms(frame: int) -> float:  # time of the frame's latest sample
        return 1000.0 * (frame * hop + window) / sample_rate_hz

    above = levels > threshold_db
    starts, ends = _runs(above)
    long_enough = np.flatnonzero(ends - starts >= max(1, int(round(params.min_duration_ms / hop_ms))))
    release_starts, release_ends = _runs(levels > release_db)

    # The first long-enough event that becomes voiced within voicing_search_ms of its crossing
    # (within the stretch above the release level); loud unvoiced events (a breath, a chair
    # creak, a noise burst) are skipped and reported.
    crossing = which = None
    voicing = None
    rejected: list[float] = []
    for candidate in long_enough:
        frame = int(starts[candidate])
        if which is not None and frame < release_ends[which]:
            continue  # same sound event as one already judged
        event = int(np.searchsorted(release_starts, frame, side="right")) - 1
        if not params.require_voicing:
            crossing, which = frame, event
            break
        first_sample = frame * hop
        last_sample = min(int(release_ends[event]) * hop + window,
                          first_sample + int(params.voicing_search_ms * sample_rate_hz / 1000.0))
        score = periodicity(filtered[first_sample:last_sample], int(sample_rate_hz), params)
        if np.isnan(score) or score >= params.voicing_threshold:
            crossing, which, voicing = frame, event, (None if np.isnan(score) else score)
            break
        rejected.append(frame_time_ms(int(release_starts[event])))
        which = event
    found = dataclasses.replace(found, rejected_unvoiced_ms=tuple(rejected))
    if crossing is None:
        return found

    # Refine backwards: the run above the release level that holds the crossing, extended over
    # earlier above-threshold bursts (stop releases) that end at most max_gap_ms before it.
    onset_frame = int(release_starts[which])
    max_gap = int(round(params.max_gap_ms / hop_ms))
    for earlier in range(which - 1, -1, -1):
        gap = onset_frame - int(release_ends[earlier])
        is_burst = above[release_starts[earlier]:release_ends[earlier]].any()
        if gap > max_gap or not is_burst:
            break
        onset_frame = int(release_starts[earlier])

    return dataclasses.replace(found, onset_ms=frame_time_ms(onset_frame),
                               crossing_ms=frame_time_ms(crossing), voicing=voicing)


def detect_voice_onset(samples: np.ndarray, sample_rate_hz: int, **params: Any) -> float | None:
    """Speech onset in ms from the start of the recording, or None if there is no speech.

    ``params`` override ``VoiceKeyParams`` fields (e.g. ``band_high_hz=6000`` for stimuli
    that start with fricatives, ``min_duration_ms=50`` in a noisy room).
    """
    return measure_voice_onset(samples, sample_rate_hz, VoiceKeyParams.from_kwargs(**params)).onset_ms


# ---------------------------------------------------------------------------- WAV files
def read_wav(path: str | os.PathLike) -> tuple[np.ndarray, int]:
    """Samples (float64 mono in [-1, 1]) and sample rate of a WAV file."""
    import warnings

    from scipy.io import wavfile

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", wavfile.WavFileWarning)
            sample_rate_hz, data = wavfile.read(os.fspath(path))
    except FileNotFoundError:
        raise VoiceKeyError(f"audio file not found: {path}") from None
    except Exception as exc:  # noqa: BLE001 - scipy raises several kinds for malformed files
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise VoiceKeyError(f"cannot read WAV file {path}: {reason}") from None
    return as_mono_float(data), int(sample_rate_hz)


def write_wav_pcm16(path: str | os.PathLike, samples: np.ndarray, sample_rate_hz: int) -> Path:
    """Write mono 16-bit PCM atomically (a crash never leaves half a file); returns the path."""
    from scipy.io import wavfile

    path = Path(path)
    x = as_mono_float(samples)
    pcm = np.clip(np.round(x * 32768.0), -32768, 32767).astype(np.int16)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".partial-", suffix=".wav", dir=path.parent)
    os.close(handle)
    try:
        wavfile.write(temporary, int(sample_rate_hz), pcm)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
