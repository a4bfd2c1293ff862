"""Export of the trial table to CSV and Parquet (reviews applied, provenance columns added).

CSV cells that a spreadsheet would run as formulas are prefixed with an apostrophe
(``guard_formulas``); the data frame returned and the Parquet file keep the values as stored.
"""

from __future__ import annotations

import json
from pathlib import Path

from db.errors import StoreError
from db.store import Store


def trials_for_export(store: Store, *, task: str | None = None, source: str | None = None,
                      include_practice: bool = False):
    """The trial table with participant/study/model columns, JSON fields as JSON text."""
    frame = store.trials_frame(task=task, source=source, include_practice=include_practice)
    if frame.empty:
        what = " ".join(x for x in (task and f"task {task}", source and f"source {source}") if x)
        raise StoreError(f"export: no trials{' for ' + what if what else ''} in {store.url}")
    sessions = store.sessions_frame()[["session_id", "study", "stimulus_set", "stimulus_set_hash"]]
    runs = store.model_runs_frame()[["model_run_id", "model", "model_version", "stimulus_set",
                                     "stimulus_set_hash"]]
    frame = frame.merge(sessions, on="session_id", how="left")
    frame = frame.merge(runs, on="model_run_id", how="left", suffixes=("", "_model"))
    for column in ("stimulus_set", "stimulus_set_hash"):
        frame[column] = frame[column].fillna(frame.pop(f"{column}_model"))
    for column in ("choices", "extras"):
        frame[column] = [None if value is None else json.dumps(value, ensure_ascii=False)
                         for value in frame[column]]
    return frame


#: A text cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def guard_formulas(frame):
    """Text cells that a spreadsheet would evaluate (``=HYPERLINK(…)``, ``+cmd|…``, ``@SUM``)
    get a leading apostrophe, as OWASP recommends for CSV files; numbers are untouched
    (a negative SOA stays a number)."""
    from pandas.api.types import is_string_dtype

    guarded = frame.copy()
    for column in guarded.columns:
        if guarded[column].dtype != object and not is_string_dtype(guarded[column].dtype):
            continue
        guarded[column] = [("'" + value) if isinstance(value, str) and value.startswith(FORMULA_PREFIXES)
                           else value for value in guarded[column]]
    return guarded


def export_trials(store: Store, path: Path, *, fmt: str = "csv", **filters):
    """Write the trials to ``path``; returns the exported data frame."""
    frame = trials_for_export(store, **filters)
    path = Path(path)
    if not path.parent.is_dir():
        raise StoreError(f"export: folder {path.parent} does not exist")
    if fmt == "csv":
        guard_formulas(frame).to_csv(path, index=False)
    else:
        frame.to_parquet(path, index=False)
    return frame
