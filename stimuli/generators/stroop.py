"""Stroop trial lists (colour naming or word reading).

Design: ``blocks`` main blocks, each with ``trials_per_condition`` trials of every condition
the set has items for (congruent, neutral, incongruent; a congruent/incongruent-only set is
fine), the items of a condition repeated as evenly as possible; order within a block
randomised with no more than ``max_same_condition_in_row`` trials of one condition in a
row and never the same item twice in a row. Practice (block 0): items with
``role = practice`` if the set has them, else experimental items, balanced over conditions.

An item enters a list only if it has an answer for the instruction: its ink for colour
naming, its word colour for word reading (so XXXX is a colour-naming neutral item and a
colour word in the neutral ink, ``ink`` empty, is a word-reading neutral item).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from stimuli.errors import StimulusError
from stimuli.generators.rows import to_frame
from stimuli.generators.sequencing import balanced_repeats, constrained_order, rng_for

if TYPE_CHECKING:
    from stimuli.stimulus_set import StimulusSet

TASK_COLUMNS = ("word", "ink", "word_colour")


def answer_column(instruction: str) -> str:
    return "ink" if instruction == "colour_naming" else "word_colour"


def stroop_row(stimulus_set: "StimulusSet", item: dict, instruction: str, block: int,
               is_practice: bool) -> dict:
    return {"task": stimulus_set.task, "instruction": instruction, "item_id": item["item_id"],
            "condition": item["condition"], "language": stimulus_set.language,
            "expected_response": item[answer_column(instruction)], "block": block,
            "is_practice": is_practice, "word": item["word"], "ink": item["ink"],
            "word_colour": item["word_colour"]}


def stroop_trial_list(stimulus_set: "StimulusSet", *, seed: int, instruction: str,
                      participant_index: int, include_practice: bool) -> pd.DataFrame:
    design = stimulus_set.design
    rng = rng_for(seed, participant_index)
    items = stimulus_set.items
    usable = items[items[answer_column(instruction)] != ""]
    conditions = stimulus_set.spec.conditions
    rows: list[dict] = []
    if include_practice and design["practice_trials"] > 0:
        practice = usable[usable["role"] == "practice"]
        pool = practice if len(practice) else usable[usable["role"] == "experimental"]
        rows += _block(stimulus_set, pool, conditions, instruction, 0, True, rng,
                       per_condition=None, total=design["practice_trials"])
    main = usable[usable["role"] == "experimental"]
    if main.empty:
        raise StimulusError(f"set {stimulus_set.name} has no experimental items for "
                            f"{instruction}", path=stimulus_set.path,
                            expected=f"items with a non-empty {answer_column(instruction)}")
    for block in range(1, design["blocks"] + 1):
        rows += _block(stimulus_set, main, conditions, instruction, block, False, rng,
                       per_condition=design["trials_per_condition"], total=None)
    return to_frame(rows, TASK_COLUMNS)


def _block(stimulus_set, pool: pd.DataFrame, conditions, instruction, block, is_practice, rng,
           *, per_condition: int | None, total: int | None) -> list[dict]:
    present = [c for c in conditions if (pool["condition"] == c).any()]
    counts = ({c: per_condition for c in present} if per_condition is not None else
              dict(zip(present, [len(x) for x in _split(total, len(present))])))
    chosen: list[dict] = []
    for condition in present:
        records = pool[pool["condition"] == condition].to_dict("records")
        chosen += balanced_repeats(records, counts[condition], rng)
    order = constrained_order(
        len(chosen), rng,
        run_limits=[([t["condition"] for t in chosen],
                     stimulus_set.design["max_same_condition_in_row"])],
        no_repeat=[t["item_id"] for t in chosen], what=f"Stroop block {block}")
    return [stroop_row(stimulus_set, chosen[i], instruction, block, is_practice) for i in order]


def _split(total: int, parts: int) -> list[range]:
    base, extra = divmod(total, parts)
    return [range(base + (1 if k < extra else 0)) for k in range(parts)]


def stroop_fixed_rows(stimulus_set: "StimulusSet", plan: list, instruction: str) -> list[dict]:
    """Rows of a fixed ``trials.csv`` (``plan``: (item, row, block, is_practice) in file order);
    items without an answer for ``instruction`` are left out, as in generated lists."""
    return [stroop_row(stimulus_set, item, instruction, block, is_practice)
            for item, _row, block, is_practice in plan if item[answer_column(instruction)]]
