"""The one trial row: every producer (the session runner, the importer, every model) builds
its trials here, and the store writes only what this module built.

A trial from a person and a trial from a model are the same thing: a :class:`TrialRow` with
the shared columns (``db.schema.TRIAL_COLUMNS``). Units are in the names (``rt_ms``,
``soa_ms``). What only some sources have (onset timing and dropped frames for people,
cycles and activations for models, the picture files a presentation showed) goes into
``extras`` — explicitly, by the producer: a key that is not a shared column is an error
here, never silently moved into ``extras``.

``correct`` is ``True``/``False`` when the producer could judge the response and ``None``
when it could not (a voice trial before review, a model without an expected response);
it is never guessed. ``source`` says where the row comes from: ``human`` (a person),
``simulated`` (a simulated participant), ``published`` (a published aggregate) or
``model:<name>``.

Usage::

    from db.rows import trial_row, split_trial_fields
    shared, presentation_only = split_trial_fields(trial_list_record)
    row = trial_row(shared, response="red", correct=True, rt_ms=612.0, source="human",
                    agent="P07", session=1, extras={**presentation_only, "dropped_frames": 0})
    store.add_trial(row, session_id=sid)          # the store accepts TrialRow or a mapping
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any, Optional

import numpy as np

from db.errors import StoreError

#: ``human``, ``simulated``, ``published`` or ``model:<name>``.
SOURCE_PATTERN = re.compile(r"^(human|simulated|published|model:[A-Za-z0-9][A-Za-z0-9_.+\-]*)$")
#: Keys a data frame read back from the store carries beside the shared columns; a writer
#: that passes such a row back gets them dropped (they are the store's, not the row's).
STORE_KEYS = frozenset({"trial_id", "session_id", "model_run_id", "created_at"})


class TrialRowError(StoreError):
    """A trial row with an unknown key or a value of the wrong kind (one line, user-facing)."""


@dataclass(frozen=True)
class TrialRow:
    """One trial of the shared table (see the module docstring). Field order = column order."""

    task: str
    source: str
    agent: str
    instruction: Optional[str] = None
    item_id: Optional[str] = None
    condition: Optional[str] = None
    soa_ms: Optional[float] = None
    word: Optional[str] = None
    ink: Optional[str] = None
    word_colour: Optional[str] = None
    picture: Optional[str] = None
    distractor: Optional[str] = None
    distractor_category: Optional[str] = None
    target: Optional[str] = None
    choices: Optional[list[str]] = None
    category: Optional[str] = None
    ordinal_position: Optional[int] = None
    lag: Optional[int] = None
    language: Optional[str] = None
    expected_response: Optional[str] = None
    response: Optional[str] = None
    correct: Optional[bool] = None
    rt_ms: Optional[float] = None
    session: Optional[int] = None
    block: Optional[int] = None
    trial_index: Optional[int] = None
    is_practice: bool = False
    extras: Optional[dict[str, Any]] = None

    def as_dict(self) -> dict[str, Any]:
        """The row as a plain dict (shallow: ``extras`` and ``choices`` are the row's own)."""
        return {name: getattr(self, name) for name in ROW_FIELDS}


#: The shared columns, in the order of :class:`TrialRow`.
ROW_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(TrialRow))
_REQUIRED = ("task", "source", "agent")
_TEXT = ("task", "source", "agent", "instruction", "item_id", "condition", "word", "ink",
         "word_colour", "picture", "distractor", "distractor_category", "target", "category",
         "language", "expected_response", "response")
_INTEGER = ("ordinal_position", "lag", "session", "block", "trial_index")
_NUMBER = ("soa_ms", "rt_ms")
#: Trial-list columns that describe the stimulus as people and models see it.
STIMULUS_FIELDS: tuple[str, ...] = (
    "task", "instruction", "item_id", "condition", "soa_ms", "word", "ink", "word_colour",
    "picture", "distractor", "distractor_category", "target", "choices", "category",
    "ordinal_position", "lag", "language", "expected_response", "block", "trial_index",
    "is_practice")


def is_missing(value: Any) -> bool:
    """None, NaN, pandas NA/NaT."""
    kind = type(value)
    if kind is str or kind is int or kind is bool:       # the common cases, fast
        return False
    if value is None:
        return True
    if isinstance(value, (float, np.floating)):
        return bool(math.isnan(value))
    return kind.__name__ in ("NAType", "NaTType")


