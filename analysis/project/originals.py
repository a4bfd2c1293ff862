"""The original studies' own trials, read from the datasets bundled in ``db/datasets``.

Pratte et al. (2010) Exp. 1 (colour Stroop, key presses) through the bundled import mapping;
Stark et al. (2024) (continuous picture naming, voice onsets) from the authors' long CSV, with
ordinal position within category numbered per participant × session as the authors do
(fillers excluded). Both are people (``source="human"``); cleaning is the same as the class
data gets (:data:`ORIGINAL_CLEANING`), so original and replication are measured alike.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from db.importer import bundled_data_dir

#: Correct trials with 200 ms ≤ RT ≤ 3000 ms (the project's default exclusions).
ORIGINAL_CLEANING = {"rt_min_ms": 200.0, "rt_max_ms": 3000.0, "correct_only": True}
DATASETS = ("pratte2010_stroop", "stark2024_csi_aphasia")


def clean(frame: pd.DataFrame, rt_min_ms: float, rt_max_ms: float, correct_only: bool) -> pd.DataFrame:
    keep = frame["rt_ms"].between(rt_min_ms, rt_max_ms)
    if correct_only:
        keep &= frame["correct"].fillna(False).astype(bool)
    return frame[keep]


@lru_cache(maxsize=None)
def original_trials(dataset: str) -> pd.DataFrame:
    """Cleaned trials of a bundled original dataset: participant, condition or
    ordinal_position, rt_ms, correct."""
    if dataset == "pratte2010_stroop":
        from db.importer import load_mapping, read_rows

        rows = read_rows(bundled_data_dir() / "pratte2010_stroop" / "allsi2.dat",
                         load_mapping("pratte2010"))
        frame = pd.DataFrame(rows)[["participant", "condition", "rt_ms", "correct"]]
    elif dataset == "stark2024_csi_aphasia":
        raw = pd.read_csv(bundled_data_dir() / "stark2024_csi_aphasia" / "data_long_anonymous.csv",
                          na_values=["NA"])
        raw = raw[raw["category"] != "Filler"].sort_values(["subject", "session", "trial"])
        raw["ordinal_position"] = raw.groupby(["subject", "session", "category"]).cumcount() + 1
        frame = pd.DataFrame({
            "participant": raw["subject"].astype(str), "ordinal_position": raw["ordinal_position"],
            "rt_ms": pd.to_numeric(raw["VOT"], errors="coerce"),
            "correct": pd.to_numeric(raw["correct"], errors="coerce") == 1})
        frame = frame[frame["ordinal_position"] <= 5]
    else:
        raise KeyError(f"no bundled original dataset {dataset!r}; known: {', '.join(DATASETS)}")
    return clean(frame, **ORIGINAL_CLEANING).reset_index(drop=True)
