"""Voice responses: record each trial from the microphone, keep the audio, find the onset.

The session runner uses one ``VoiceRecorder`` per session::

    rec = VoiceRecorder(audio_dir)          # MicrophoneUnavailableError if there is none
    rec.start()                             # right before the stimulus-onset flip
    ...                                     # frame loop; the participant speaks
    result = rec.stop("P01_s1_t003", onset_time_s)   # onset: the flip time, core clock
    row.update(result.trial_fields())       # rt_ms, audio_path, voice_key (details)

Audio comes from a *source*. ``PsychtoolboxMicrophone`` is the real one: it captures
continuously through Psychtoolbox's PsychPortAudio (the engine under
``psychopy.sound.Microphone``), whose capture timestamps are in the same ``GetSecs`` time base
as PsychoPy's clock, so the RT is ``first-sample time + onset in the recording - stimulus
onset`` without guessing the input latency. ``PrerecordedSpeech`` (WAV files) and
``SynthesizedSpeech`` (espeak-ng) are sources of real audio for tests, demos and the
simulated participant; they go through exactly the same voice key and file writing.

Each recording is saved as 16-bit PCM WAV under ``audio_dir`` (never overwriting an
earlier file), and the voice key (``experiments.voicekey``) finds the speech onset in it.
"""

from __future__ import annotations

import contextlib
import math
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from experiments.errors import ExperimentError
from experiments.voicekey import (
    VoiceKeyError,
    VoiceKeyParams,
    as_mono_float,
    measure_voice_onset,
    read_wav,
    write_wav_pcm16,
)

__all__ = [
    "VoiceRecorder", "VoiceResult", "MicrophoneUnavailableError", "Capture",
    "PsychtoolboxMicrophone", "PrerecordedSpeech", "SynthesizedSpeech", "core_time_s",
]


class MicrophoneUnavailableError(ExperimentError):
    """No usable microphone (no input device, or it cannot be opened), in one line."""

    user_facing = True


def core_time_s() -> float:
    """Now on PsychoPy's core clock (``psychopy.core.getTime``), the clock of flip times."""
    from psychopy import core

    return core.getTime()


@dataclass
class Capture:
    """Audio captured between ``start()`` and ``stop()``, with the time of its first sample."""

    samples: np.ndarray               # float mono in [-1, 1] (or samples x channels)
    sample_rate_hz: int
    first_sample_time_s: float        # on the PsychoPy core clock
    timing: str                       # how first_sample_time_s was obtained
    overflow: bool = False            # samples were lost (capture buffer overrun)


class AudioSource(Protocol):
    """Where a VoiceRecorder's audio comes from."""

    name: str
    sample_rate_hz: int

    def begin(self, start_time_s: float) -> None: ...

    def end(self, onset_time_s: float) -> Capture: ...

    def close(self) -> None: ...


@dataclass
class VoiceResult:
    """One trial's voice response: the WAV file, the RT and how the voice key found it."""

    wav_path: str
    rt_ms: float | None               # voice onset - stimulus onset; None if no speech
    details: dict[str, Any] = field(default_factory=dict)

    def trial_fields(self) -> dict[str, Any]:
        """The fields a trial row gets: ``rt_ms`` plus ``audio_path`` and ``voice_key`` (extras),
        the keys ``mirrorlab review`` reads."""
        return {"rt_ms": self.rt_ms, "audio_path": self.wav_path, "voice_key": self.details}


