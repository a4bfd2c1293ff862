"""Posterior-predictive views: RT quantiles per condition, delta plots and conditional accuracy
functions (CAFs), for people and for each model, computed the same way on both.

Means per condition cannot tell models apart that differ in the *shape* of their RT
distributions; these views can. For every agent (a participant, or a model simulated on that
participant's own trials) and condition:

* **RT quantiles** of the correct trials the RT analyses keep (``QUANTILES``: .1 .3 .5 .7 .9;
  numpy's default, linear interpolation between order statistics), then *Vincentised*: each
  quantile averaged over agents (Ratcliff 1979), with Cousineau–Morey within-subject 95% CIs
  over the condition × quantile cells (``analysis.within_ci``).
* **Delta plots**: per agent and quantile, the effect ``Q_condition(p) − Q_reference(p)`` against
  the mean of the two quantiles ``(Q_condition(p) + Q_reference(p)) / 2``, averaged over agents,
  with a t-interval of the per-agent effects (a paired difference is within-subject already).
  The contrasts come from the task card, never from a task name: each analysed condition
  against the card's reference level (the first of ``AnalysisDesign.condition_levels``), the
  card's conflict conditions (``TaskCard.conflict_trial``) first — Stroop: incongruent −
  congruent; picture–word: related − unrelated.
* **CAFs**: per agent and condition, the answered trials inside the RT bounds (correct and
  errors) sorted by RT and cut into ``CAF_BINS`` bins of (nearly) equal count — the first
  ``n mod bins`` bins get one trial more, as ``numpy.array_split`` does — with the proportion
  correct and mean RT per bin, averaged over agents.

Rows are the cleaned analysis rows (``analysis.cleaning``); model rows carry in ``extras`` how
they were made (``predictive_basis``: ``fitted`` — at that participant's stored
maximum-likelihood fit; ``fitted_here`` — fitted in-sample by this analysis; ``published_defaults``
— not fitted; see ``models.fitting.predictive``). Every source keeps its label: people
(``human``), models (``model:<name>``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.cleaning import CleaningOptions, clean_trials
from analysis.design import design_for
from analysis.errors import AnalysisInputError

#: Quantile levels of the RT distributions (Ratcliff 1979; Pratte et al. 2010 use deciles).
QUANTILES = (0.1, 0.3, 0.5, 0.7, 0.9)
#: Number of RT bins of a conditional accuracy function.
CAF_BINS = 5
#: How the rows of each kind of source were made (``extras.predictive_basis`` of model rows).
BASES = ("human", "fitted", "fitted_here", "published_defaults", "model_run")


@dataclass(frozen=True)
class ViewDesign:
    """What the card says the views are drawn over: the conditions in display order, the
    contrasts (condition, reference) of the delta plots and the columns that make separate
    panels besides the subset (e.g. ``soa_ms`` for picture–word)."""

    task: str
    conditions: tuple[str, ...]
    contrasts: tuple[tuple[str, str], ...]
    panel_columns: tuple[str, ...]

    @property
    def keys(self) -> list[str]:
        return ["source", "subset", *self.panel_columns]


def view_design(task: str) -> ViewDesign:
    """The views' design from ``task``'s card (see the module docstring)."""
    design = design_for(task)
    levels = tuple(design.condition_levels)
    contrasts: tuple[tuple[str, str], ...] = ()
    if len(levels) > 1:
        reference, others = levels[0], list(levels[1:])
        conflict = [c for c in others if design.card.conflict_trial({"condition": c, "soa_ms": 0.0})]
        ordered = conflict + [c for c in others if c not in conflict]
        contrasts = tuple((c, reference) for c in ordered)
    cells = tuple(design.cell_columns)
    panels = tuple(c for c in cells if c != "condition") if "condition" in cells else ()
    return ViewDesign(task=task, conditions=levels, contrasts=contrasts, panel_columns=panels)


def contrast_label(condition: str, reference: str) -> str:
    return f"{condition} − {reference}"


def _t_half_width(sd: pd.Series, n: pd.Series, confidence: float = 0.95) -> np.ndarray:
    from scipy import stats

    n = n.astype(float)
    quantile = stats.t.ppf(0.5 + confidence / 2, np.where(n > 1, n - 1, np.nan))
    return quantile * sd.to_numpy(float) / np.sqrt(n.to_numpy())


# ---------------------------------------------------------------------------- RT quantiles
def agent_quantiles(rt_rows: pd.DataFrame, design: ViewDesign,
                    quantiles: tuple[float, ...] = QUANTILES) -> pd.DataFrame:
    """Per source × subset × panel × condition × agent × quantile: ``rt_ms`` (the quantile of
    the agent's kept correct RTs) and ``n_trials``. An agent's cell with fewer trials than
    quantile levels is left out (its quantiles would be interpolations of a handful of RTs)."""
    keys = [*design.keys, "condition", "agent"]
    columns = [*keys, "quantile", "rt_ms", "n_trials"]
    if rt_rows is None or rt_rows.empty:
        return pd.DataFrame(columns=columns)
    rows = rt_rows.dropna(subset=["rt_ms"])
    grouped = rows.groupby(keys, dropna=False)["rt_ms"]
    sizes = grouped.size().rename("n_trials")
    values = grouped.quantile(list(quantiles)).rename("rt_ms")
    values.index = values.index.set_names([*keys, "quantile"])
    out = values.reset_index().merge(sizes.reset_index(), on=keys)
    out = out[out["n_trials"] >= len(quantiles)]
    out["quantile"] = out["quantile"].astype(float).round(6)
    return out[columns].reset_index(drop=True)


def vincentise(per_agent: pd.DataFrame, design: ViewDesign) -> pd.DataFrame:
    """Quantiles averaged over agents, with within-subject 95% CIs (Cousineau–Morey over the
    panel × condition × quantile cells of each source × subset)."""
    from analysis.within_ci import cousineau_morey

    keys = [*design.keys, "condition", "quantile"]
    columns = [*keys, "rt_ms", "n_agents", "ci_low", "ci_high"]
    if per_agent.empty:
        return pd.DataFrame(columns=columns)
    means = per_agent.groupby(keys, dropna=False).agg(rt_ms=("rt_ms", "mean"),
                                                     n_agents=("agent", "nunique")).reset_index()
    cells = [*design.panel_columns, "condition", "quantile"]
    ci = cousineau_morey(per_agent, cells, value="rt_ms")[["source", "subset", *cells, "ci_low", "ci_high"]]
    # the CI is centred on the mean of the agents with every cell; re-centre it on all agents'
    # mean so that point and interval describe the same line
    out = means.merge(ci, on=keys, how="left")
    half = (out["ci_high"] - out["ci_low"]) / 2
    out["ci_low"], out["ci_high"] = out["rt_ms"] - half, out["rt_ms"] + half
    return _ordered(out[columns], design)


# ---------------------------------------------------------------------------- delta plots
def agent_deltas(per_agent: pd.DataFrame, design: ViewDesign) -> pd.DataFrame:
    """Per agent, contrast and quantile: ``effect_ms`` = Q(condition) − Q(reference) and
    ``mean_rt_ms`` = their mean (an agent needs both conditions)."""
    keys = [*design.keys, "agent", "quantile"]
    columns = [*design.keys, "contrast", "condition", "reference", "agent", "quantile",
               "effect_ms", "mean_rt_ms"]
    frames = []
    for condition, reference in design.contrasts:
        a = per_agent[per_agent["condition"] == condition][[*keys, "rt_ms"]]
        b = per_agent[per_agent["condition"] == reference][[*keys, "rt_ms"]]
        both = a.merge(b, on=keys, suffixes=("_condition", "_reference"))
        if both.empty:
            continue
        both["effect_ms"] = both["rt_ms_condition"] - both["rt_ms_reference"]
        both["mean_rt_ms"] = (both["rt_ms_condition"] + both["rt_ms_reference"]) / 2
        both["contrast"] = contrast_label(condition, reference)
        both["condition"], both["reference"] = condition, reference
        frames.append(both[columns])
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def delta_summary(deltas: pd.DataFrame, design: ViewDesign) -> pd.DataFrame:
    """Delta plot points averaged over agents: ``effect_ms`` with its 95% t-interval over agents,
    ``mean_rt_ms`` (the x axis), ``n_agents``."""
    keys = [*design.keys, "contrast", "condition", "reference", "quantile"]
    columns = [*keys, "mean_rt_ms", "effect_ms", "effect_sd_ms", "n_agents", "ci_low", "ci_high"]
    if deltas.empty:
        return pd.DataFrame(columns=columns)
    out = deltas.groupby(keys, dropna=False).agg(
        mean_rt_ms=("mean_rt_ms", "mean"), effect_ms=("effect_ms", "mean"),
        effect_sd_ms=("effect_ms", "std"), n_agents=("agent", "nunique")).reset_index()
    half = _t_half_width(out["effect_sd_ms"], out["n_agents"])
    out["ci_low"], out["ci_high"] = out["effect_ms"] - half, out["effect_ms"] + half
    return out[columns].sort_values(keys).reset_index(drop=True)


# ---------------------------------------------------------------------------- CAFs
def agent_caf(accuracy_rows: pd.DataFrame, design: ViewDesign, n_bins: int = CAF_BINS) -> pd.DataFrame:
    """Per agent and condition: the trials sorted by RT and cut into ``n_bins`` bins of nearly
    equal count (``numpy.array_split``'s rule), with ``accuracy`` and ``rt_ms`` per bin. An
    agent's cell with fewer trials than bins is left out."""
    keys = [*design.keys, "condition", "agent"]
    columns = [*keys, "bin", "rt_ms", "accuracy", "n_trials"]
    if accuracy_rows is None or accuracy_rows.empty:
        return pd.DataFrame(columns=columns)
    rows = accuracy_rows.dropna(subset=["rt_ms"]).copy()
    rows["correct"] = rows["correct"].astype(float)
    rows = rows.sort_values([*keys, "rt_ms"], kind="stable")
    grouped = rows.groupby(keys, dropna=False, sort=False)
    rank = grouped.cumcount().to_numpy()
    n = grouped["rt_ms"].transform("size").to_numpy()
    base, extra = n // n_bins, n % n_bins
    big = extra * (base + 1)                      # trials in the bins that get one more
    with np.errstate(divide="ignore", invalid="ignore"):
        bins = np.where(rank < big, rank // (base + 1), extra + (rank - big) // np.maximum(base, 1))
    rows["bin"] = bins.astype(int) + 1
    rows = rows[n >= n_bins]
    out = rows.groupby([*keys, "bin"], dropna=False).agg(
        rt_ms=("rt_ms", "mean"), accuracy=("correct", "mean"), n_trials=("rt_ms", "size")).reset_index()
    return out[columns]


def caf_summary(per_agent: pd.DataFrame, design: ViewDesign) -> pd.DataFrame:
    """CAF points averaged over agents: ``accuracy`` with a 95% t-interval over agents and the
    mean RT of the bin (the x axis)."""
    keys = [*design.keys, "condition", "bin"]
    columns = [*keys, "rt_ms", "accuracy", "accuracy_sd", "n_agents", "ci_low", "ci_high"]
    if per_agent.empty:
        return pd.DataFrame(columns=columns)
    out = per_agent.groupby(keys, dropna=False).agg(
        rt_ms=("rt_ms", "mean"), accuracy=("accuracy", "mean"), accuracy_sd=("accuracy", "std"),
        n_agents=("agent", "nunique")).reset_index()
    half = _t_half_width(out["accuracy_sd"], out["n_agents"])
    out["ci_low"] = np.clip(out["accuracy"] - half, 0, 1)
    out["ci_high"] = np.clip(out["accuracy"] + half, 0, 1)
    return _ordered(out[columns], design)


# ---------------------------------------------------------------------------- all together
@dataclass
class PredictiveViews:
    """Every predictive view of one task, people and models, as tables (each also a CSV)."""

    task: str
    design: ViewDesign
    quantile_levels: tuple[float, ...]
    n_bins: int
    agent_quantiles: pd.DataFrame
    quantiles: pd.DataFrame
    agent_deltas: pd.DataFrame
    delta: pd.DataFrame
    agent_caf: pd.DataFrame
    caf: pd.DataFrame
    sources: pd.DataFrame          # source, basis, n_agents, fit_run_ids, seed
    agreement: pd.DataFrame        # per model × subset: RMSE of quantiles, deltas, CAF vs people
    messages: list[str] = field(default_factory=list)

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"predictive_sources": self.sources, "predictive_agreement": self.agreement,
                "predictive_quantiles": self.quantiles, "predictive_delta": self.delta,
                "predictive_caf": self.caf, "predictive_agent_quantiles": self.agent_quantiles,
                "predictive_agent_delta": self.agent_deltas, "predictive_agent_caf": self.agent_caf}

    def models(self) -> list[str]:
        return [s for s in self.sources["source"] if s != "human"] if len(self.sources) else []


def _ordered(frame: pd.DataFrame, design: ViewDesign) -> pd.DataFrame:
    if frame.empty:
        return frame
    rank = {c: i for i, c in enumerate(design.conditions)}
    order = frame.assign(_rank=frame["condition"].map(lambda c: rank.get(c, len(rank))))
    last = "quantile" if "quantile" in frame else "bin"
    sort = [c for c in (*design.keys, "_rank", last) if c in order]
    return order.sort_values(sort, kind="stable").drop(columns="_rank").reset_index(drop=True)


def _basis_of(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per source: how its rows were made (``extras.predictive_basis``), how many
    agents, which stored fits and which seed."""
    out = []
    for source, part in rows.groupby("source", sort=False):
        extras = part["extras"] if "extras" in part else pd.Series([{}] * len(part), index=part.index)
        extras = extras.map(lambda e: e if isinstance(e, dict) else {})
        bases = sorted({str(e.get("predictive_basis")) for e in extras if e.get("predictive_basis")})
        basis = "human" if source == "human" else (", ".join(bases) if bases else "model_run")
        runs = sorted({int(e["fit_run_id"]) for e in extras if e.get("fit_run_id") is not None})
        seeds = sorted({int(e["predictive_seed"]) for e in extras if e.get("predictive_seed") is not None})
        out.append({"source": source, "basis": basis, "n_agents": int(part["agent"].nunique()),
                    "fit_run_ids": ", ".join(str(r) for r in runs),
                    "seed": seeds[0] if len(seeds) == 1 else None})
    frame = pd.DataFrame(out, columns=["source", "basis", "n_agents", "fit_run_ids", "seed"])
    return frame.assign(_h=frame["source"] != "human").sort_values(["_h", "source"]).drop(columns="_h") \
        .reset_index(drop=True)


def _rmse(a: pd.Series, b: pd.Series) -> float:
    d = (a.to_numpy(float) - b.to_numpy(float))
    d = d[np.isfinite(d)]
    return float(np.sqrt(np.mean(d ** 2))) if len(d) else float("nan")


def people_of(rows: pd.DataFrame) -> dict[str, set[str]]:
    """Per model source, the participants its rows were simulated for (``extras.participant``;
    empty when its rows name none, e.g. a run on the stimulus set)."""
    out: dict[str, set[str]] = {}
    if rows is None or rows.empty or "extras" not in rows:
        return out
    for source, extras in rows.loc[rows["source"] != "human", ["source", "extras"]].itertuples(index=False):
        people = out.setdefault(source, set())
        if isinstance(extras, dict) and extras.get("participant") is not None:
            people.add(str(extras["participant"]))
    return out


def agreement_table(per_agent: dict[str, pd.DataFrame], design: ViewDesign, sources: pd.DataFrame,
                    people: dict[str, set[str]]) -> pd.DataFrame:
    """Per model × subset: RMSE (people vs model) of the Vincentised quantiles (ms), of the
    delta-plot effects (ms) and of the CAF accuracies — descriptive, like condition means. A
    model simulated for some participants only is compared with *those* participants' average
    (``n_people``), never with other people's."""
    columns = ["model", "subset", "basis", "n_people", "quantile_rmse_ms", "delta_rmse_ms", "caf_rmse",
               "human_delta_first_ms", "human_delta_last_ms", "model_delta_first_ms", "model_delta_last_ms"]
    rows = []
    basis = dict(zip(sources["source"], sources["basis"])) if len(sources) else {}
    panel = list(design.panel_columns)
    primary = contrast_label(*design.contrasts[0]) if design.contrasts else None
    specs = (("quantiles", ["condition", "quantile"], "rt_ms"), ("deltas", ["contrast", "quantile"], "effect_ms"),
             ("caf", ["condition", "bin"], "accuracy"))
    human_agents = set(per_agent["quantiles"].loc[per_agent["quantiles"]["source"] == "human", "agent"])
    for model in [s for s in basis if s != "human"]:
        matched = (people.get(model) or human_agents) & human_agents
        for subset in sorted(set(per_agent["quantiles"].loc[per_agent["quantiles"]["source"] == "human", "subset"])):
            paired = {}
            for name, on, value in specs:
                frame = per_agent[name]
                frame = frame[frame["subset"] == subset]
                h = frame[(frame["source"] == "human") & frame["agent"].isin(matched)]
                m = frame[frame["source"] == model]
                h = h.groupby([*panel, *on], dropna=False)[value].mean()
                m = m.groupby([*panel, *on], dropna=False)[value].mean()
                paired[name] = pd.concat([h.rename("h"), m.rename("m")], axis=1, join="inner")
            row = {"model": model.removeprefix("model:"), "subset": subset, "basis": basis[model],
                   "n_people": len(matched),
                   "quantile_rmse_ms": _rmse(paired["quantiles"]["h"], paired["quantiles"]["m"]),
                   "delta_rmse_ms": _rmse(paired["deltas"]["h"], paired["deltas"]["m"]),
                   "caf_rmse": _rmse(paired["caf"]["h"], paired["caf"]["m"])}
            deltas = paired["deltas"].reset_index()
            if primary is not None and len(deltas):
                main = deltas[deltas["contrast"] == primary].groupby("quantile")[["h", "m"]].mean()
                if len(main):
                    row.update(human_delta_first_ms=float(main["h"].iloc[0]), human_delta_last_ms=float(main["h"].iloc[-1]),
                               model_delta_first_ms=float(main["m"].iloc[0]), model_delta_last_ms=float(main["m"].iloc[-1]))
            rows.append(row)
    return pd.DataFrame(rows, columns=columns)


def views_from_cleaned(rt_rows: pd.DataFrame, accuracy_rows: pd.DataFrame, task: str, *,
                       quantiles: tuple[float, ...] = QUANTILES, n_bins: int = CAF_BINS) -> PredictiveViews:
    """The views from rows already cleaned (``analysis.cleaning``: ``rt`` and ``accuracy``
    rows with ``source``, ``subset``, ``agent``, ``condition`` and the card's panel columns)."""
    quantiles = tuple(float(q) for q in quantiles)
    if not quantiles or any(not 0 < q < 1 for q in quantiles) or list(quantiles) != sorted(set(quantiles)):
        raise AnalysisInputError(f"predictive views: quantiles must be increasing numbers strictly "
                                 f"between 0 and 1, got {quantiles}")
    if int(n_bins) < 2:
        raise AnalysisInputError(f"predictive views: a CAF needs at least 2 RT bins, got {n_bins}")
    design = view_design(task)
    per_agent_q = agent_quantiles(rt_rows, design, quantiles)
    deltas = agent_deltas(per_agent_q, design)
    per_agent_caf = agent_caf(accuracy_rows, design, int(n_bins))
    parts = [r for r in (rt_rows, accuracy_rows) if r is not None and len(r)]
    both = pd.concat(parts) if parts else pd.DataFrame(columns=["source", "agent"])
    sources = _basis_of(both[~both.index.duplicated()])   # both come from one cleaned frame
    quantile_table = vincentise(per_agent_q, design)
    delta = delta_summary(deltas, design)
    caf = caf_summary(per_agent_caf, design)
    messages = []
    n_people = len(set(per_agent_q.loc[per_agent_q["source"] == "human", "agent"])) if len(per_agent_q) else 0
    for source, covered in people_of(both).items():
        if covered and len(covered) < n_people:
            messages.append(f"predictive views: {source} was simulated for {len(covered)} of the {n_people} "
                            "participants; its agreement with people is computed on those participants, "
                            "the figures' people lines show everyone.")
    if per_agent_q.empty or not (per_agent_q["source"] == "human").any():
        messages.append(f"predictive views: no participant has {len(quantiles)} or more kept correct "
                        "RTs in a condition, so there are no human RT quantiles.")
    return PredictiveViews(task=task, design=design, quantile_levels=quantiles, n_bins=int(n_bins),
                           agent_quantiles=_ordered(per_agent_q, design), quantiles=quantile_table,
                           agent_deltas=deltas, delta=delta, agent_caf=_ordered(per_agent_caf, design),
                           caf=caf, sources=sources,
                           agreement=agreement_table({"quantiles": per_agent_q, "deltas": deltas,
                                                      "caf": per_agent_caf}, design, sources,
                                                     people_of(both)),
                           messages=messages)


def predictive_views(trials: pd.DataFrame, task: str, *, cleaning: CleaningOptions | None = None,
                     quantiles: tuple[float, ...] = QUANTILES, n_bins: int = CAF_BINS) -> PredictiveViews:
    """The views of a trial table (shared columns: ``source``, ``agent``, ``condition``,
    ``rt_ms``, ``correct``, ``response`` …; people and any model rows, e.g. from
    ``models.fitting.predictive.predictive_trials``), cleaned as ``mirrorlab compare`` cleans
    (``cleaning``, default its defaults). Simulated participants (``source="simulated"``) are
    not people and are refused here: label them as a model or leave them out."""
    if trials is None or len(trials) == 0:
        raise AnalysisInputError(f"predictive views: there are no {task} trials")
    missing = sorted({"source", "agent", "condition", "rt_ms", "correct"} - set(trials.columns))
    if missing:
        raise AnalysisInputError(f"predictive views: the trial table lacks column(s) {', '.join(missing)}")
    if (trials["source"] == "simulated").any():
        raise AnalysisInputError("predictive views: the trial table holds simulated participants "
                                 "(source 'simulated'); they are not people — leave them out")
    frame = trials.copy()
    if "task" not in frame:
        frame["task"] = task
    frame = frame[frame["task"] == task]
    for column in ("instruction", "item_id", "response"):
        if column not in frame:
            frame[column] = None
    if frame.empty:
        raise AnalysisInputError(f"predictive views: there are no {task} trials in the table")
    design = design_for(task)
    rows = design.analysis_rows(frame)
    if rows.empty:
        raise AnalysisInputError(f"predictive views: no analysable {task} trials in the table")
    cleaned = clean_trials(rows, cleaning or CleaningOptions(),
                           condition_columns=("subset", *design.cell_columns))
    return views_from_cleaned(cleaned.rt, cleaned.accuracy, task, quantiles=quantiles, n_bins=n_bins)


def rt_quantiles(trials: pd.DataFrame, task: str, **options) -> pd.DataFrame:
    """Vincentised RT quantiles per source × subset × condition (see :func:`predictive_views`)."""
    return predictive_views(trials, task, **options).quantiles


def delta_plot(trials: pd.DataFrame, task: str, **options) -> pd.DataFrame:
    """Delta-plot points per source × subset × contrast × quantile (see :func:`predictive_views`)."""
    return predictive_views(trials, task, **options).delta


def caf(trials: pd.DataFrame, task: str, **options) -> pd.DataFrame:
    """Conditional accuracy functions per source × subset × condition × RT bin."""
    return predictive_views(trials, task, **options).caf
