"""Stimulus sets: the file format, validation, bundled sets and trial-list generators.

```python
from stimuli import load_set, list_sets, StimulusError
s = load_set("stroop-en")
trials = s.trial_list(seed=1, instruction="colour_naming", participant_index=0)
```

``stimuli`` never imports psychopy, torch or statsmodels. See ``docs/stimuli.md``.
"""

from stimuli.errors import StimulusError
from stimuli.stimulus_set import StimulusSet, list_sets, load_set
from stimuli.tasks import TASKS

__all__ = ["StimulusError", "StimulusSet", "TASKS", "list_sets", "load_set"]
