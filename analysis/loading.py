"""Getting the trials and their provenance: from a store (URL or ``db.store.Store``) or a data frame,
and choosing each model's run (its newest, preferring runs that hold a fit)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from analysis.errors import AnalysisInputError


#: The ``source`` of trials answered by a simulated participant (``mirrorlab run --simulate``).
SIMULATED = "simulated"


@dataclass
class LoadedTrials:
    trials: pd.DataFrame
    sessions: pd.DataFrame
    model_runs: pd.DataFrame
    where: str
    messages: list[str] = field(default_factory=list)
    simulated_sessions: pd.DataFrame = field(default_factory=pd.DataFrame)


def load(store_or_trials, task: str, include_simulated: bool = False,
         human_sessions=None) -> LoadedTrials:
    """Trials of ``task`` with reviews applied, plus sessions and model runs of that task.

    Simulated participants (``source="simulated"``) are not people: they are left out and
    their sessions listed apart (``simulated_sessions``), unless ``include_simulated``, which
    analyses them on the human side and says so in the messages. ``human_sessions`` (session
    ids) keeps only those sessions' people, e.g. one group of a study."""
    if isinstance(store_or_trials, pd.DataFrame):
        trials = store_or_trials
        if "task" in trials:
            trials = trials[trials["task"] == task]
        sessions = pd.DataFrame()
        runs = pd.DataFrame()
        where = "the given trial table"
    else:
        from db.store import Store

        store = store_or_trials if isinstance(store_or_trials, Store) else Store(store_or_trials)
        trials = store.trials_frame(task=task, apply_reviews=True)
        sessions = store.sessions_frame()
        if len(sessions):
            sessions = sessions[sessions["task"] == task].reset_index(drop=True)
        runs = store.model_runs_frame(task=task)
        where = store.url
    required = {"source", "agent", "item_id", "condition", "rt_ms", "correct", "response"}
    missing = sorted(required - set(trials.columns))
    if missing:
        raise AnalysisInputError(f"trial table from {where} lacks column(s): {', '.join(missing)}")
    if trials.empty:
        raise AnalysisInputError(f"no {task} trials in {where}: run sessions, import data or "
                                 "simulate models first")
    trials, sessions, simulated_sessions, messages = _separate_simulated(trials, sessions,
                                                                         include_simulated)
    if human_sessions is not None:
        chosen = {int(s) for s in human_sessions}
        is_person = trials["source"] == "human"
        trials = trials[~is_person | trials["session_id"].isin(chosen)]
        if len(sessions):
            sessions = sessions[sessions["session_id"].isin(chosen)].reset_index(drop=True)
    return LoadedTrials(trials.reset_index(drop=True), sessions, runs, where, messages,
                        simulated_sessions)


def _separate_simulated(trials: pd.DataFrame, sessions: pd.DataFrame, include_simulated: bool):
    """(trials, people's sessions, simulated sessions, messages): simulated participants out of
    the human side, or — asked for — in it, labelled in the messages either way."""
    simulated = trials["source"] == SIMULATED
    simulated_sessions = pd.DataFrame()
    if len(sessions) and "simulated" in sessions:
        is_simulated = sessions["simulated"].fillna(False).astype(bool)
        simulated_sessions = sessions[is_simulated].reset_index(drop=True)
        if not include_simulated:
            sessions = sessions[~is_simulated].reset_index(drop=True)
    if not simulated.any():
        return trials, sessions, simulated_sessions, []
    codes = sorted(trials.loc[simulated, "agent"].astype(str).unique())
    shown = ", ".join(codes[:8]) + (f" and {len(codes) - 8} more" if len(codes) > 8 else "")
    if include_simulated:
        trials = trials.copy()
        trials.loc[simulated, "source"] = "human"
        return trials, sessions, simulated_sessions, [
            f"the human side includes {len(codes)} simulated participant(s) ({shown}), as asked "
            "(--include-simulated): they are simulations, not people."]
    return trials[~simulated], sessions, simulated_sessions, [
        f"{len(codes)} simulated participant(s) ({shown}, {int(simulated.sum())} trials) left out: "
        "simulations are not people (--include-simulated analyses them with the human data)."]


def _has_fit(value) -> bool:
    return isinstance(value, dict) and len(value) > 0


def choose_model_runs(loaded: LoadedTrials, models: list[str] | None) -> dict[str, int | None]:
    """{model name: chosen run id} — each model's newest run, preferring runs with a fit."""
    trials = loaded.trials
    sources = sorted(s for s in trials["source"].dropna().unique() if str(s).startswith("model:"))
    available = [s.split(":", 1)[1] for s in sources]
    if models:
        unknown = [m for m in models if m not in available]
        if unknown:
            raise AnalysisInputError(
                f"no {', '.join(unknown)} trials for this task in {loaded.where}; models with trials: "
                f"{', '.join(available) if available else 'none (run `mirrorlab simulate` or `mirrorlab fit`)'}")
        wanted = list(models)
    else:
        wanted = available
    chosen: dict[str, int | None] = {}
    for model in wanted:
        rows = trials[trials["source"] == f"model:{model}"]
        run_ids = sorted({int(r) for r in rows["model_run_id"].dropna()}) if "model_run_id" in rows else []
        if not run_ids:
            chosen[model] = None
            continue
        runs = loaded.model_runs
        if len(runs) and "fit" in runs:
            candidates = runs[runs["model_run_id"].isin(run_ids)]
            fitted = candidates[candidates["fit"].map(_has_fit)]
            pool = fitted if len(fitted) else candidates
            chosen[model] = int(pool["model_run_id"].max()) if len(pool) else max(run_ids)
        else:
            chosen[model] = max(run_ids)
        if len(run_ids) > 1:
            loaded.messages.append(
                f"model {model}: {len(run_ids)} runs for this task; using run {chosen[model]} "
                "(newest, preferring runs with a fit).")
    return chosen


def select_trials(loaded: LoadedTrials, runs: dict[str, int | None]) -> pd.DataFrame:
    """Human trials plus the chosen run of each model."""
    trials = loaded.trials
    keep = trials["source"] == "human"
    for model, run_id in runs.items():
        rows = trials["source"] == f"model:{model}"
        if run_id is not None:
            rows &= trials["model_run_id"] == run_id
        keep |= rows
    return trials[keep].reset_index(drop=True)
