"""The thin pipeline that ties the parts together: a stimulus set goes to a model, the
model's trials go into the store with the run's provenance (model, version, parameters,
seed, stimulus-set hash, software versions)."""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: The stimulus set a task's models are simulated on when none is named.
DEFAULT_STIMULUS_SETS = {
    "stroop": "stroop-en",
    "picture-word": "picture-word-en",
    "association": "association-en",
    "continuous-naming": "continuous-naming-en",
}


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
    """Human trials of a task (reviews applied), optionally from one study only."""
    from models.base import ModelInputError

    trials = store.trials_frame(task=task, source="human")
    if study is not None and len(trials):
        sessions = store.sessions_frame()
        in_study = set(sessions.loc[sessions["study"] == study, "session_id"])
        trials = trials[trials["session_id"].isin(in_study)]
    if len(trials) == 0:
        where = f" of study {study!r}" if study else ""
        raise ModelInputError(f"no human {task} trials{where} in {store.url}: run sessions "
                              "(`mirrorlab run`) or import data (`mirrorlab import`) first")
    return trials
