"""The PsychoPy presentation of each task, found by name (the ``TASK`` of ``mirrorlab run TASK``).

A presentation class (``experiments.tasks.base.Task``) draws and answers one trial; everything
else about its task is on the task card (``stimuli.tasks``). Adding a task = a card
(``stimuli.tasks.register_card``) + a presentation registered here with
``register_task_class``.
"""

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


def register_task_class(cls: type[Task]) -> type[Task]:
    """Make a presentation class known by its ``name``, which must be a registered task card."""
    check_against_card(cls)
    TASKS[cls.name] = cls
    return cls


def check_against_card(cls: type[Task]) -> None:
    """A presentation must present its card's task: a registered card of that name, and only
    instructions the card declares (``UnknownTaskError`` / ``ExperimentError`` otherwise)."""
    from stimuli.tasks import task_card

    card = task_card(cls.name)          # UnknownTaskError if no card says what the task is
    unknown = sorted(set(cls.instructions_supported) - set(card.instructions))
    if unknown or not cls.instructions_supported:
        raise ExperimentError(f"presentation {cls.__name__}: instructions {unknown or '(none)'} are "
                              f"not those of the {cls.name} card ({', '.join(card.instructions)})")


def unregister_task_class(name: str) -> None:
    TASKS.pop(name, None)


def task_class(name: str) -> type[Task]:
    try:
        return TASKS[name]
    except KeyError:
        raise ExperimentError(f"unknown task {name!r} (choose one of {', '.join(TASKS)})") from None
