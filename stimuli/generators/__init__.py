"""Trial-list generators, one module per task, plus the fixed list of a ``trials.csv``.

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
    if stimulus_set.fixed_trials is not None:
        from stimuli.generators.fixed import fixed_trial_list as generate
    elif stimulus_set.task == "stroop":
        from stimuli.generators.stroop import stroop_trial_list as generate
    elif stimulus_set.task == "picture-word":
        from stimuli.generators.picture_word import picture_word_trial_list as generate
    elif stimulus_set.task == "association":
        from stimuli.generators.association import association_trial_list as generate
    else:
        from stimuli.generators.continuous_naming import continuous_naming_trial_list as generate
    return generate(stimulus_set, seed=seed, instruction=instruction,
                    participant_index=participant_index, include_practice=include_practice)
