"""PsychoPy experiments with people: the tasks, the session runner and the voice key.

Heavy imports (psychopy, psychtoolbox) happen inside the modules that need them, so that
importing this package (and ``mirrorlab --help``) stays fast.

    from experiments import SessionOptions, run_session, TASKS
    session_id = run_session("stroop", "P01",
                             SessionOptions(simulate=True, windowed=True, max_trials=24))
"""

from __future__ import annotations

from typing import Any

__all__ = ["ExperimentError", "SessionOptions", "TASKS", "run_session"]


def __getattr__(name: str) -> Any:
    if name == "run_session":
        from experiments.runner import run_session

        return run_session
    if name == "SessionOptions":
        from experiments.session_options import SessionOptions

        return SessionOptions
    if name == "TASKS":
        from experiments.tasks import TASKS

        return TASKS
    if name == "ExperimentError":
        from experiments.errors import ExperimentError

        return ExperimentError
    raise AttributeError(f"module 'experiments' has no attribute {name!r}")
