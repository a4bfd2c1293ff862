"""Continuous-naming sequences with category members at fixed lags (Howard et al., 2006).

One main block of ``categories × members + fillers`` trials (24 × 5 + 45 = 165 for the
bundled sets). Successive members of a category are separated by lags drawn from ``lags``
(intervening trials; 2, 4, 6, 8): with five members each category uses every lag once, in a
random order, so every lag occurs equally often. Fillers take the remaining positions.

The sequence is built position by position by a randomised depth-first search: a free
position either starts the next category (reserving the positions of its later members at
the drawn lags) or takes a filler; starts are tried first with probability
``categories left / (categories left + FILLER_WEIGHT × fillers left)``; a branch is cut as
soon as the categories still to start no longer fit before the end; the search restarts
after a node budget. Deterministic for a given seed; about 20 ms per sequence.

Counterbalancing: which member of a category is named first, second, … rotates with
``participant_index`` (a cyclic Latin square over the members), so over five participants
every picture appears at every ordinal position. Practice pictures (``role = practice``)
form block 0.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from stimuli.errors import StimulusError
from stimuli.generators.rows import to_frame
from stimuli.generators.sequencing import balanced_repeats, latin_square_row, rng_for

if TYPE_CHECKING:
    from stimuli.stimulus_set import StimulusSet

TASK_COLUMNS = ("picture", "picture_file", "category", "ordinal_position", "lag")
MAX_ATTEMPTS = 25  # the bundled design needs ~1; an impossible design fails in seconds
#: Weight of fillers against category starts at a free position; 0.3 spreads fillers evenly
#: over the sequence (measured: about 9 per fifth of 165 trials) and needs ~1 attempt.
FILLER_WEIGHT = 0.3


def lag_sequence_positions(n_categories: int, members: int, n_fillers: int, lags: list[int],
                           rng: np.random.Generator) -> list[tuple[int, int] | None]:
    """Positions of a sequence: ``(category index, ordinal 0..members-1)`` or ``None`` for a
    filler. Category ``c`` starts in the order 0, 1, 2… (the caller shuffles categories)."""
    length = n_categories * members + n_fillers
    for _ in range(MAX_ATTEMPTS):
        slots = _attempt(length, n_categories, members, n_fillers, lags, rng)
        if slots is not None:
            return slots
    raise StimulusError("cannot build a continuous-naming sequence with these lags",
                        value={"categories": n_categories, "fillers": n_fillers, "lags": lags},
                        expected="more fillers or smaller lags (set.toml [design] lags)")


def _attempt(length, n_categories, members, n_fillers, lags, rng, node_budget=4000):
    """Randomised depth-first search with a node budget (the caller restarts on failure).

    At each free position the options are: start the next category with one of its lag
    orders that fits, or place a filler. A start is tried first with probability
    categories left / (categories left + FILLER_WEIGHT × fillers left), which spreads starts
    and fillers evenly over the sequence. A category must start early enough for its whole
    span to fit, which prunes the tail."""
    # the shortest distance from a category's first to its last member: the gaps are drawn
    # with balanced_repeats (each lag ⌊k/n⌋ or ⌈k/n⌉ times), the extra ones smallest
    whole, extra = divmod(members - 1, len(lags))
    span = (members - 1) + whole * sum(lags) + sum(sorted(lags)[:extra])
    slots: list = [False] * length  # False = free
    budget = [node_budget]

    def search(position: int, next_category: int, fillers_left: int) -> bool:
        while position < length and slots[position] is not False:
            position += 1
        if position == length:
            return next_category == n_categories and fillers_left == 0
        budget[0] -= 1
        if budget[0] < 0:
            return False
        categories_left = n_categories - next_category
        if categories_left and not _room_for_starts(slots, position, length - span,
                                                    categories_left):
            return False
        options: list = []
        if categories_left:
            for _ in range(4):
                gaps = balanced_repeats(list(lags), members - 1, rng)
                options.append([gaps[i] for i in rng.permutation(len(gaps))])
        start_first = categories_left > 0 and (
            fillers_left == 0
            or rng.random() < categories_left / (categories_left + FILLER_WEIGHT * fillers_left))
        ordered = options + ["filler"] if start_first else ["filler"] + options
        for option in ordered:
            if option == "filler":
                if fillers_left == 0:
                    continue
                slots[position] = None
                if search(position + 1, next_category, fillers_left - 1):
                    return True
                slots[position] = False
                continue
            targets = [position]
            for gap in option:
                targets.append(targets[-1] + gap + 1)
            if targets[-1] >= length or any(slots[t] is not False for t in targets[1:]):
                continue
            for ordinal, target in enumerate(targets):
                slots[target] = (next_category, ordinal)
            if search(position + 1, next_category + 1, fillers_left):
                return True
            for target in targets:
                slots[target] = False
            if budget[0] < 0:
                return False
        return False

    return slots if search(0, 0, n_fillers) else None


def _room_for_starts(slots, position: int, last_start: int, needed: int) -> bool:
    """Are there ``needed`` free positions in ``[position, last_start)`` to start at?"""
    free = 0
    for index in range(position, max(position, last_start)):
        if slots[index] is False:
            free += 1
            if free >= needed:
                return True
    return False


def continuous_naming_row(stimulus_set: "StimulusSet", item: dict, block: int,
                          is_practice: bool, ordinal_position, lag) -> dict:
    condition = "experimental" if item["role"] == "experimental" else "filler"
    return {"task": stimulus_set.task, "instruction": "picture_naming",
            "item_id": item["item_id"], "condition": condition,
            "language": stimulus_set.language, "expected_response": item["picture"],
            "block": block, "is_practice": is_practice, "picture": item["picture"],
            "picture_file": stimulus_set.picture_file(item["item_id"]),
            "category": item["category"] if condition == "experimental" else "",
            "ordinal_position": ordinal_position, "lag": lag}


def annotate_positions(items: list[dict]) -> list[tuple[object, object]]:
    """Ordinal position and lag of every trial, computed from the sequence itself."""
    seen: dict[str, tuple[int, int]] = {}  # category -> (count so far, last position)
    result = []
    for position, item in enumerate(items):
        if item["role"] != "experimental":
            result.append((pd.NA, pd.NA))
            continue
        count, last = seen.get(item["category"], (0, None))
        lag = position - last - 1 if last is not None else pd.NA
        seen[item["category"]] = (count + 1, position)
        result.append((count + 1, lag))
    return result


def continuous_naming_trial_list(stimulus_set: "StimulusSet", *, seed: int, instruction: str,
                                 participant_index: int, include_practice: bool) -> pd.DataFrame:
    design = stimulus_set.design
    rng = rng_for(seed, participant_index)
    items = stimulus_set.items
    members = design["members_per_category"]
    experimental = items[items["role"] == "experimental"]
    categories = list(dict.fromkeys(experimental["category"]))
    rotation = latin_square_row(members, participant_index)
    ordered_members = []
    for category in categories:
        records = experimental[experimental["category"] == category].to_dict("records")
        ordered_members.append([records[k] for k in rotation])
    category_order = rng.permutation(len(categories))
    fillers = items[items["role"] == "filler"].to_dict("records")
    filler_order = rng.permutation(len(fillers))
    slots = lag_sequence_positions(len(categories), members, len(fillers),
                                   list(design["lags"]), rng)
    sequence, next_filler = [], 0
    for slot in slots:
        if slot is None:
            sequence.append(fillers[filler_order[next_filler]])
            next_filler += 1
        else:
            category, ordinal = slot
            sequence.append(ordered_members[category_order[category]][ordinal])
    rows: list[dict] = []
    if include_practice:
        practice = items[items["role"] == "practice"].to_dict("records")
        for k in rng.permutation(len(practice)):
            rows.append(continuous_naming_row(stimulus_set, practice[k], 0, True, pd.NA, pd.NA))
    for item, (ordinal, lag) in zip(sequence, annotate_positions(sequence)):
        rows.append(continuous_naming_row(stimulus_set, item, 1, False, ordinal, lag))
    return to_frame(rows, TASK_COLUMNS)


def continuous_naming_fixed_rows(stimulus_set: "StimulusSet", plan: list,
                                 instruction: str) -> list[dict]:
    """Rows of a fixed ``trials.csv``: ordinal position and lag computed from the order."""
    positions = annotate_positions([item for item, *_ in plan])
    return [continuous_naming_row(stimulus_set, item, block, is_practice, ordinal, lag)
            for (item, _row, block, is_practice), (ordinal, lag) in zip(plan, positions)]


def continuous_naming_item_condition(item: dict) -> str:
    return "experimental" if item["role"] == "experimental" else "filler"
