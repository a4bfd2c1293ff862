"""The continuous picture naming card (Howard et al. 2006): pictures of 24 categories × 5
members among fillers; naming slows with each preceding member of the category (cumulative
semantic interference), whatever the lag. Analysed: experimental trials, RT on the number of
preceding category members; curves by ordinal position and by lag.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import numpy as np

from stimuli.generators.continuous_naming import (TASK_COLUMNS, continuous_naming_fixed_rows,
                                                  continuous_naming_item_condition,
                                                  continuous_naming_trial_list)
from stimuli.tasks.card import (ROLE_EXPERIMENTAL, ROLE_FILLER, ROLE_PRACTICE, AnalysisDesign,
                                Curve, NumericPredictor, TaskCard)

#: The simulated participant's filler RT (ms): the position-1 level + 20 ms (our choice).
SIMULATED_FILLER_MEAN_MS = 630.0


@lru_cache(maxsize=None)
def _position_means_ms() -> tuple[float, ...]:
    from stimuli.published import published_table

    rows = sorted(published_table("howard2006-ordinal-position").rows,
                  key=lambda row: row["ordinal_position"])
    return tuple(float(row["rt_ms"]) for row in rows)


def simulated_mean_ms(trial: Mapping[str, Any], effect_scale: float) -> float:
    """Howard et al.'s mean at the trial's ordinal position (1–5), scaled from position 1;
    fillers at ``SIMULATED_FILLER_MEAN_MS``."""
    position = trial.get("ordinal_position")
    if position is None or position == "" or (isinstance(position, float) and np.isnan(position)):
        return SIMULATED_FILLER_MEAN_MS
    means = _position_means_ms()
    index = int(min(max(int(position), 1), len(means))) - 1
    return means[0] + effect_scale * (means[index] - means[0])


def check_items(table, card, folder, metadata) -> dict:
    from stimuli.validation import check_continuous_naming

    return check_continuous_naming(table, card, folder, metadata)


CARD = TaskCard(
    name="continuous-naming",
    title="Continuous picture naming (cumulative semantic interference)",
    required_columns=("item_id", "picture", "category", "picture_source", "role"),
    optional_columns=("notes",),
    conditions=("experimental", "filler"),
    instructions=("picture_naming",),
    roles=(ROLE_EXPERIMENTAL, ROLE_FILLER, ROLE_PRACTICE),
    design_defaults={"lags": [2, 4, 6, 8], "members_per_category": 5,
                     "picture_size_px": 300},
    stimulus_columns=TASK_COLUMNS,
    trial_list=continuous_naming_trial_list,
    fixed_rows=continuous_naming_fixed_rows,
    item_condition=continuous_naming_item_condition,
    check_items=check_items,
    default_stimulus_set="continuous-naming-en",
    simulated_mean_ms=simulated_mean_ms,
    analysis=AnalysisDesign(
        condition_levels=("experimental",),
        cell_columns=("ordinal_position",),
        fixed_effects="preceding_members",
        random_slopes=("preceding_members",),
        numeric_predictors=(NumericPredictor("preceding_members", "ordinal_position", -1.0),),
        analysed_conditions=("experimental",),
        numeric_columns=("ordinal_position", "lag"),
        curves=(Curve("ordinal_position", x="ordinal_position",
                      title="RT by ordinal position within category",
                      x_label="ordinal position within category",
                      targets=("howard2006-ordinal-position",)),
                Curve("lag", x="lag", title="RT by lag", x_label="lag",
                      targets=("howard2006-lag",))),
        cell_targets="howard2006-ordinal-position",
    ),
    human_targets=("howard2006-ordinal-position", "howard2006-lag"),
    order_matters=True,
)
