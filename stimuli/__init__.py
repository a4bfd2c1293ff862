"""Stimulus sets: the file format, validation, bundled sets and trial-list generators.

```python
from stimuli import load_set, list_sets, StimulusError
s = load_set("stroop-en")
trials = s.trial_list(seed=1, instruction="colour_naming", participant_index=0)
```

``stimuli`` never imports psychopy, torch or statsmodels. See ``docs/stimuli.md``.
"""

from stimuli.errors import StimulusError

_LAZY = {"StimulusSet": "stimuli.stimulus_set", "list_sets": "stimuli.stimulus_set",
         "load_set": "stimuli.stimulus_set", "TASKS": "stimuli.tasks"}


def __getattr__(name: str):
    """Sets and cards are imported on first use, so ``import stimuli.tasks`` (which the command
    line's help needs for the task names) does not import pandas."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'stimuli' has no attribute {name!r}")


__all__ = ["StimulusError", "StimulusSet", "TASKS", "list_sets", "load_set"]
