"""The preregistered effect on a class's data: exclusions, per group and pooled.

Exclusions (the project's ``[analysis]`` settings): practice trials, errors, RTs outside
[rt_min_ms, rt_max_ms], then participants whose accuracy is below ``min_accuracy``. What was
excluded is counted per group, so the report can show it.

The estimate of each group (and of all groups pooled) is the mean of its participants'
least-squares effects with a t interval — for complete balanced data the same as the fixed
effect of ``rt_ms ~ x + (1 + x | participant)`` (see ``analysis.project.power``) — and, where a
group has at least three participants, the mixed model itself is fitted with statsmodels
(``fit_mixed_model``) so the report shows both.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from analysis.project.design import EffectDesign
from analysis.project.variance import participant_estimates

POOLED = "pooled"


def apply_exclusions(trials: pd.DataFrame, design: EffectDesign, *, rt_min_ms: float,
                     rt_max_ms: float, min_accuracy: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(kept trials, exclusion counts per group)."""
    frame = trials.copy()
    for column, value in design.where:
        frame = frame[frame[column] == value]
    frame = frame[np.isfinite(design.coded(frame[design.predictor]))]
    correct = frame["correct"].fillna(False).astype(bool)
    accuracy = correct.groupby([frame["group"], frame["participant"]]).mean()
    low = accuracy[accuracy < min_accuracy].index
    low_participant = pd.MultiIndex.from_frame(frame[["group", "participant"]]).isin(low)
    in_range = frame["rt_ms"].between(rt_min_ms, rt_max_ms)
    keep = correct & in_range & ~low_participant
    counts = pd.DataFrame({
        "group": frame["group"], "trials": 1, "errors": (~correct).astype(int),
        "rt_out_of_range": (correct & ~in_range).astype(int),
        "low_accuracy_participant_trials": (correct & in_range & low_participant).astype(int),
        "kept": keep.astype(int)}).groupby("group").sum().reset_index()
    excluded_people = (pd.Series(list(low), dtype=object).map(lambda k: k[0]).value_counts()
                       if len(low) else pd.Series(dtype=int))
    counts["excluded_participants"] = counts["group"].map(excluded_people).fillna(0).astype(int)
    return frame[keep], counts


def summarise(per_participant: pd.DataFrame, label: str) -> dict:
    """Estimate, SE, 95% CI, t, p and dz of one set of participants' effects."""
    estimates = per_participant["estimate_ms"].to_numpy(float)
    n = len(estimates)
    row = {"group": label, "n_participants": n, "estimate_ms": float(np.mean(estimates)) if n else np.nan,
           "se_ms": np.nan, "ci_low_ms": np.nan, "ci_high_ms": np.nan, "t": np.nan,
           "p_value": np.nan, "dz": np.nan}
    if n >= 2:
        sd = float(np.std(estimates, ddof=1))
        se = sd / np.sqrt(n)
        half = stats.t.ppf(0.975, n - 1) * se
        t_value = row["estimate_ms"] / se if se > 0 else np.inf
        row.update(se_ms=se, ci_low_ms=row["estimate_ms"] - half, ci_high_ms=row["estimate_ms"] + half,
                   t=t_value, p_value=float(2 * stats.t.sf(abs(t_value), n - 1)),
                   dz=row["estimate_ms"] / sd if sd > 0 else np.inf)
    return row


def group_estimates(kept: pd.DataFrame, design: EffectDesign, groups: list[str]) -> pd.DataFrame:
    """One row per group, then the pooled row (participants are distinct per group)."""
    keyed = kept.assign(person=kept["group"].astype(str) + "/" + kept["participant"].astype(str))
    per = participant_estimates(keyed, design, participant_column="person")
    per["group"] = per["person"].str.split("/", n=1).str[0]
    rows = [summarise(per[per["group"] == group], group) for group in groups]
    rows.append(summarise(per, POOLED))
    return pd.DataFrame(rows)


def fit_mixed_model(kept: pd.DataFrame, design: EffectDesign) -> dict:
    """statsmodels MixedLM of ``rt_ms ~ x`` with a random intercept and slope by participant."""
    import warnings

    import statsmodels.formula.api as smf

    frame = kept.assign(x=design.coded(kept[design.predictor]),
                        person=kept["group"].astype(str) + "/" + kept["participant"].astype(str))
    if frame["person"].nunique() < 3:
        return {"fitted": False, "reason": "fewer than 3 participants"}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = smf.mixedlm("rt_ms ~ x", frame, groups=frame["person"], re_formula="~x").fit(
                reml=True, method=["lbfgs", "powell"])
        low, high = result.conf_int().loc["x"]
        return {"fitted": True, "estimate_ms": float(result.params["x"]), "se_ms": float(result.bse["x"]),
                "ci_low_ms": float(low), "ci_high_ms": float(high), "converged": bool(result.converged),
                "n_trials": int(len(frame)), "n_participants": int(frame["person"].nunique())}
    except (ValueError, np.linalg.LinAlgError) as exc:
        return {"fitted": False, "reason": f"did not fit: {exc}"}
