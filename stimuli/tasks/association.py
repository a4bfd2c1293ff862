"""The semantic association card (Pyramids-and-Palm-Trees style): choose which of 2 or 4 words
(or pictures) goes with the target. Answered with keys only. Conditions words / pictures.
The report compares people's and each model's choices item by item.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stimuli.generators.association import (TASK_COLUMNS, association_fixed_rows,
                                            association_item_condition, association_trial_list)
from stimuli.tasks.card import AnalysisDesign, TaskCard

#: The simulated participant's means (ms): no published key-press norms were found here, so
#: our choice: words 1150, pictures 1250, +120 ms with 4 choices instead of 2.
SIMULATED_MEANS_MS = {"words": 1150.0, "pictures": 1250.0}
FOUR_CHOICE_COST_MS = 120.0


def simulated_mean_ms(trial: Mapping[str, Any], effect_scale: float) -> float:
    base = SIMULATED_MEANS_MS["words"]
    mean = SIMULATED_MEANS_MS.get(str(trial.get("condition") or ""), base)
    choices = trial.get("choices")
    if choices is not None and len(choices) >= 4:
        mean += FOUR_CHOICE_COST_MS
    return base + effect_scale * (mean - base)


def check_items(table, card, folder, metadata) -> dict:
    from stimuli.validation import check_association

    return check_association(table, folder)


CARD = TaskCard(
    name="association",
    title="Semantic association (Pyramids and Palm Trees style)",
    required_columns=("item_id", "target", "choice_1", "choice_2", "answer"),
    optional_columns=("choice_3", "choice_4", "choice_5", "choice_6", "target_picture",
                      "choice_1_picture", "choice_2_picture", "choice_3_picture",
                      "choice_4_picture", "choice_5_picture", "choice_6_picture", "role",
                      "notes"),
    conditions=("words", "pictures"),
    instructions=("choose_associate",),
    design_defaults={"practice_trials": 3, "max_same_condition_in_row": 4,
                     "max_same_answer_position_in_row": 3, "picture_size_px": 300},
    stimulus_columns=TASK_COLUMNS,
    trial_list=association_trial_list,
    fixed_rows=association_fixed_rows,
    item_condition=association_item_condition,
    check_items=check_items,
    response_modes=("keyboard",),
    default_stimulus_set="association-en",
    simulated_mean_ms=simulated_mean_ms,
    analysis=AnalysisDesign(
        condition_levels=("words", "pictures"),
        cell_columns=("condition",),
        fixed_effects="condition",
        random_slopes=("condition",),
        choice_agreement=True,
    ),
    human_targets=("howard-patterson1992-controls",),
)