def plain(value: Any) -> Any:
    """numpy / pandas scalars and NaN (also inside dicts and lists) as plain Python values
    that the database and JSON columns accept."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is float:
        return None if math.isnan(value) else value
    if kind is dict or isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if kind is list or kind is tuple or kind is np.ndarray:
        return [plain(v) for v in value]
    if is_missing(value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
    return value


class _Where:
    """Names the row in an error message; built only when there is an error."""

    def __init__(self, values: Mapping[str, Any], **overrides: Any):
        self.values, self.overrides = values, overrides

    def __str__(self) -> str:
        return _where({**self.values, **self.overrides})


def _where(values: Mapping[str, Any]) -> str:
    parts = [f"{k} {values[k]!r}" for k in ("task", "agent", "item_id", "trial_index")
             if not is_missing(values.get(k))]
    return f"trial row ({', '.join(parts)})" if parts else "trial row"


def _as_bool(name: str, value: Any, where: object) -> Optional[bool]:
    if is_missing(value):
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)) and int(value) in (0, 1):
        return bool(value)
    if isinstance(value, (float, np.floating)) and float(value) in (0.0, 1.0):
        return bool(value)
    raise TrialRowError(f"{where}: {name} {value!r} is not True, False or None")


def _as_int(name: str, value: Any, where: object) -> Optional[int]:
    if is_missing(value) or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise TrialRowError(f"{where}: {name} {value!r} is not a whole number") from None
    if not number.is_integer():
        raise TrialRowError(f"{where}: {name} {value!r} is not a whole number")
    return int(number)


def _as_number(name: str, value: Any, where: object) -> Optional[float]:
    if is_missing(value) or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise TrialRowError(f"{where}: {name} {value!r} is not a number (ms)") from None
    if not math.isfinite(number):
        raise TrialRowError(f"{where}: {name} {value!r} is not a finite number (ms)")
    return number


def trial_row(values: Mapping[str, Any] | TrialRow | None = None, /, **more: Any) -> TrialRow:
    """Build one :class:`TrialRow` from a mapping and/or keyword fields (keywords win).

    Raises :class:`TrialRowError` (one line) for a key that is not a shared column, a missing
    ``task``/``source``/``agent``, a source that is not ``human``/``simulated``/``published``/
    ``model:<name>``, or a value of the wrong kind. Values are normalised: numpy scalars and
    NaN become plain Python values or None, ids and responses text, counts integers.
    """
    if isinstance(values, TrialRow):
        values = values.as_dict()
    merged: dict[str, Any] = {k: v for k, v in dict(values or {}).items() if k not in STORE_KEYS}
    merged.update(more)
    where = _Where(merged)
    unknown = sorted(set(merged) - set(ROW_FIELDS))
    if unknown:
        raise TrialRowError(
            f"{where}: unknown field(s) {', '.join(unknown)}; a trial row has "
            f"{', '.join(ROW_FIELDS)} (put what only this source has into extras)")
    out: dict[str, Any] = {}
    for name in _TEXT:
        value = merged.get(name)
        out[name] = value if type(value) is str else None if is_missing(value) else str(plain(value))
    for name in _INTEGER:
        out[name] = _as_int(name, merged.get(name), where)
    for name in _NUMBER:
        out[name] = _as_number(name, merged.get(name), where)
    out["correct"] = _as_bool("correct", merged.get("correct"), where)
    out["is_practice"] = bool(_as_bool("is_practice", merged.get("is_practice"), where) or False)
    choices = merged.get("choices")
    if isinstance(choices, np.ndarray):
        choices = choices.tolist()
    if choices is None or (not isinstance(choices, (list, tuple)) and is_missing(choices)):
        out["choices"] = None
    elif isinstance(choices, (list, tuple)):
        out["choices"] = [str(plain(c)) for c in choices]
    else:
        raise TrialRowError(f"{where}: choices {choices!r} is not a list of strings")
    extras = merged.get("extras")
    if extras is None or (not isinstance(extras, Mapping) and is_missing(extras)):
        out["extras"] = None
    elif isinstance(extras, Mapping):
        out["extras"] = plain(dict(extras)) or None
    else:
        raise TrialRowError(f"{where}: extras {extras!r} is not a mapping")
    for name in _REQUIRED:
        if not out[name]:
            raise TrialRowError(f"{where}: {name} is empty")
    if not SOURCE_PATTERN.match(out["source"]):
        raise TrialRowError(f"{where}: source {out['source']!r} is not human, simulated, "
                            "published or model:<name>")
    return TrialRow(**out)


def with_answer(row: TrialRow, *, agent: str, response: Any = None, correct: Any = None,
                rt_ms: Any = None, extras: Mapping[str, Any] | None = None) -> TrialRow:
    """``row`` (already built by :func:`trial_row`) answered by ``agent``: the same checks
    as :func:`trial_row` on the answer fields only, so that a model's many agents on one
    trial list do not re-check the same stimulus columns (the simulation's bulk path)."""
    where = _Where(row.__dict__, agent=agent)
    if not agent:
        raise TrialRowError(f"{where}: agent is empty")
    if extras is not None and not isinstance(extras, Mapping):
        raise TrialRowError(f"{where}: extras {extras!r} is not a mapping")
    values = row.as_dict()
    values.update(
        agent=str(agent),
        response=response if type(response) is str else None if is_missing(response)
        else str(plain(response)),
        correct=_as_bool("correct", correct, where), rt_ms=_as_number("rt_ms", rt_ms, where),
        extras=(plain(dict(extras)) or None) if extras is not None else None)
    return TrialRow(**values)


def split_trial_fields(record: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A trial-list record as (its shared stimulus columns, everything else).

    The second part is what only the presentation needs (picture files, the answer's
    position on screen); the runner stores it in ``extras``, models leave it out.
    """
    shared = {k: v for k, v in record.items() if k in STIMULUS_FIELDS}
    other = {k: v for k, v in record.items() if k not in STIMULUS_FIELDS}
    return shared, other


def rows_frame(rows: Iterable[TrialRow]):
    """Built rows as a data frame with the shared columns in order."""
    import pandas as pd

    return pd.DataFrame([r.as_dict() for r in rows], columns=list(ROW_FIELDS))
