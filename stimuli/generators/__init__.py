"""Trial-list generators, one module per task (each task card points at its own), plus the
fixed list of a ``trials.csv``.

``build_trial_list(set, seed=…, instruction=…, participant_index=…, include_practice=…)``
returns the trial-list DataFrame described in docs/developer-guide.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from stimuli.stimulus_set import StimulusSet


def build_trial_list(stimulus_set: "StimulusSet", *, seed: int, instruction: str,
                     participant_index: int, include_practice: bool) -> pd.DataFrame:
    """The set's fixed ``trials.csv`` list if it has one, else its task card's generator."""
    if stimulus_set.fixed_trials is not None:
        from stimuli.generators.fixed import fixed_trial_list as generate
    else:
        generate = stimulus_set.spec.trial_list
    return generate(stimulus_set, seed=seed, instruction=instruction,
                    participant_index=participant_index, include_practice=include_practice)
