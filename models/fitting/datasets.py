"""Bundled human datasets as trial tables, read straight from ``db/datasets/`` (no database):
for benchmarks and for recovery studies on the trial lists real participants saw."""

from __future__ import annotations

import pandas as pd


def bundled_trials(name: str = "pratte2010") -> pd.DataFrame:
    """Every trial of a bundled dataset (mapping ``db/mappings/<name>.toml``), one row per
    trial in file order, ``agent`` = participant code, ``source`` = ``human``."""
    from db.importer import bundled_data_dir, load_mapping, read_rows

    mapping = load_mapping(name)
    rows = []
    for file_name in mapping.files:
        rows.extend(read_rows(bundled_data_dir() / file_name, mapping))
    frame = pd.DataFrame(rows)
    frame["agent"] = frame.pop("participant").astype(str)
    frame["source"] = "human"
    if "is_practice" not in frame.columns:
        frame["is_practice"] = False
    return frame


def participant_trial_list(name: str = "pratte2010", participant: int = 0) -> pd.DataFrame:
    """The stimulus sequence one real participant saw (their RTs and answers removed)."""
    frame = bundled_trials(name)
    code = list(pd.unique(frame["agent"]))[participant]
    rows = frame[frame["agent"] == code].reset_index(drop=True)
    return rows.drop(columns=[c for c in ("rt_ms", "correct", "response") if c in rows.columns])


def participant_sessions(name: str = "pratte2010", participants: tuple[int, ...] = (0, 1)) -> pd.DataFrame:
    """The sequences several real participants saw, as consecutive sessions (column
    ``session`` 1, 2, …) of one synthetic participant: a longer design built from real lists."""
    frames = [participant_trial_list(name, p).assign(session=k + 1)
              for k, p in enumerate(participants)]
    return pd.concat(frames, ignore_index=True)