# ---------------------------------------------------------------------------- the recorder
class VoiceRecorder:
    """Records one WAV per trial and measures the voice onset relative to stimulus onset."""

    def __init__(self, audio_dir: str | Path, sample_rate_hz: int = 48000, *,
                 source: AudioSource | None = None,
                 voice_key: VoiceKeyParams | dict[str, Any] | None = None,
                 device_index: int | None = None, clock=core_time_s):
        self.audio_dir = Path(audio_dir).absolute()  # stored paths must work from any folder
        self.voice_key = (voice_key if isinstance(voice_key, VoiceKeyParams)
                          else VoiceKeyParams.from_kwargs(**(voice_key or {})))
        self._clock = clock
        self.source = source if source is not None else PsychtoolboxMicrophone(
            sample_rate_hz, device_index=device_index, clock=clock)
        self.sample_rate_hz = int(self.source.sample_rate_hz)
        self.audio_dir.mkdir(parents=True, exist_ok=True)
        self._start_time_s: float | None = None

    def start(self) -> float:
        """Begin a trial's recording; call right before the stimulus-onset flip. Returns the
        start time on the core clock."""
        if self._start_time_s is not None:
            raise RuntimeError("VoiceRecorder.start() called twice without stop()")
        start_time_s = self._clock()
        self.source.begin(start_time_s)
        self._start_time_s = start_time_s
        return start_time_s

    def stop(self, trial_label: str, onset_time_s: float) -> VoiceResult:
        """End the recording, save it, and find the voice onset.

        ``onset_time_s`` is the stimulus-onset flip time on the core clock (e.g. stamped with
        ``win.callOnFlip``). The WAV file is written before this returns.
        """
        if self._start_time_s is None:
            raise RuntimeError("VoiceRecorder.stop() called without start()")
        start_time_s, self._start_time_s = self._start_time_s, None
        capture = self.source.end(onset_time_s)
        samples = as_mono_float(capture.samples)
        measurement = measure_voice_onset(samples, int(capture.sample_rate_hz), self.voice_key)
        wav_path = write_wav_pcm16(self._new_wav_path(trial_label), samples, capture.sample_rate_hz)

        stimulus_in_recording_ms = 1000.0 * (onset_time_s - capture.first_sample_time_s)
        rt_ms = None
        if measurement.onset_ms is not None:
            rt_ms = round(measurement.onset_ms - stimulus_in_recording_ms, 3)
        details = measurement.details()
        details.update({
            "stimulus_onset_in_recording_ms": round(stimulus_in_recording_ms, 3),
            "recording_start_s": round(start_time_s, 6),
            "first_sample_time_s": round(capture.first_sample_time_s, 6),
            "stimulus_onset_s": round(onset_time_s, 6),
            "timing": capture.timing,
            "source": self.source.name,
            "sample_rate_hz": int(capture.sample_rate_hz),
            "n_samples": int(samples.size),
            "overflow": bool(capture.overflow),
            "clipped_fraction": round(float(np.mean(np.abs(samples) >= 0.999)), 6) if samples.size else 0.0,
            "anticipation": rt_ms is not None and rt_ms < 0,
        })
        return VoiceResult(wav_path=str(wav_path), rt_ms=rt_ms, details=details)

    def close(self) -> None:
        self.source.close()

    def __enter__(self) -> "VoiceRecorder":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _new_wav_path(self, trial_label: str) -> Path:
        """``<audio_dir>/<label>.wav``; an existing file is never overwritten (``-2``, ``-3``...)."""
        stem = re.sub(r"[^\w.-]+", "_", str(trial_label), flags=re.ASCII).strip("._") or "trial"
        path = self.audio_dir / f"{stem}.wav"
        counter = 2
        while path.exists():
            path = self.audio_dir / f"{stem}-{counter}.wav"
            counter += 1
        return path


