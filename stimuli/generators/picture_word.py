"""Picture–word interference trial lists (picture naming or word reading).

Design (Glaser & Düngelhoff, 1984): the SOAs are blocked; each main block holds one SOA and
every experimental picture once with each distractor relation (identical, related,
unrelated, nonword) × ``repetitions_per_soa``. The order of SOA blocks follows a row of a
Williams (balanced Latin) square chosen by ``participant_index``, so across participants
every SOA occurs in every serial position and after every other SOA equally often. Within a
block the order is random with at most ``max_same_condition_in_row`` trials of one relation
in a row and never the same picture on consecutive trials. Practice (block 0): the
``practice`` pictures (else experimental ones), relations balanced, SOAs drawn from the list.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from stimuli.generators.rows import to_frame
from stimuli.generators.sequencing import (balanced_repeats, constrained_order, rng_for,
                                           williams_row)

if TYPE_CHECKING:
    from stimuli.stimulus_set import StimulusSet

TASK_COLUMNS = ("picture", "picture_file", "category", "distractor", "distractor_category",
                "soa_ms")
RELATIONS = ("identical", "related", "unrelated", "nonword")


def distractor_for(item: dict, condition: str) -> tuple[str, str]:
    """The distractor word and its category for one picture and relation."""
    if condition == "identical":
        return item["picture"], item["category"]
    if condition == "related":
        return item["related_distractor"], item["category"]
    if condition == "unrelated":
        return item["unrelated_distractor"], item["unrelated_category"]
    return item["nonword_distractor"], ""


def picture_word_row(stimulus_set: "StimulusSet", item: dict, condition: str, soa_ms: int,
                     instruction: str, block: int, is_practice: bool) -> dict:
    distractor, distractor_category = distractor_for(item, condition)
    return {"task": stimulus_set.task, "instruction": instruction, "item_id": item["item_id"],
            "condition": condition, "language": stimulus_set.language,
            "expected_response": item["picture"] if instruction == "picture_naming"
            else distractor,
            "block": block, "is_practice": is_practice, "picture": item["picture"],
            "picture_file": stimulus_set.picture_file(item["item_id"]),
            "category": item["category"], "distractor": distractor,
            "distractor_category": distractor_category, "soa_ms": int(soa_ms)}


def picture_word_trial_list(stimulus_set: "StimulusSet", *, seed: int, instruction: str,
                            participant_index: int, include_practice: bool) -> pd.DataFrame:
    design = stimulus_set.design
    rng = rng_for(seed, participant_index)
    items = stimulus_set.items
    soas = list(design["soas_ms"])
    max_run = design["max_same_condition_in_row"]
    rows: list[dict] = []
    if include_practice and design["practice_trials"] > 0:
        practice = items[items["role"] == "practice"]
        pool = (practice if len(practice) else items[items["role"] == "experimental"])
        pool = pool.to_dict("records")
        pairs = [(item, condition) for item in pool for condition in RELATIONS]
        chosen = balanced_repeats(pairs, design["practice_trials"], rng)
        practice_soas = balanced_repeats(soas, len(chosen), rng)
        order = constrained_order(len(chosen), rng,
                                  run_limits=[([c for _, c in chosen], max_run)],
                                  no_repeat=[i["item_id"] for i, _ in chosen]
                                  if len(pool) > 1 else None, what="practice block")
        rows += [picture_word_row(stimulus_set, chosen[i][0], chosen[i][1], practice_soas[k],
                                  instruction, 0, True) for k, i in enumerate(order)]
    experimental = items[items["role"] == "experimental"].to_dict("records")
    block_order = [soas[k] for k in williams_row(len(soas), participant_index)]
    for block, soa_ms in enumerate(block_order, start=1):
        trials = [(item, condition) for item in experimental for condition in RELATIONS
                  ] * design["repetitions_per_soa"]
        order = constrained_order(
            len(trials), rng, run_limits=[([c for _, c in trials], max_run)],
            no_repeat=[i["item_id"] for i, _ in trials], what=f"SOA block {soa_ms} ms")
        rows += [picture_word_row(stimulus_set, trials[i][0], trials[i][1], soa_ms,
                                  instruction, block, False) for i in order]
    return to_frame(rows, TASK_COLUMNS)


def picture_word_fixed_rows(stimulus_set: "StimulusSet", plan: list, instruction: str) -> list[dict]:
    """Rows of a fixed ``trials.csv``: condition and ``soa_ms`` come from the file."""
    return [picture_word_row(stimulus_set, item, row["condition"], int(row["soa_ms"]),
                             instruction, block, is_practice)
            for item, row, block, is_practice in plan]
