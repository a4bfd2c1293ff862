"""Shared helpers to assemble trial rows into the trial-list DataFrame of the guide."""

from __future__ import annotations

from typing import Any

import pandas as pd

COMMON_COLUMNS = ("task", "instruction", "item_id", "condition", "language",
                  "expected_response", "block", "trial_index", "is_practice")
INTEGER_COLUMNS = ("soa_ms", "ordinal_position", "lag", "answer_position")


def to_frame(rows: list[dict[str, Any]], task_columns: tuple[str, ...]) -> pd.DataFrame:
    """Rows (in presentation order) -> DataFrame with ``trial_index`` 0..n-1 and the common
    columns first. Optional integers use pandas' nullable ``Int64`` (empty = ``<NA>``)."""
    for index, row in enumerate(rows):
        row["trial_index"] = index
    frame = pd.DataFrame(rows, columns=[*COMMON_COLUMNS, *task_columns])
    frame["block"] = frame["block"].astype("int64")
    frame["trial_index"] = frame["trial_index"].astype("int64")
    frame["is_practice"] = frame["is_practice"].astype(bool)
    for column in INTEGER_COLUMNS:
        if column in frame:
            frame[column] = frame[column].astype("Int64")
    return frame