# ---------------------------------------------------------------------------- the microphone
class PsychtoolboxMicrophone:
    """Continuous capture from a sound card input through PsychPortAudio.

    The stream runs for the whole session (starting a capture stream per trial would cost
    tens of ms before the flip). A daemon thread drains PsychPortAudio's buffer every
    ``poll_interval_s``: samples between ``begin`` and ``end`` are kept, the rest dropped.
    A chunk's first sample was captured at ``capture start + position / rate`` in GetSecs
    time, which is converted to the core clock.
    """

    name = "psychtoolbox"

    def __init__(self, sample_rate_hz: int = 48000, *, device_index: int | None = None,
                 buffer_s: float = 60.0, poll_interval_s: float = 0.5, clock=core_time_s):
        try:
            with _native_output_silenced():
                from psychtoolbox import GetSecs, audio
        except ImportError as exc:
            raise MicrophoneUnavailableError(
                f"voice responses need the psychtoolbox package for audio capture ({exc})") from None
        self._get_secs = GetSecs
        self._clock = clock
        device = self._choose_device(audio, device_index)
        self.device_name = str(device.get("DeviceName", device.get("DeviceIndex")))
        # Mono at the asked rate if the device allows it, else its own rate and/or channel
        # count (channels are averaged to mono later).
        rates = list(dict.fromkeys(r for r in (int(sample_rate_hz),
                                               int(device.get("DefaultSampleRate") or 0)) if r))
        channel_counts = list(dict.fromkeys((1, max(1, int(device.get("NrInputChannels") or 1)))))
        last_error: Exception | None = None
        for channels in channel_counts:
            for rate in rates:
                try:
                    with _native_output_silenced():
                        self._stream = audio.Stream(device_id=int(device["DeviceIndex"]), mode=2,
                                                    latency_class=1, freq=rate, channels=channels)
                    self.sample_rate_hz = rate
                    self.channels = channels
                    break
                except Exception as exc:  # noqa: BLE001 - PsychPortAudio raises plain Exceptions
                    last_error = exc
            else:
                continue
            break
        else:
            raise MicrophoneUnavailableError(
                f"cannot open microphone {self.device_name!r} for capture at {rates} Hz: "
                f"{_first_line(last_error)}")
        self._stream.get_audio_data(float(buffer_s))  # allocate the capture buffer
        self._lock = threading.Lock()
        self._chunks: list[tuple[int, np.ndarray]] = []
        self._capturing = False
        self._overflow = False
        self._capture_start_s = float(self._stream.start(repetitions=0, when=0, wait_for_start=1))
        self._stop_polling = threading.Event()
        self._poller = threading.Thread(target=self._poll_loop, args=(poll_interval_s,),
                                        name="voice-capture-poll", daemon=True)
        self._poller.start()

    @staticmethod
    def _choose_device(audio, device_index: int | None) -> dict[str, Any]:
        try:
            with _native_output_silenced():  # PortAudio prints usage text on failure
                devices = audio.get_devices()
        except Exception as exc:  # noqa: BLE001
            raise MicrophoneUnavailableError(
                f"no microphone: PortAudio finds no sound device ({_first_line(exc)})") from None
        devices = [devices] if isinstance(devices, dict) else list(devices or [])
        inputs = [d for d in devices if int(d.get("NrInputChannels", 0) or 0) > 0]
        if device_index is not None:
            inputs = [d for d in inputs if int(d.get("DeviceIndex", -1)) == int(device_index)]
            if not inputs:
                raise MicrophoneUnavailableError(f"no audio input device with index {device_index}")
        if not inputs:
            raise MicrophoneUnavailableError(
                "no microphone: no audio input device is connected (use keyboard responses)")
        return inputs[0]

    def _drain(self) -> None:
        """Move captured samples out of PsychPortAudio's buffer (caller holds the lock)."""
        data, position, overflow, capture_start_s = self._stream.get_audio_data()
        if capture_start_s:
            self._capture_start_s = float(capture_start_s)
        if self._capturing:
            self._overflow = self._overflow or bool(overflow)
            if len(data):
                self._chunks.append((int(position), np.array(data, dtype=np.float32, copy=True)))

    def _poll_loop(self, interval_s: float) -> None:
        while not self._stop_polling.wait(interval_s):
            with self._lock:
                try:
                    self._drain()
                except Exception:  # noqa: BLE001 - the stream was closed under us
                    return

    def begin(self, start_time_s: float) -> None:
        with self._lock:
            self._capturing = False
            self._drain()  # drop what was captured between trials
            self._chunks, self._overflow, self._capturing = [], False, True

    def end(self, onset_time_s: float) -> Capture:
        with self._lock:
            self._drain()
            self._capturing = False
            chunks, overflow = self._chunks, self._overflow
            self._chunks = []
        if not chunks:
            raise MicrophoneUnavailableError(
                f"microphone {self.device_name!r} delivered no audio during the trial")
        samples = np.concatenate([chunk for _, chunk in chunks], axis=0)
        first_sample_ptb_s = self._capture_start_s + chunks[0][0] / self.sample_rate_hz
        ptb_minus_core_s = self._get_secs() - self._clock()
        return Capture(samples=samples, sample_rate_hz=self.sample_rate_hz,
                       first_sample_time_s=first_sample_ptb_s - ptb_minus_core_s,
                       timing="PsychPortAudio capture timestamp", overflow=overflow)

    def close(self) -> None:
        self._stop_polling.set()
        with self._lock:
            try:
                self._stream.stop()
            finally:
                self._stream.close()


@contextlib.contextmanager
def _native_output_silenced():
    """Send what C libraries write to stdout/stderr (PortAudio, ALSA) to /dev/null meanwhile,
    so that a missing microphone is reported as our one line, not pages of driver messages."""
    import os
    import sys

    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, ValueError):
            pass
    saved = []
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        yield
        return
    try:
        for fd in (1, 2):
            try:
                saved.append((fd, os.dup(fd)))
                os.dup2(devnull, fd)
            except OSError:
                pass
        yield
    finally:
        for fd, copy in saved:
            os.dup2(copy, fd)
            os.close(copy)
        os.close(devnull)


def _first_line(error: BaseException | None) -> str:
    text = str(error or "").strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__


