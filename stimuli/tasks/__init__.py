"""The task cards: one module per task, found by name.

```python
from stimuli.tasks import task_card, task_names
card = task_card("picture-word")        # an unknown name raises UnknownTaskError listing the known
card.conditions, card.baseline, card.analysis.formulas(), card.human_targets
```

A card (``stimuli.tasks.card.TaskCard``) declares everything about its task once; every layer
looks it up instead of switching on the task name. The four bundled cards are
``stroop.py``, ``picture_word.py``, ``association.py`` and ``continuous_naming.py``; a new task
registers its card with ``register_card`` (see docs/developer-guide.md, "Adding a task").
The name a card has (``stroop``, ``picture-word``, ``association``, ``continuous-naming``) is
the one spelling everywhere: on the command line, in ``set.toml``, in stored trials.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache

from stimuli.tasks.card import (LANGUAGES, RESPONSE_MODES, ROLE_EXPERIMENTAL, ROLE_FILLER,
                                ROLE_PRACTICE, AnalysisDesign, Curve, Factor, NumericPredictor,
                                TaskCard)


class UnknownTaskError(KeyError):
    """A task name no card is registered for; the message lists the known names."""

    user_facing = True

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


#: Cards registered at run time (a new task, a test's extra task), by name.
_CARDS: dict[str, TaskCard] = {}
#: Modules of this package that are not cards.
_NOT_CARDS = ("card",)
#: The order the bundled tasks are listed in (help texts, reports); others follow by name.
_DISPLAY_ORDER = ("stroop", "picture-word", "association", "continuous-naming")


@lru_cache(maxsize=1)
def _bundled_modules() -> dict[str, str]:
    """Task name -> card module of the cards bundled in this package, found without importing
    them (``mirrorlab --help`` lists the tasks and stays fast): a module ``picture_word.py``
    holds the card of task ``picture-word`` (the one mapping from module to task name)."""
    import pkgutil

    found = {}
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_") and info.name not in _NOT_CARDS:
            found[info.name.replace("_", "-")] = info.name
    rank = {name: i for i, name in enumerate(_DISPLAY_ORDER)}
    return dict(sorted(found.items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[0])))


def _load_bundled(name: str) -> TaskCard | None:
    module_name = _bundled_modules().get(name)
    if module_name is None:
        return None
    import importlib

    card = importlib.import_module(f"{__name__}.{module_name}").CARD
    if card.name != name:
        raise ValueError(f"stimuli/tasks/{module_name}.py defines task {card.name!r}, not {name!r}")
    return _CARDS.setdefault(name, card)


class _Registry(Mapping):
    """Read-only view of every task card by name: ``TASKS[name]``, ``name in TASKS``, …"""

    def __getitem__(self, name: str) -> TaskCard:
        return task_card(name)

    def __iter__(self) -> Iterator[str]:
        return iter(task_names())

    def __len__(self) -> int:
        return len(task_names())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in task_names()


TASKS: Mapping[str, TaskCard] = _Registry()


def register_card(card: TaskCard, *, replace: bool = False) -> TaskCard:
    """Make ``card`` known by its name (a new task, or a test's extra task)."""
    if not isinstance(card, TaskCard):
        raise TypeError(f"register_card needs a TaskCard, not {type(card).__name__}")
    if card.name in task_names() and not replace and task_card(card.name) is not card:
        raise ValueError(f"a task card named {card.name!r} is already registered")
    _CARDS[card.name] = card
    return card


def unregister_card(name: str) -> None:
    """Forget a card registered with ``register_card`` (tests clean up with it); a bundled
    task's own card comes back from its module on the next lookup."""
    _CARDS.pop(name, None)


def task_names() -> tuple[str, ...]:
    """The names of every registered task, in registration order."""
    return tuple(dict.fromkeys([*_bundled_modules(), *_CARDS]))


def task_card(name: str) -> TaskCard:
    """The card of task ``name``; an unknown name raises ``UnknownTaskError`` naming the known."""
    card = _CARDS.get(name) if isinstance(name, str) else None
    if card is None and isinstance(name, str):
        card = _load_bundled(name)
    if card is None:
        raise UnknownTaskError(f"unknown task {name!r}; known tasks: {', '.join(task_names())}")
    return card


#: Kept for the code that speaks of a task's "spec": a spec is its card.
TaskSpec = TaskCard
task_spec = task_card


def __getattr__(name: str):
    if name == "DEFAULT_SOAS_MS":        # kept where it was; it lives on the picture–word card
        from stimuli.tasks.picture_word import DEFAULT_SOAS_MS

        return DEFAULT_SOAS_MS
    raise AttributeError(name)


__all__ = ["AnalysisDesign", "Curve", "DEFAULT_SOAS_MS", "Factor", "LANGUAGES", "NumericPredictor",
           "RESPONSE_MODES", "ROLE_EXPERIMENTAL", "ROLE_FILLER", "ROLE_PRACTICE", "TASKS",
           "TaskCard", "TaskSpec", "UnknownTaskError", "register_card", "task_card", "task_names",
           "task_spec", "unregister_card"]
