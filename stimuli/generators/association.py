"""Semantic-association trial lists (Pyramids-and-Palm-Trees style).

Every experimental item once, in random order, with at most ``max_same_condition_in_row``
word or picture items in a row. The position of the answer among the choices is
counterbalanced: for the k-th item with that number of choices (in ``items.csv`` order) the answer goes to position
``(k + participant_index) mod n_choices`` and the other choices fill the remaining positions
in random order, so within a participant the answer is equally often in every position and
across participants each item's answer visits every position. The presentation order is
then constrained to at most ``max_same_answer_position_in_row`` trials in a row with the
answer in the same position. Practice (block 0): the ``practice`` items only (never
experimental items, which must stay new).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from stimuli.generators.rows import to_frame
from stimuli.generators.sequencing import constrained_order, rng_for
from stimuli.validation import association_choices

if TYPE_CHECKING:
    from stimuli.stimulus_set import StimulusSet

TASK_COLUMNS = ("target", "choices", "target_picture_file", "choice_picture_files",
                "answer_position")


def association_row(stimulus_set: "StimulusSet", item: dict, order: list[int], block: int,
                    is_practice: bool) -> dict:
    """One trial; ``order`` lists the items.csv choice numbers (0-based) in screen order."""
    choices = association_choices(item)
    shown = [choices[k] for k in order]
    pictures = stimulus_set.pictures.get(item["item_id"], {})
    condition = "pictures" if item.get("target_picture") else "words"
    choice_files = ([stimulus_set.picture_file(item["item_id"], f"choice_{k + 1}_picture")
                     for k in order] if "choice_1_picture" in pictures else [])
    return {"task": stimulus_set.task, "instruction": "choose_associate",
            "item_id": item["item_id"], "condition": condition,
            "language": stimulus_set.language, "expected_response": item["answer"],
            "block": block, "is_practice": is_practice, "target": item["target"],
            "choices": shown,
            "target_picture_file": stimulus_set.picture_file(item["item_id"], "target")
            if "target" in pictures else "",
            "choice_picture_files": choice_files,
            "answer_position": shown.index(item["answer"]) + 1}


def counterbalanced_order(item: dict, k: int, participant_index: int, rng) -> list[int]:
    choices = association_choices(item)
    answer = choices.index(item["answer"])
    others = [i for i in range(len(choices)) if i != answer]
    others = [others[i] for i in rng.permutation(len(others))]
    position = (k + participant_index) % len(choices)
    return others[:position] + [answer] + others[position:]


def association_trial_list(stimulus_set: "StimulusSet", *, seed: int, instruction: str,
                           participant_index: int, include_practice: bool) -> pd.DataFrame:
    design = stimulus_set.design
    rng = rng_for(seed, participant_index)
    items = stimulus_set.items
    rows: list[dict] = []
    for role, block in (("practice", 0), ("experimental", 1)):
        if role == "practice" and not include_practice:
            continue
        records = items[items["role"] == role].to_dict("records")
        if role == "practice":
            records = records[:design["practice_trials"]]
        if not records:
            continue
        # k counts items with the same number of choices, so the answer positions of the
        # two-choice and of the four-choice items are each balanced
        seen_with: dict[int, int] = {}
        orders = []
        for item in records:
            n_choices = len(association_choices(item))
            k = seen_with.get(n_choices, 0)
            seen_with[n_choices] = k + 1
            orders.append(counterbalanced_order(item, k, participant_index, rng))
        trials = [association_row(stimulus_set, item, order, block, role == "practice")
                  for item, order in zip(records, orders)]
        limits = [([t["condition"] for t in trials], design["max_same_condition_in_row"]),
                  ([t["answer_position"] for t in trials],
                   design["max_same_answer_position_in_row"])]
        sequence = constrained_order(
            len(trials), rng, what=f"association {role} block",
            run_limits=[(keys, limit) for keys, limit in limits if len(set(keys)) > 1])
        rows += [trials[i] for i in sequence]
    return to_frame(rows, TASK_COLUMNS)


def association_fixed_rows(stimulus_set: "StimulusSet", plan: list, instruction: str) -> list[dict]:
    """Rows of a fixed ``trials.csv``: the choices keep their ``items.csv`` order."""
    return [association_row(stimulus_set, item, list(range(len(association_choices(item)))),
                            block, is_practice)
            for item, _row, block, is_practice in plan]


def association_item_condition(item: dict) -> str:
    """An item with a target picture is a ``pictures`` item, else a ``words`` item."""
    return "pictures" if item.get("target_picture") else "words"