# ---------------------------------------------------------------------------- recorded audio
class PrerecordedSpeech:
    """A source that 'records' WAV files, one per trial, in order (tests, demos).

    The file's first sample is taken to be captured at ``start()``, so a file with speech
    at 620 ms and a stimulus flip 20 ms after ``start()`` gives an RT of 600 ms.
    """

    name = "prerecorded"

    def __init__(self, wav_paths: Iterable[str | Path], sample_rate_hz: int | None = None):
        self._paths = [Path(p) for p in wav_paths]
        if not self._paths:
            raise VoiceKeyError("PrerecordedSpeech needs at least one WAV file")
        self._next = 0
        self._start_time_s: float | None = None
        _, first_rate = read_wav(self._paths[0])
        self.sample_rate_hz = int(sample_rate_hz or first_rate)

    def begin(self, start_time_s: float) -> None:
        self._start_time_s = start_time_s

    def end(self, onset_time_s: float) -> Capture:
        if self._next >= len(self._paths):
            raise VoiceKeyError(f"PrerecordedSpeech has no more files (used all {len(self._paths)})")
        samples, rate = read_wav(self._paths[self._next])
        self._next += 1
        samples = _resample(samples, rate, self.sample_rate_hz)
        return Capture(samples=samples, sample_rate_hz=self.sample_rate_hz,
                       first_sample_time_s=float(self._start_time_s),
                       timing="prerecorded file: first sample at start()")

    def close(self) -> None:
        pass


def _resample(samples: np.ndarray, from_hz: int, to_hz: int) -> np.ndarray:
    if from_hz == to_hz:
        return samples
    from scipy.signal import resample_poly

    divisor = math.gcd(int(from_hz), int(to_hz))
    return resample_poly(samples, int(to_hz) // divisor, int(from_hz) // divisor)


def synthesize_word(word: str, language: str = "en", sample_rate_hz: int = 48000) -> np.ndarray:
    """The word spoken by espeak-ng (float mono at ``sample_rate_hz``), starting at its first
    non-zero sample, scaled to a peak of 0.5."""
    if shutil.which("espeak-ng") is None:
        raise VoiceKeyError("espeak-ng is not installed (Debian package espeak-ng)")
    voice = {"en": "en", "ja": "ja"}.get(language, language)
    with tempfile.TemporaryDirectory(prefix="mirrorlab-speech-") as folder:
        wav = Path(folder) / "word.wav"
        done = subprocess.run(["espeak-ng", "-v", voice, "-w", str(wav), word],
                              capture_output=True, text=True)
        if done.returncode != 0 or not wav.exists():
            raise VoiceKeyError(f"espeak-ng could not say {word!r} in voice {voice!r}: "
                                f"{_first_line(RuntimeError(done.stderr))}")
        samples, rate = read_wav(wav)
    nonzero = np.flatnonzero(np.abs(samples) > 0)
    if nonzero.size == 0:
        raise VoiceKeyError(f"espeak-ng produced silence for {word!r}")
    samples = _resample(samples[nonzero[0]:], rate, sample_rate_hz)
    return 0.5 * samples / np.max(np.abs(samples))


class SynthesizedSpeech:
    """A simulated speaker: says a word (espeak-ng) at a chosen latency after stimulus onset,
    over white noise at a given signal-to-noise ratio (seeded).

    The simulated participant calls ``say(word, language, rt_ms)`` during the trial; ``end``
    builds the recording as a microphone would have captured it since ``start()``.
    """

    name = "synthesized"

    def __init__(self, sample_rate_hz: int = 48000, *, snr_db: float = 30.0, seed: int = 0,
                 tail_ms: float = 300.0):
        self.sample_rate_hz = int(sample_rate_hz)
        self.snr_db = float(snr_db)
        self.tail_ms = float(tail_ms)
        self._rng = np.random.default_rng(seed)
        self._cache: dict[tuple[str, str], np.ndarray] = {}
        self._pending: tuple[str, str, float] | None = None
        self._start_time_s: float | None = None

    def say(self, word: str, language: str = "en", rt_ms: float = 600.0) -> None:
        self._pending = (word, language, float(rt_ms))

    def begin(self, start_time_s: float) -> None:
        self._start_time_s = start_time_s

    def end(self, onset_time_s: float) -> Capture:
        rate = self.sample_rate_hz
        stimulus_at = max(0.0, onset_time_s - float(self._start_time_s))
        length = int(rate * (stimulus_at + 1.0))
        speech = None
        if self._pending is not None:
            word, language, rt_ms = self._pending
            key = (word, language)
            if key not in self._cache:
                self._cache[key] = synthesize_word(word, language, rate)
            speech = self._cache[key]
            speech_at = int(round(rate * (stimulus_at + rt_ms / 1000.0)))
            length = max(length, speech_at + speech.size + int(rate * self.tail_ms / 1000.0))
        signal = np.zeros(length)
        speech_rms = 0.1
        if speech is not None:
            signal[speech_at:speech_at + speech.size] = speech
            speech_rms = float(np.sqrt(np.mean(speech[: int(0.3 * rate)] ** 2)))
        noise = self._rng.standard_normal(length) * speech_rms / 10 ** (self.snr_db / 20.0)
        self._pending = None
        return Capture(samples=signal + noise, sample_rate_hz=rate,
                       first_sample_time_s=float(self._start_time_s),
                       timing="synthesized: first sample at start()")

    def close(self) -> None:
        pass
