"""``SessionOptions``: everything about how one session runs, as one object.

``run_session(task, participant, options)`` takes a task, a participant code and this
object instead of two dozen keyword arguments; keyword arguments of the same names are still
accepted as overrides (``run_session("stroop", "P01", simulate=True)``), and an unknown name
is refused in one line.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from experiments.errors import ExperimentError


@dataclass
class SessionOptions:
    """How a session runs (see ``experiments.runner.run_session``).

    Stimuli: ``stimuli`` (a bundled set name, a folder, an items.csv path or a loaded set;
    default ``<task>-<language>``) or a ready ``trial_list``; ``language``, ``instruction``.
    Answers: ``response`` (keyboard or voice), ``simulate`` with ``simulation`` (profile
    overrides), or any ``participant_agent``; ``voice_recorder`` a ready recorder.
    Storage and outputs: ``store`` or ``db`` (URL), ``study``, ``csv_dir``,
    ``screenshot_dir``. Course: ``session`` (number), ``resume``, ``seed``, ``max_trials``,
    ``max_practice_trials``, ``practice``, ``params`` (task timing parameters, ms).
    Display: ``windowed``, ``window_size``.
    """

    session: int = 1
    stimuli: Any = None
    trial_list: Any = None
    language: str | None = None
    instruction: str | None = None
    response: str = "keyboard"
    store: Any = None
    db: str | None = None
    windowed: bool = False
    window_size: tuple[int, int] = (1024, 768)
    resume: bool = False
    simulate: bool = False
    simulation: Mapping[str, Any] | None = None
    participant_agent: Any = None
    voice_recorder: Any = None
    screenshot_dir: str | Path | None = None
    seed: int | None = None
    csv_dir: str | Path | None = None
    max_trials: int | None = None
    max_practice_trials: int | None = None
    practice: bool = True
    params: Mapping[str, Any] | None = None
    study: str = "default"

    @classmethod
    def build(cls, options: "SessionOptions | None" = None, **overrides: Any) -> "SessionOptions":
        """``options`` (or the defaults) with ``overrides`` applied; unknown names refused."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise ExperimentError(f"unknown session option(s) {', '.join(unknown)} "
                                  f"(known: {', '.join(sorted(known))})")
        if options is not None and not isinstance(options, cls):
            raise ExperimentError(f"session options must be a SessionOptions, not "
                                  f"{type(options).__name__}")
        return dataclasses.replace(options or cls(), **overrides)
