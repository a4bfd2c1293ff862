"""The four tasks, found by name (the ``TASK`` of ``mirrorlab run TASK``)."""

from __future__ import annotations

from experiments.errors import ExperimentError
from experiments.tasks.association import AssociationTask
from experiments.tasks.base import Task
from experiments.tasks.continuous_naming import ContinuousNamingTask
from experiments.tasks.picture_word import PictureWordTask
from experiments.tasks.stroop import StroopTask

TASKS: dict[str, type[Task]] = {
    cls.name: cls for cls in (StroopTask, PictureWordTask, AssociationTask, ContinuousNamingTask)
}


def task_class(name: str) -> type[Task]:
    try:
        return TASKS[name]
    except KeyError:
        raise ExperimentError(f"unknown task {name!r} (choose one of {', '.join(TASKS)})") from None
