"""A fixed trial list from a set's ``trials.csv`` (for replicating a published list exactly).

Columns: ``item_id``, ``condition`` (required); ``block`` (default 1; 0 = practice),
``is_practice`` (``true``/``false``/``1``/``0``; default: block 0), ``soa_ms`` (required for
picture–word). Rows are presented in file order; ``seed`` and ``participant_index`` do not
change a fixed list. The stimulus columns come from ``items.csv``; for continuous naming the
ordinal position and lag are computed from the order, for association the choices keep their
``items.csv`` order.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from stimuli.csvfile import CsvTable, read_csv_table
from stimuli.errors import StimulusError
from stimuli.tasks.card import TaskCard

if TYPE_CHECKING:
    from stimuli.stimulus_set import StimulusSet

TRUE_VALUES, FALSE_VALUES = ("true", "1", "yes"), ("false", "0", "no", "")


def check_fixed_trials(path: Path, spec: TaskCard, items: dict[str, dict[str, str]],
                       metadata: dict[str, Any]) -> CsvTable:
    """Validate ``trials.csv`` against the set's items (``item_id`` -> row)."""
    optional = ("block", "is_practice", "soa_ms", "notes")
    required = ("item_id", "condition") + tuple(spec.fixed_required)
    if spec.fixed_rows is None:
        raise StimulusError(f"task {spec.name} has no fixed trial lists", path=path,
                            expected="no trials.csv for this task")
    table = read_csv_table(path, required=required, optional=optional, allow_extra=False)
    for index, row in enumerate(table.rows):
        line = table.line_of(index)
        if row["item_id"] not in items:
            raise StimulusError("item id not in items.csv", path=path, line=line,
                                column="item_id", value=row["item_id"],
                                expected="an item_id of items.csv")
        if row["condition"] not in spec.conditions:
            raise StimulusError("unknown condition", path=path, line=line, column="condition",
                                value=row["condition"],
                                expected=f"one of {', '.join(spec.conditions)}")
        expected_condition = (spec.item_condition(items[row["item_id"]])
                              if spec.item_condition is not None else None)
        if expected_condition is not None and row["condition"] != expected_condition:
            raise StimulusError("condition does not match the item", path=path, line=line,
                                column="condition", value=row["condition"],
                                expected=f"'{expected_condition}' as in items.csv")
        for column in ("block", "soa_ms"):
            if row.get(column, ""):
                try:
                    int(row[column])
                except ValueError:
                    raise StimulusError("not a whole number", path=path, line=line,
                                        column=column, value=row[column],
                                        expected="an integer") from None
        if row.get("block", "") and int(row["block"]) < 0:
            raise StimulusError("negative block", path=path, line=line, column="block",
                                value=row["block"], expected="0 (practice) or more")
        if row.get("is_practice", "").lower() not in TRUE_VALUES + FALSE_VALUES:
            raise StimulusError("not a truth value", path=path, line=line,
                                column="is_practice", value=row["is_practice"],
                                expected="true or false")
    return table


def fixed_trial_list(stimulus_set: "StimulusSet", *, seed: int, instruction: str,
                     participant_index: int, include_practice: bool) -> pd.DataFrame:
    from stimuli.generators.rows import to_frame

    table = stimulus_set.fixed_trials
    items = {row["item_id"]: row for row in stimulus_set.items.to_dict("records")}
    plan = []
    for row in table.rows:
        block = int(row["block"]) if row.get("block") else 1
        flag = row.get("is_practice", "").lower()
        is_practice = flag in TRUE_VALUES if flag else block == 0
        if is_practice and not include_practice:
            continue
        plan.append((items[row["item_id"]], row, block, is_practice))
    card = stimulus_set.spec
    return to_frame(card.fixed_rows(stimulus_set, plan, instruction), card.stimulus_columns)
