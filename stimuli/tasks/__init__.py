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

from stimuli.tasks.card import (LANGUAGES, RESPONSE_MODES, ROLE_EXPERIMENTAL, ROLE_FILLER,
                                ROLE_PRACTICE, AnalysisDesign, Curve, Factor, NumericPredictor,
                                TaskCard)


class UnknownTaskError(KeyError):
    """A task name no card is registered for; the message lists the known names."""

    user_facing = True

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


#: Every registered card by name (registration order). The bundled cards are registered on
#: first use, not at import: their generators import ``stimuli.validation``, which imports
#: ``stimuli.tasks.card``.
_CARDS: dict[str, TaskCard] = {}
_bundled_loaded = False


def _cards() -> dict[str, TaskCard]:
    global _bundled_loaded
    if not _bundled_loaded:
        _bundled_loaded = True
        from stimuli.tasks import association, continuous_naming, picture_word, stroop

        for module in (stroop, picture_word, association, continuous_naming):
            _CARDS.setdefault(module.CARD.name, module.CARD)
    return _CARDS


class _Registry(Mapping):
    """Read-only view of the registered cards: ``TASKS[name]``, ``name in TASKS``, …"""

    def __getitem__(self, name: str) -> TaskCard:
        return _cards()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(list(_cards()))

    def __len__(self) -> int:
        return len(_cards())


TASKS: Mapping[str, TaskCard] = _Registry()


def register_card(card: TaskCard, *, replace: bool = False) -> TaskCard:
    """Make ``card`` known by its name (a new task, or a test's extra task)."""
    if not isinstance(card, TaskCard):
        raise TypeError(f"register_card needs a TaskCard, not {type(card).__name__}")
    cards = _cards()
    if card.name in cards and not replace and cards[card.name] is not card:
        raise ValueError(f"a task card named {card.name!r} is already registered")
    cards[card.name] = card
    return card


def unregister_card(name: str) -> None:
    """Forget a card registered with ``register_card`` (tests clean up with it)."""
    _cards().pop(name, None)


def task_names() -> tuple[str, ...]:
    """The names of every registered task, in registration order."""
    return tuple(_cards())


def task_card(name: str) -> TaskCard:
    """The card of task ``name``; an unknown name raises ``UnknownTaskError`` naming the known."""
    cards = _cards()
    try:
        return cards[name]
    except (KeyError, TypeError):
        raise UnknownTaskError(f"unknown task {name!r}; known tasks: "
                               f"{', '.join(cards)}") from None


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
