"""The thin pipeline that ties the parts together: a stimulus set goes to a model, the
model's trials go into the store with the run's provenance (model, version, parameters,
seed, stimulus-set hash, software versions)."""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


def default_stimulus_set(task: str) -> str:
    """The stimulus set a task's models are simulated on when none is named (its card says);
    an unknown task raises ``stimuli.tasks.UnknownTaskError`` naming the known ones."""
    from stimuli.tasks import task_card

    return task_card(task).default_stimulus_set


def new_seed() -> int:
    """A fresh seed for runs where the user gave none (it is recorded with the run)."""
    return secrets.randbelow(2**31 - 1)


def parse_params(pairs: Sequence[str]) -> dict[str, Any]:
    """``["tau=0.01", "backend=glove"]`` -> ``{"tau": 0.01, "backend": "glove"}`` (JSON values
    where they parse, strings otherwise)."""
    from models.base import ModelInputError

    params: dict[str, Any] = {}
    for pair in pairs:
        if "=" not in pair:
            raise ModelInputError(f"--param {pair!r} is not NAME=VALUE")
        key, raw = pair.split("=", 1)
        try:
            params[key.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            params[key.strip()] = raw
    return params


@dataclass
class ModelRunResult:
    run_id: int
    model: str
    task: str
    n_trials: int
    seed: int
    fit: dict[str, Any] | None


def model_trial_list(stimulus_set, model, seed: int, instructions: Sequence[str] | None = None):
    """The trials people would see, for every instruction of the set the model performs
    (the model declares them in ``instructions``; None: all of the set's)."""
    import pandas as pd

    from models.base import ModelInputError

    if stimulus_set.task not in model.tasks:
        raise ModelInputError(f"model {model.name} does {', '.join(model.tasks)}, "
                              f"not {stimulus_set.task} (stimulus set {stimulus_set.name})")
    chosen = list(instructions or stimulus_set.instructions)
    if model.instructions and not instructions:
        chosen = [i for i in chosen if i in model.instructions]
    unknown = [i for i in chosen if i not in stimulus_set.instructions]
    if unknown:
        raise ModelInputError(f"stimulus set {stimulus_set.name} has no instruction "
                              f"{', '.join(unknown)} (it has {', '.join(stimulus_set.instructions)})")
    lists = [stimulus_set.trial_list(seed=seed, instruction=instruction, include_practice=False)
             for instruction in chosen]
    trials = pd.concat(lists, ignore_index=True)
    trials["trial_index"] = range(len(trials))
    return trials


def trials_to_fit(human_trials, cleaning=None):
    """Human trials cleaned once, with the analysis' own options (``analysis.cleaning``), as
    ``fit`` receives them: the rows the analysis keeps for accuracy or for RTs (answered,
    inside the RT bounds; errors and trials of unknown correctness as the analysis treats
    them), with ``in_rt_analysis`` marking the rows RT analyses keep. So a model is
    calibrated on exactly the trials the comparison judges it on."""
    from analysis.cleaning import CleaningOptions, clean_trials

    options = cleaning or CleaningOptions()
    human = human_trials.reset_index(drop=True)
    cleaned = clean_trials(human, options)
    kept = human.loc[cleaned.accuracy.index.union(cleaned.rt.index)].copy()
    kept["in_rt_analysis"] = kept.index.isin(cleaned.rt.index)
    return kept.reset_index(drop=True), options


def run_model(store, model_name: str, stimulus_set_name: str, *, n: int = 20, seed: int | None = None,
              params: Mapping[str, Any] | None = None, instructions: Sequence[str] | None = None,
              human_trials=None, cleaning=None) -> ModelRunResult:
    """Simulate ``model_name`` on a stimulus set and store the run; with ``human_trials``,
    clean them with the analysis' options (``cleaning``: an ``analysis.CleaningOptions``,
    default the analysis' defaults), fit the model to them first and store the fit report
    with the run. The run records the model's constructor parameters (secrets redacted)."""
    from db.provenance import software_versions
    from models.registry import make_model
    from stimuli import load_set

    seed = new_seed() if seed is None else int(seed)
    stimulus_set = load_set(stimulus_set_name)
    model = make_model(model_name, **dict(params or {}))
    if model.uses_store:
        model.use_store(store)
    fit = None
    if human_trials is not None:
        fit_trials, options = trials_to_fit(human_trials, cleaning)
        fit = model.fit(fit_trials).to_dict()
        fit["cleaning"] = options.as_dict()
        fit["n_human_trials_given"] = int(len(human_trials))
    trials = model_trial_list(stimulus_set, model, seed, instructions)
    rows = model.simulate(trials, n=n, seed=seed)
    run_id = store.start_model_run(
        model=model_name, model_version=model.version, task=stimulus_set.task,
        parameters=model.recorded_params(), seed=seed, n_simulated=n,
        stimulus_set=stimulus_set.name, stimulus_set_hash=stimulus_set.hash,
        software_versions=software_versions(), fit=fit)
    rows = rows.copy()
    rows["source"] = f"model:{model_name}"
    rows["agent"] = [f"{model_name}#{run_id}/{agent}" for agent in rows["agent"]]
    try:
        n_trials = store.add_trials(rows.to_dict("records"), model_run_id=run_id)
    except Exception:
        store.finish_model_run(run_id, status="failed")
        raise
    store.finish_model_run(run_id, status="completed")
    return ModelRunResult(run_id=run_id, model=model_name, task=stimulus_set.task,
                          n_trials=n_trials, seed=seed, fit=fit)


def human_trials_for(store, task: str, study: str | None = None):
    """Human trials of a task (reviews applied), optionally from one study only. Only people:
    simulated participants (``source="simulated"``) are never what a model is fitted to."""
    from models.base import ModelInputError

    trials = store.trials_frame(task=task, source="human")
    if study is not None and len(trials):
        sessions = store.sessions_frame()
        in_study = set(sessions.loc[sessions["study"] == study, "session_id"])
        trials = trials[trials["session_id"].isin(in_study)]
    if len(trials) == 0:
        where = f" of study {study!r}" if study else ""
        n_simulated = store.count_trials(task=task, source="simulated")
        note = (f" ({n_simulated} trials of simulated participants are not people: models are "
                "fitted to people only)") if n_simulated else ""
        raise ModelInputError(f"no human {task} trials{where} in {store.url}: run sessions "
                              "(`mirrorlab run`) or import data (`mirrorlab import`) first" + note)
    return trials


# ---------------------------------------------------------------------------- people's own sequences
#: Stimulus columns of a human trial that a model's trial list carries over (no responses).
SEQUENCE_COLUMNS = ("task", "instruction", "item_id", "condition", "picture", "category",
                    "ordinal_position", "lag", "language", "expected_response", "session",
                    "block", "trial_index", "is_practice")


def human_sequences_as_trial_list(human_trials):
    """The trials each person saw, as a model's trial list: the same ``item_id``s in the same
    order, one sequence per participant (``agent``) × ``session``, with the stimulus columns
    only (no response, RT or correctness). ``human_trial_id`` links each row to its trial."""
    import pandas as pd

    from models.base import ModelInputError

    missing = [c for c in ("agent", "item_id", "category", "condition") if c not in human_trials]
    if missing:
        raise ModelInputError(f"human trials lack the column(s) {', '.join(missing)} needed to "
                              "replay their sequences")
    order = [c for c in ("agent", "session", "trial_index") if c in human_trials]
    frame = human_trials.sort_values(order, kind="stable") if order else human_trials
    trials = frame[[c for c in SEQUENCE_COLUMNS if c in frame] + ["agent"]].copy()
    if "picture" not in trials:
        trials["picture"] = frame["item_id"]
    blank = trials["picture"].isna() | (trials["picture"].astype(str).str.strip() == "")
    trials.loc[blank, "picture"] = frame.loc[blank, "item_id"]
    trials["human_trial_id"] = frame["trial_id"].to_numpy() if "trial_id" in frame else pd.NA
    trials["human_session_id"] = frame["session_id"].to_numpy() if "session_id" in frame else pd.NA
    return trials.reset_index(drop=True)


def run_model_on_human_sequences(store, model_name: str, human_trials, *, fit_trials=None,
                                 n: int = 1, seed: int | None = None,
                                 params: Mapping[str, Any] | None = None,
                                 cleaning=None) -> ModelRunResult:
    """Fit ``model_name`` (to ``fit_trials``, default ``human_trials`` — then the fit is
    in-sample and says so; either cleaned with the analysis' options, ``cleaning``), simulate
    it ``n`` times on every participant's own trial sequence in ``human_trials`` (all of it,
    uncleaned: the sequence is what they saw) and store one run. Its trials carry the human
    trials' ``item_id``s in their order; ``agent`` is ``<model>#<run>/<participant>/sim-00k``
    and ``extras`` link each row to the human trial it replays."""
    from db.provenance import software_versions
    from models.registry import make_model

    seed = new_seed() if seed is None else int(seed)
    model = make_model(model_name, **dict(params or {}))
    if model.uses_store:
        model.use_store(store)
    in_sample = fit_trials is None
    cleaned, options = trials_to_fit(human_trials if in_sample else fit_trials, cleaning)
    fit = model.fit(cleaned).to_dict()
    fit["cleaning"] = options.as_dict()
    fit["fitted_to"] = (f"{_describe_people(human_trials)}: the same trials the model is "
                        "simulated on and judged against (in-sample)") if in_sample \
        else _describe_people(fit_trials)
    trials = human_sequences_as_trial_list(human_trials)
    links = trials[["agent", "human_trial_id", "human_session_id"]].copy()
    rows = model.simulate(trials.drop(columns=["human_trial_id", "human_session_id"]), n=n, seed=seed)
    task = str(trials["task"].iloc[0])
    set_names, set_hash = _stimulus_sets_of(store, links["human_session_id"])
    run_id = store.start_model_run(
        model=model_name, model_version=model.version, task=task,
        parameters={**model.recorded_params(), "trial_sequences": "each participant's own"},
        seed=seed, n_simulated=n, stimulus_set=set_names, stimulus_set_hash=set_hash,
        software_versions=software_versions(), fit=fit)
    rows = rows.copy()
    per_sequence = len(trials)
    replica = [f"sim-{k // per_sequence + 1:03d}" for k in range(len(rows))]
    human_agent = list(links["agent"]) * n
    rows["source"] = f"model:{model_name}"
    rows["agent"] = [f"{model_name}#{run_id}/{who}/{sim}" for who, sim in zip(human_agent, replica)]
    rows["session"] = [_int_or_none(s) for s in list(trials["session"]) * n]   # whose day it replays
    rows["extras"] = [{**(extra or {}), "human_trial_id": _int_or_none(t), "human_session_id": _int_or_none(s)}
                      for extra, t, s in zip(rows["extras"], list(links["human_trial_id"]) * n,
                                             list(links["human_session_id"]) * n)]
    try:
        n_trials = store.add_trials(rows.to_dict("records"), model_run_id=run_id)
    except Exception:
        store.finish_model_run(run_id, status="failed")
        raise
    store.finish_model_run(run_id, status="completed")
    return ModelRunResult(run_id=run_id, model=model_name, task=task, n_trials=n_trials,
                          seed=seed, fit=fit)


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _describe_people(trials) -> str:
    n_people = trials["agent"].nunique() if "agent" in trials else 0
    return f"{n_people} participants' {len(trials)} trials"


def _stimulus_sets_of(store, session_ids) -> tuple[str | None, str | None]:
    """The stimulus set name(s) and hash the replayed sessions recorded (one hash when they
    share it, as imported sessions of one study do; else a hash over the distinct ones)."""
    import hashlib

    sessions = store.sessions_frame()
    mine = sessions[sessions["session_id"].isin({int(s) for s in session_ids.dropna()})]
    if mine.empty:
        return None, None
    names = sorted(mine["stimulus_set"].dropna().astype(str).unique())
    hashes = sorted(mine["stimulus_set_hash"].dropna().astype(str).unique())
    set_hash = hashes[0] if len(hashes) == 1 else hashlib.sha256("".join(hashes).encode()).hexdigest()
    return ", ".join(names)[:200] or None, set_hash
