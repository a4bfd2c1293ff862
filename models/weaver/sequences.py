"""Reading continuous-naming sequences: who is named before whom, per participant.

Both cumulative-interference accounts (``models.weaver.cumulative``, ``models.weaver.howard2006``) need,
for every trial, the category co-members of its picture and which of them were already named
earlier in the same sequence. A trial list holds one sequence; a table of human trials may hold
many (one per participant/session), told apart by ``SEQUENCE_KEYS`` and ordered by
``trial_index`` when present.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.base import ModelInputError

SEQUENCE_KEYS = ("agent", "participant", "session", "participant_index")


@dataclass(frozen=True)
class NamingContext:
    """What one continuous-naming trial's network needs to know."""

    picture: str
    category: str
    co_members: tuple[str, ...]       # other members of the category in this sequence
    named_before: tuple[str, ...]     # co-members named earlier in this sequence (in order)


def _category_key(row: dict) -> str:
    """Fillers never share a category with anything (each is its own), whatever they say."""
    if str(row.get("condition")) == "filler":
        return f"filler:{row['picture']}"
    return str(row["category"])


def naming_contexts(model: str, trials: pd.DataFrame) -> list[NamingContext]:
    """One context per row of ``trials`` (in the frame's row order)."""
    for column in ("picture", "category", "condition"):
        if column not in trials.columns:
            raise ModelInputError(f"model {model}: continuous-naming trial list lacks the column "
                                  f"{column!r}")
    bad = sorted(set(trials["condition"].astype(str)) - {"experimental", "filler"})
    if bad:
        raise ModelInputError(f"model {model}: unknown continuous-naming condition {bad[0]!r}; "
                              "expected experimental or filler")
    blank = trials["picture"].isna() | (trials["picture"].astype(str).str.strip() == "")
    if blank.any():
        raise ModelInputError(f"model {model}: empty picture in trial row {trials.index[blank][0]}")
    keys = [k for k in SEQUENCE_KEYS if k in trials.columns]
    needed = ["picture", "category", "condition"] + keys + (
        ["trial_index"] if "trial_index" in trials.columns else [])
    frame = trials[needed].reset_index(drop=True).copy()
    frame["_row"] = np.arange(len(frame))
    groups = frame.groupby(keys, sort=False, dropna=False) if keys else [(None, frame)]
    contexts: list[NamingContext | None] = [None] * len(frame)
    for _, sequence in groups:
        if "trial_index" in sequence.columns:
            order = pd.to_numeric(sequence["trial_index"], errors="coerce")
            if not order.isna().all():
                sequence = sequence.assign(_order=order).sort_values("_order", kind="stable")
        records = sequence.to_dict("records")
        members: dict[str, list[str]] = {}
        for row in records:
            category = _category_key(row)
            members.setdefault(category, [])
            if str(row["picture"]) not in members[category]:
                members[category].append(str(row["picture"]))
        named: dict[str, list[str]] = {}
        for row in records:
            category, picture = _category_key(row), str(row["picture"])
            before = tuple(p for p in named.get(category, []) if p != picture)
            contexts[row["_row"]] = NamingContext(
                picture, category, tuple(m for m in members[category] if m != picture), before)
            named.setdefault(category, [])
            if picture not in named[category]:
                named[category].append(picture)
    return contexts  # type: ignore[return-value]


def position_and_lag_means(frame: pd.DataFrame, value: str = "rt_ms") -> dict[str, dict]:
    """Mean of ``value`` by ordinal position (1–5) and by lag (2/4/6/8), experimental trials."""
    experimental = frame[frame["condition"].astype(str) == "experimental"].copy()
    for column in ("ordinal_position", "lag"):
        if column in experimental.columns:
            experimental[column] = pd.to_numeric(experimental[column], errors="coerce")
    by_position = (experimental.dropna(subset=["ordinal_position"])
                   .groupby("ordinal_position")[value].mean())
    by_lag = experimental.dropna(subset=["lag"]).groupby("lag")[value].mean() \
        if "lag" in experimental.columns else pd.Series(dtype=float)
    return {"position": {int(k): float(v) for k, v in by_position.items()},
            "lag": {int(k): float(v) for k, v in by_lag.items() if not math.isnan(v)}}


def human_position_means(model: str, human_trials: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """The RT trials a continuous-naming fit uses (``models.base.rt_trials``) and their mean
    RT by ordinal position (experimental trials only), as the accounts fitted to position
    means (``howard2006``, ``dark-side``) take them; fewer than two positions is a one-line
    error."""
    from models.base import rt_trials

    human = rt_trials(model, human_trials).reset_index(drop=True)
    if "ordinal_position" not in human.columns:
        raise ModelInputError(f"model {model}: human trials lack the column ordinal_position")
    experimental = human[human["condition"].astype(str) == "experimental"].copy()
    experimental["ordinal_position"] = pd.to_numeric(experimental["ordinal_position"],
                                                     errors="coerce")
    means = experimental.dropna(subset=["ordinal_position"]).groupby(
        "ordinal_position")["rt_ms"].mean()
    if len(means) < 2:
        raise ModelInputError(f"model {model}: need human trials at two or more ordinal "
                              "positions to fit")
    return human, means
