"""What each task needs from a stimulus set: columns of ``items.csv``, allowed values,
instructions, and the design options ``set.toml`` may set (with their defaults).

This table is the single source of truth for validation, for the trial-list generators and
for ``docs/stimuli.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: The classic SOA list of Glaser & Düngelhoff (1984): −400…+400 ms in 100-ms steps.
DEFAULT_SOAS_MS = tuple(range(-400, 401, 100))
LANGUAGES = ("en", "ja")
ROLE_PRACTICE = "practice"
ROLE_EXPERIMENTAL = "experimental"
ROLE_FILLER = "filler"


@dataclass(frozen=True)
class TaskSpec:
    name: str
    required_columns: tuple[str, ...]
    optional_columns: tuple[str, ...]
    conditions: tuple[str, ...]
    instructions: tuple[str, ...]
    roles: tuple[str, ...]
    #: design option -> default (the type of the default is the type required in set.toml)
    design_defaults: dict[str, Any] = field(default_factory=dict)


STROOP = TaskSpec(
    name="stroop",
    required_columns=("item_id", "word", "ink", "word_colour", "condition"),
    optional_columns=("role", "notes"),
    conditions=("congruent", "neutral", "incongruent"),
    instructions=("colour_naming", "word_reading"),
    roles=(ROLE_EXPERIMENTAL, ROLE_PRACTICE),
    design_defaults={"blocks": 2, "trials_per_condition": 24, "practice_trials": 12,
                     "max_same_condition_in_row": 3},
)

PICTURE_WORD = TaskSpec(
    name="picture-word",
    required_columns=("item_id", "picture", "category", "picture_source", "related_distractor",
                      "unrelated_distractor", "unrelated_category", "nonword_distractor"),
    optional_columns=("role", "notes"),
    conditions=("identical", "related", "unrelated", "nonword"),
    instructions=("picture_naming", "word_reading"),
    roles=(ROLE_EXPERIMENTAL, ROLE_PRACTICE),
    design_defaults={"soas_ms": list(DEFAULT_SOAS_MS), "repetitions_per_soa": 1,
                     "practice_trials": 8, "max_same_condition_in_row": 3,
                     "picture_size_px": 300},
)

ASSOCIATION = TaskSpec(
    name="association",
    required_columns=("item_id", "target", "choice_1", "choice_2", "answer"),
    optional_columns=("choice_3", "choice_4", "choice_5", "choice_6", "target_picture",
                      "choice_1_picture", "choice_2_picture", "choice_3_picture",
                      "choice_4_picture", "choice_5_picture", "choice_6_picture", "role",
                      "notes"),
    conditions=("words", "pictures"),
    instructions=("choose_associate",),
    roles=(ROLE_EXPERIMENTAL, ROLE_PRACTICE),
    design_defaults={"practice_trials": 3, "max_same_condition_in_row": 4,
                     "max_same_answer_position_in_row": 3, "picture_size_px": 300},
)

CONTINUOUS_NAMING = TaskSpec(
    name="continuous-naming",
    required_columns=("item_id", "picture", "category", "picture_source", "role"),
    optional_columns=("notes",),
    conditions=("experimental", "filler"),
    instructions=("picture_naming",),
    roles=(ROLE_EXPERIMENTAL, ROLE_FILLER, ROLE_PRACTICE),
    design_defaults={"lags": [2, 4, 6, 8], "members_per_category": 5,
                     "picture_size_px": 300},
)

TASKS: dict[str, TaskSpec] = {spec.name: spec for spec in
                              (STROOP, PICTURE_WORD, ASSOCIATION, CONTINUOUS_NAMING)}


def task_spec(name: str) -> TaskSpec:
    return TASKS[name]
