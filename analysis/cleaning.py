"""Trial cleaning with explicit defaults, and a per-source account of what was removed and why.

RT analyses use correct, answered trials whose RT lies inside fixed bounds (default
200–2000 ms), optionally trimmed further at ``sd_trim`` standard deviations of each
participant's (or simulated agent's) own RTs in each condition. Accuracy analyses use
answered trials with a known correctness inside the same RT bounds (anticipations and very
late responses are not choices). Practice trials never enter either (the store leaves them
out by default). Every step is counted per source so the report can say exactly what was
dropped.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from analysis.errors import AnalysisInputError

#: Responses that mean "no answer was given in time".
TIMEOUT_RESPONSES = frozenset({"timeout", "no_response", "none", ""})


@dataclass(frozen=True)
class CleaningOptions:
    """What the cleaning removes. Defaults are the ones the report states."""

    rt_min_ms: float = 200.0
    rt_max_ms: float = 2000.0
    drop_errors: bool = True          # errors out of RT analyses
    drop_timeouts: bool = True        # no response / timeout out of every analysis
    sd_trim: float | None = None      # e.g. 2.5: drop RTs beyond mean ± 2.5 SD per agent × condition

    def __post_init__(self):
        if not (np.isfinite(self.rt_min_ms) and np.isfinite(self.rt_max_ms)) \
                or self.rt_min_ms < 0 or self.rt_min_ms >= self.rt_max_ms:
            raise AnalysisInputError(
                f"cleaning: RT bounds must satisfy 0 <= min < max, got {self.rt_min_ms}–{self.rt_max_ms} ms")
        if self.sd_trim is not None and not self.sd_trim > 0:
            raise AnalysisInputError(f"cleaning: --sd-trim must be a positive number of SDs, got {self.sd_trim}")

    def describe(self) -> str:
        parts = [f"RT bounds {self.rt_min_ms:g}–{self.rt_max_ms:g} ms",
                 "errors excluded from RT analyses" if self.drop_errors else "errors kept in RT analyses",
                 "timeouts excluded" if self.drop_timeouts else "timeouts kept"]
        parts.append(f"per-participant trimming at ±{self.sd_trim:g} SD within condition"
                     if self.sd_trim else "no SD trimming")
        return "; ".join(parts)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class CleanedTrials:
    """The rows for RT analyses, the rows for accuracy analyses, and the per-source summary."""

    rt: pd.DataFrame
    accuracy: pd.DataFrame
    summary: pd.DataFrame
    options: CleaningOptions


SUMMARY_COLUMNS = ["source", "n_trials", "timeouts", "errors", "correct_unknown", "too_fast",
                   "too_slow", "sd_trimmed", "rt_trials_kept", "rt_percent_kept",
                   "accuracy_trials_kept"]


def is_timeout(frame: pd.DataFrame) -> pd.Series:
    """A trial without an RT, or whose response says no answer was given."""
    response = frame["response"].astype("string").str.strip().str.lower()
    return frame["rt_ms"].isna() | response.isin(TIMEOUT_RESPONSES).fillna(False).astype(bool)


def clean_trials(trials: pd.DataFrame, options: CleaningOptions = CleaningOptions(),
                 condition_columns: tuple[str, ...] = ("condition",)) -> CleanedTrials:
    """Apply ``options`` to a trial table (shared columns) and count what went where, per source."""
    if trials.empty:
        raise AnalysisInputError("cleaning: there are no trials to clean")
    frame = trials.copy()
    frame["rt_ms"] = pd.to_numeric(frame["rt_ms"], errors="coerce")
    timeout = is_timeout(frame) if options.drop_timeouts else frame["rt_ms"].isna()
    correct = frame["correct"].map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v))
                                   else bool(v))
    unknown = correct.isna()
    error = correct.eq(False) & ~timeout
    rt = frame["rt_ms"]
    too_fast = ~timeout & (rt < options.rt_min_ms)
    too_slow = ~timeout & (rt > options.rt_max_ms)
    in_bounds = ~timeout & ~too_fast & ~too_slow
    rt_keep = in_bounds & (~error if options.drop_errors else True)
    trimmed = pd.Series(False, index=frame.index)
    if options.sd_trim:
        groups = ["source", "agent", *[c for c in condition_columns if c in frame]]
        kept = frame[rt_keep]
        keys = [kept[g].astype("string").fillna("") for g in groups]
        mean = kept.groupby(keys)["rt_ms"].transform("mean")
        sd = kept.groupby(keys)["rt_ms"].transform("std").fillna(0.0)
        outside = (kept["rt_ms"] - mean).abs() > options.sd_trim * sd
        outside &= sd > 0
        trimmed.loc[outside[outside].index] = True
        rt_keep &= ~trimmed
    accuracy_keep = in_bounds & ~unknown
    rows = []
    for source, index in frame.groupby("source", sort=True).groups.items():
        n = len(index)
        kept_rt = int(rt_keep[index].sum())
        rows.append({
            "source": source, "n_trials": n, "timeouts": int(timeout[index].sum()),
            "errors": int(error[index].sum()), "correct_unknown": int((unknown & ~timeout)[index].sum()),
            "too_fast": int(too_fast[index].sum()), "too_slow": int(too_slow[index].sum()),
            "sd_trimmed": int(trimmed[index].sum()), "rt_trials_kept": kept_rt,
            "rt_percent_kept": round(100.0 * kept_rt / n, 1) if n else 0.0,
            "accuracy_trials_kept": int(accuracy_keep[index].sum()),
        })
    summary = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    accuracy = frame[accuracy_keep].copy()
    accuracy["correct"] = correct[accuracy_keep].astype(int)
    return CleanedTrials(rt=frame[rt_keep].copy(), accuracy=accuracy, summary=summary, options=options)
