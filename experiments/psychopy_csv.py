"""The PsychoPy-style CSV written beside the database, one row per trial as it ends.

Column names are the ones PsychoPy Builder users expect (``participant``, ``session``,
``date``, ``expName``, ``psychopyVersion``, ``frameRate``, ``trials.thisN``,
``key_resp.keys``, ``key_resp.rt`` in seconds, ``key_resp.corr`` as 1/0, ``<component>.started``
onsets in seconds on the session clock), followed by the trial-list columns and mirrorlab's
timing columns. Each row is flushed and fsync'ed, so the file is as complete as the database
after a crash; a resumed session appends to the same file.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

HEADER = (
    "participant", "session", "date", "expName", "psychopyVersion", "frameRate",
    "trials.thisN", "trials.thisIndex", "block", "is_practice",
    "task", "instruction", "item_id", "condition", "soa_ms", "word", "ink", "picture",
    "distractor", "target", "choices", "category", "ordinal_position", "lag", "language",
    "expected_response",
    "key_resp.keys", "key_resp.rt", "key_resp.corr", "response", "rt_ms",
    "fixation.started", "stimulus.started", "distractor.started", "measured_soa_ms",
    "dropped_frames", "voice.wav", "voice.rt", "simulated",
)


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float) and value != value:   # NaN
        return ""
    if isinstance(value, (list, tuple)):
        return "|".join(str(v) for v in value)
    if isinstance(value, bool):
        return int(value)
    return value


class PsychoPyCsv:
    """Append trial rows to ``path``; writes the header when the file is new."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        is_new = not self.path.exists() or self.path.stat().st_size == 0
        self._file = open(self.path, "a", newline="", encoding="utf-8")
        self._writer = csv.DictWriter(self._file, fieldnames=HEADER, extrasaction="ignore")
        if is_new:
            self._writer.writeheader()
            self._flush()

    def write(self, row: Mapping[str, Any]) -> None:
        self._writer.writerow({key: _cell(row.get(key)) for key in HEADER})
        self._flush()

    def _flush(self) -> None:
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()
