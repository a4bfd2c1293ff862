"""The Stroop task card: name the ink colour (or read the word) of a colour word.

Conditions congruent / neutral / incongruent (baseline neutral); instructions colour naming
and word reading, analysed as separate subsets. Human target: Dunbar & MacLeod (1984).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from stimuli.generators.stroop import TASK_COLUMNS, stroop_fixed_rows, stroop_trial_list
from stimuli.tasks.card import AnalysisDesign, TaskCard

#: The simulated participant's condition means (ms). Colour naming (key press): Pratte et al.
#: (2010, Exp. 1), condition means computed from the bundled data (``db/datasets``): not a
#: published table, so written down here. Word reading: Dunbar & MacLeod (1984), read from
#: the published table ``dunbar-macleod1984``.
PRATTE2010_COLOUR_NAMING_MEANS_MS = {"congruent": 703.0, "neutral": 720.0, "incongruent": 790.0}


@lru_cache(maxsize=None)
def _simulated_means_ms() -> dict[str, dict[str, float]]:
    from stimuli.published import published_table

    reading = {row["condition"]: float(row["rt_ms"])
               for row in published_table("dunbar-macleod1984").rows
               if row["instruction"] == "word_reading"}
    return {"colour_naming": PRATTE2010_COLOUR_NAMING_MEANS_MS, "word_reading": reading}


def simulated_mean_ms(trial: Mapping[str, Any], effect_scale: float) -> float:
    """Neutral mean of the trial's instruction + ``effect_scale`` × the condition's effect."""
    table = _simulated_means_ms()
    means = table.get(str(trial.get("instruction") or ""), table["colour_naming"])
    base = means["neutral"]
    return base + effect_scale * (means.get(str(trial.get("condition") or ""), base) - base)


def conflict_trial(trial: Mapping[str, Any]) -> bool:
    return trial.get("condition") == "incongruent"


def check_items(table, card, folder, metadata) -> dict:
    from stimuli.validation import check_stroop

    check_stroop(table, card, metadata)
    return {}


def check_metadata(data: dict, path) -> None:
    from stimuli.metadata import check_colours

    check_colours(data, path)


STANDARD_RGB = {"red": (255, 0, 0), "green": (0, 170, 0), "blue": (0, 0, 255),
                "yellow": (255, 255, 0)}


def metadata_from_items(table) -> dict:
    """A lone items CSV: its colour keys, with standard RGB values (grey for unknown keys)."""
    keys = sorted({row["ink"] for row in table.rows if row["ink"]}
                  | {row["word_colour"] for row in table.rows if row["word_colour"]})
    return {"colours": {key: list(STANDARD_RGB.get(key, (128, 128, 128))) for key in keys}}


CARD = TaskCard(
    name="stroop",
    title="Stroop colour naming and word reading",
    required_columns=("item_id", "word", "ink", "word_colour", "condition"),
    conditions=("congruent", "neutral", "incongruent"),
    baseline="neutral",
    instructions=("colour_naming", "word_reading"),
    design_defaults={"blocks": 2, "trials_per_condition": 24, "practice_trials": 12,
                     "max_same_condition_in_row": 3},
    stimulus_columns=TASK_COLUMNS,
    trial_list=stroop_trial_list,
    fixed_rows=stroop_fixed_rows,
    item_condition=lambda item: item["condition"],
    check_items=check_items,
    check_metadata=check_metadata,
    metadata_from_items=metadata_from_items,
    default_stimulus_set="stroop-en",
    simulated_mean_ms=simulated_mean_ms,
    conflict_trial=conflict_trial,
    analysis=AnalysisDesign(
        condition_levels=("congruent", "neutral", "incongruent"),
        cell_columns=("condition",),
        fixed_effects="condition",
        random_slopes=("condition",),
        cell_targets="dunbar-macleod1984",
    ),
    human_targets=("dunbar-macleod1984",),
)
