"""Voice responses recorded in the browser: check and decode one trial's upload, keep it as
the lab keeps its recordings, and run the lab's voice key on it.

The page records each voice trial with ``MediaRecorder`` (WebM/Opus in Chromium and Firefox's
WebM, MP4/AAC or MP4/Opus in Safari) from the target's onset to the response deadline and
uploads the file on its own endpoint. Here the upload is

1. checked: its declared ``Content-Type`` must be one of ``ACCEPTED_AUDIO_TYPES`` (else 415)
   and it must decode as audio (else 422) — nothing is written for a refused upload;
2. decoded with PyAV (FFmpeg's libraries, bundled in the ``av`` wheel) to float samples,
   channels averaged to mono, at the codec's rate (48 kHz for Opus);
3. written as 16-bit PCM WAV (``experiments.voicekey.write_wav_pcm16``, atomic), one file per
   trial under the session's audio folder — the format and place a lab session uses, so
   ``mirrorlab review`` plays and re-measures online recordings exactly like lab ones;
4. measured by ``experiments.voicekey.measure_voice_onset``, the same voice key as in the lab,
   when the trial's row is built (``voice_fields``): the RT is the voice onset in the
   recording minus where the target's onset lies in it, as ``experiments.voice.VoiceRecorder``
   computes it from its capture timestamps.

Only the decoded WAV is kept (the compressed upload is not), so a recording exists once.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np

#: Content-Type (without parameters) of a recording the server accepts
ACCEPTED_AUDIO_TYPES = ("audio/webm", "audio/ogg", "audio/mp4", "audio/mpeg", "audio/wav",
                        "audio/x-wav")
#: the largest recording accepted (a 4 s WebM/Opus recording is about 60 kB; 4 s of
#: uncompressed 48 kHz stereo would be 1.5 MB)
MAX_AUDIO_BYTES = 2 * 1024 * 1024
#: the longest decoded recording accepted (a trial records at most its response deadline)
MAX_RECORDING_S = 30.0


class AudioUploadError(ValueError):
    """A refused upload, with the HTTP status it gets and one line saying why."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def accepted_content_type(header: str | None) -> str:
    """The media type of an upload's ``Content-Type`` header (``audio/webm;codecs=opus`` →
    ``audio/webm``); AudioUploadError(415) for anything that is not a recording."""
    media = (header or "").split(";", 1)[0].strip().lower()
    if media not in ACCEPTED_AUDIO_TYPES:
        raise AudioUploadError(415, f"Content-Type {media or '(none)'!r} is not a recording; "
                                    f"send one of {', '.join(ACCEPTED_AUDIO_TYPES)}")
    return media


def decode_recording(data: bytes, media_type: str = "audio/webm") -> tuple[np.ndarray, int, dict]:
    """Samples (float64 mono in [-1, 1]), sample rate and what was decoded (container, codec,
    channels) of one uploaded recording; AudioUploadError(422) if it is not decodable audio."""
    import av

    from experiments.voicekey import as_mono_float

    if not data:
        raise AudioUploadError(422, "the recording is empty")
    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            if not container.streams.audio:
                raise AudioUploadError(422, f"the {media_type} upload has no audio stream")
            stream = container.streams.audio[0]
            codec = stream.codec_context.name
            blocks = []
            rate = None
            n_samples = 0
            for frame in container.decode(stream):
                array = frame.to_ndarray()
                rate = rate or int(frame.sample_rate)
                if frame.format.is_planar:            # (channels, samples)
                    array = array.T
                else:                                 # (1, samples x channels), interleaved
                    array = array.reshape(-1, len(frame.layout.channels))
                if np.issubdtype(array.dtype, np.integer):
                    array = array / float(-np.iinfo(array.dtype).min)
                blocks.append(np.asarray(array, dtype=np.float64))
                n_samples += array.shape[0]
                if n_samples > MAX_RECORDING_S * rate:
                    raise AudioUploadError(413, f"the recording is longer than {MAX_RECORDING_S:g} s")
            container_name = container.format.name
    except AudioUploadError:
        raise
    except (av.FFmpegError, ValueError, OSError, EOFError) as exc:
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise AudioUploadError(422, f"the {media_type} upload is not decodable audio ({reason})") from None
    if not blocks or rate is None:
        raise AudioUploadError(422, f"the {media_type} upload holds no audio samples")
    samples = np.concatenate(blocks, axis=0)
    channels = samples.shape[1] if samples.ndim == 2 else 1
    return as_mono_float(samples), rate, {"container": container_name, "codec": codec,
                                          "channels": int(channels), "upload_bytes": len(data),
                                          "upload_type": media_type}


def save_recording(audio_dir: str | Path, label: str, samples: np.ndarray, sample_rate_hz: int) -> Path:
    """Write one trial's decoded recording as ``<audio_dir>/<label>.wav`` (16-bit PCM, atomic).
    The label names one trial of one session, so a re-upload of a trial whose row is not yet
    stored replaces its earlier file instead of leaving an orphan beside it."""
    from experiments.voicekey import write_wav_pcm16

    return write_wav_pcm16(Path(audio_dir) / f"{label}.wav", samples, sample_rate_hz)


def voice_fields(wav_path: str | Path, stimulus_in_recording_ms: float,
                 voice_key: dict[str, Any] | None = None, *, recording: dict[str, Any] | None = None
                 ) -> dict[str, Any]:
    """Run the lab's voice key on a stored recording and return what a trial row gets, as the
    lab's ``VoiceResult.trial_fields()``: ``rt_ms`` (voice onset − target onset; None when the
    voice key found no onset), ``audio_path`` and ``voice_key`` (the measurement), plus the
    online extras ``voice_onset_ms`` (in the recording), ``recording_duration_ms`` and
    ``voice_no_onset``."""
    from experiments.voice import VoiceResult
    from experiments.voicekey import VoiceKeyParams, measure_voice_onset, read_wav

    params = VoiceKeyParams.from_kwargs(**(voice_key or {}))
    samples, rate = read_wav(wav_path)
    measurement = measure_voice_onset(samples, rate, params)
    rt_ms = None
    if measurement.onset_ms is not None:
        rt_ms = round(measurement.onset_ms - float(stimulus_in_recording_ms), 3)
    details = measurement.details()
    details.update({
        "stimulus_onset_in_recording_ms": round(float(stimulus_in_recording_ms), 3),
        "timing": "browser: MediaRecorder.start() stamped with performance.now(); the first "
                  "sample is taken to be captured then",
        "source": "browser-mediarecorder",
        "sample_rate_hz": int(rate),
        "n_samples": int(samples.size),
        "clipped_fraction": round(float(np.mean(np.abs(samples) >= 0.999)), 6) if samples.size else 0.0,
        "anticipation": rt_ms is not None and rt_ms < 0,
        **(recording or {}),
    })
    fields = VoiceResult(wav_path=str(Path(wav_path).absolute()), rt_ms=rt_ms,
                         details=details).trial_fields()
    fields.update({"voice_onset_ms": measurement.onset_ms,
                   "recording_duration_ms": round(measurement.duration_ms, 3),
                   "voice_no_onset": measurement.onset_ms is None})
    return fields
