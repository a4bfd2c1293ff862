"""The likelihood comparison of models on people, run as independent fits on Dask, stored as
each fit finishes, resumable.

    from mirrorlab.model_comparison import ComparisonOptions, run_model_comparison
    result = run_model_comparison(store, ComparisonOptions(task="stroop",
                                  models=["cohen1990", "weaver", "dummy-conditions"]))
    result.summary      # held-out loglik, Δ to the best with CI, AIC/BIC, PXP per model

Every (model, participant, fold) fit is one call of
:func:`analysis.model_selection.heldout.run_fit_task` through :func:`mirrorlab.distributed.map_calls`
(a ``LocalCluster`` by default, ``--scheduler`` or ``$MIRRORLAB_DASK_SCHEDULER``). The seed of
participant p's fold f is ``spawn_seeds(seed, …)[p·(k+1) + f]`` — the same for every model
(common random numbers) and independent of how calls are spread, so 1 and 2 workers give the
same numbers. Each fit is stored when it finishes as a model run without trials
(``models.fitting.store_fit``) whose ``fit`` carries ``kind="heldout_fit"``, the comparison id,
the fit's key, the fold and the held-out log-likelihood; a rerun with the same data, seed and
options finds the stored fits by key and runs only the missing ones.

This module ties the parts together (it is the pipeline's), so ``analysis`` need not import
the store or Dask.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

HELDOUT_FIT = "heldout_fit"
SCHEMES = ("within", "lopo")


@dataclass
class ComparisonOptions:
    """What is compared, and how. ``scheme``: ``within`` (k folds within each participant,
    per-participant fits) or ``lopo`` (pooled fits, leave one participant out)."""

    task: str
    models: list[str]
    n_folds: int = 5
    seed: int = 0
    scheme: str = "within"
    free: dict[str, str] = field(default_factory=dict)       # spec → "a,b"
    max_fun_evals: int | None = None
    n_sim_per_cell: int | None = None
    participants: list[str] | None = None
    include_simulated: bool = False
    study: str | None = None
    evidence: str = "heldout"                                # for BMS: heldout or bic


def check_models(models: list[str], task: str) -> None:
    """Every spec names a registered model that does ``task`` (one line otherwise)."""
    from models.base import ModelInputError
    from models.fitting.ml import build_model

    if len(models) < 2:
        raise ModelInputError("--models: a comparison needs at least two models")
    for spec in models:
        model, _ = build_model(spec)
        model.check_does_task(task)


def people_trials(store, options: ComparisonOptions) -> tuple[pd.DataFrame, list[str]]:
    """The trials fitted and judged: people only (``source="human"``), unless
    ``include_simulated`` adds simulated participants — then they are named in the notes."""
    from analysis.errors import AnalysisInputError
    from mirrorlab.pipeline import human_trials_for

    notes = []
    try:
        trials = human_trials_for(store, options.task, options.study)
    except Exception as exc:
        if not (options.include_simulated and getattr(exc, "user_facing", False)):
            raise
        trials = store.trials_frame(task=options.task, source="human").iloc[0:0]
    if options.include_simulated:
        simulated = store.trials_frame(task=options.task, source="simulated")
        if len(simulated):
            notes.append(f"{simulated['agent'].nunique()} simulated participant(s) "
                         f"({len(simulated)} trials, source = simulated) are included, as "
                         "--include-simulated asked: they are not people.")
            trials = pd.concat([trials, simulated], ignore_index=True)
    if options.participants:
        known = set(trials["agent"].astype(str))
        unknown = [c for c in options.participants if c not in known]
        if unknown:
            raise AnalysisInputError(f"--participants: no {options.task} trials of "
                                     f"{', '.join(unknown)} in {store.url}")
        trials = trials[trials["agent"].astype(str).isin(options.participants)]
    if len(trials) == 0:
        raise AnalysisInputError(f"no human {options.task} trials in {store.url}: run sessions "
                                 "(`mirrorlab run`) or import data (`mirrorlab import`) first")
    return trials.reset_index(drop=True), notes


def data_hash(trials: pd.DataFrame) -> str:
    """sha256 over what a fit sees of the trials (who, what, answer, RT)."""
    columns = [c for c in ("agent", "session", "trial_index", "instruction", "item_id", "condition",
                           "soa_ms", "ordinal_position", "correct", "rt_ms", "is_practice")
               if c in trials.columns]
    return hashlib.sha256(trials[columns].astype(str).to_csv(index=False).encode()).hexdigest()


def comparison_id(options: ComparisonOptions, trials: pd.DataFrame) -> str:
    """The design of a comparison (data, folds, seed, scheme); the models are not part of it,
    so adding a model to a rerun reuses every fit already stored."""
    payload = json.dumps({"task": options.task, "scheme": options.scheme, "k": options.n_folds,
                          "seed": options.seed, "data": data_hash(trials)})
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def model_version(spec: str) -> str:
    """The version of the model class a spec names (part of each fit's key)."""
    from models.fitting.ml import parse_model_spec
    from models.registry import model_class

    return str(model_class(parse_model_spec(spec)[0]).version)


def plan(trials: pd.DataFrame, options: ComparisonOptions):
    """[(FitTask, training row mask, held-out row mask or None)], participants in sorted order."""
    from analysis.model_selection.folds import leave_one_participant_out, within_participant_folds
    from analysis.model_selection.heldout import FULL, LOPO, WITHIN, FitTask
    from mirrorlab.distributed import spawn_seeds

    if options.scheme not in SCHEMES:
        from analysis.errors import AnalysisInputError

        raise AnalysisInputError(f"unknown scheme {options.scheme!r}; expected {', '.join(SCHEMES)}")
    cid = comparison_id(options, trials)
    agents = trials["agent"].astype(str).to_numpy()
    participants = sorted(set(agents))
    k = int(options.n_folds)
    common = dict(comparison_id=cid, max_fun_evals=options.max_fun_evals,
                  n_sim_per_cell=options.n_sim_per_cell)
    out = []
    if options.scheme == "within":
        folds = within_participant_folds(trials, k, options.seed)
        seeds = spawn_seeds(options.seed, len(participants) * (k + 1))
        for spec in options.models:
            extra = dict(free=options.free.get(spec), model_version=model_version(spec), **common)
            for p, code in enumerate(participants):
                mine = agents == code
                for fold in range(k):
                    task = FitTask(spec, code, fold, k, WITHIN, seeds[p * (k + 1) + fold], **extra)
                    out.append((task, mine & (folds != fold), mine & (folds == fold)))
                task = FitTask(spec, code, None, k, FULL, seeds[p * (k + 1) + k], **extra)
                out.append((task, mine, None))
    else:
        held = leave_one_participant_out(trials)
        order = {code: i for i, code in enumerate(participants)}
        seeds = spawn_seeds(options.seed, len(participants) + 1)
        for spec in options.models:
            extra = dict(free=options.free.get(spec), model_version=model_version(spec), **common)
            for code, mask in held:
                task = FitTask(spec, code, 0, 1, LOPO, seeds[order[code]], **extra)
                out.append((task, ~mask, mask))
            out.append((FitTask(spec, None, None, 1, FULL, seeds[-1], **extra),
                        np.ones(len(trials), bool), None))
    return out


def stored_fits(store, task: str, cid: str) -> dict[str, dict]:
    """key → stored record (with its ``model_run_id``) of the finished fits of comparison ``cid``."""
    runs = store.model_runs_frame(task=task)
    found: dict[str, dict] = {}
    for row in runs.itertuples():
        fit = row.fit if isinstance(row.fit, dict) else {}
        if fit.get("kind") != HELDOUT_FIT or fit.get("comparison_id") != cid:
            continue
        record = fit.get("record")
        if row.status == "completed" and record and fit.get("fit_key") not in found:
            found[fit["fit_key"]] = {**record, "model_run_id": int(row.model_run_id)}
    return found


def store_heldout_fit(store, record: dict, task_name: str, train: pd.DataFrame) -> int:
    """One finished fit as a model run: fitted parameters, fold, held-out log-likelihood,
    optimiser trace summary, seed, stimulus-set hash (of the training trials), comparison id."""
    from models.fitting.ml import FitResult, store_fit

    task = record["task"]
    result = FitResult(**record["fit"])
    fold = "all trials" if task["fold"] is None else f"fold {task['fold'] + 1} of {task['n_folds']} held out"
    extra = {"kind": HELDOUT_FIT, "comparison_id": task["comparison_id"], "fit_key": record["key"],
             "scheme": task["scheme"], "fold": task["fold"], "n_folds": task["n_folds"],
             "heldout_loglik": record["heldout_loglik"], "n_heldout": record["n_heldout"],
             "record": record}
    return store_fit(store, result, task=task_name, trials=train, extra=extra,
                     stimulus_set=f"human {task_name} trials of {task['participant'] or 'everyone'}"
                                  f" ({fold})")


def run_model_comparison(store, options: ComparisonOptions, *, scheduler: str | None = None,
                         workers: int | None = None, progress: bool = True):
    """Plan, skip what is stored, run the rest on Dask storing each as it finishes, and build
    the tables (:class:`analysis.model_selection.ModelSelectionResult`)."""
    from analysis.model_selection import build_result
    from analysis.model_selection.heldout import run_fit_task
    from mirrorlab.distributed import map_calls, scheduler_address

    check_models(options.models, options.task)
    address = scheduler_address(scheduler)          # a malformed address fails before any fit
    trials, notes = people_trials(store, options)
    planned = plan(trials, options)
    cid = planned[0][0].comparison_id
    done = stored_fits(store, options.task, cid)
    todo = [(task, train, test) for task, train, test in planned if task.key() not in done]
    records = {key: record for key, record in done.items()}
    if done:
        notes.append(f"{len(planned) - len(todo)} of {len(planned)} fits were already stored "
                     f"(comparison {cid}) and were reused.")
    # each call gets the rows of its participant(s) only, with the training and held-out masks
    calls = []
    for task, train, test in todo:
        rows = train | (test if test is not None else False)
        calls.append((task, trials[rows].reset_index(drop=True), train[rows],
                      None if test is None else test[rows]))

    from tqdm import tqdm

    bar = tqdm(total=len(planned), initial=len(planned) - len(todo), desc="fits",
               file=sys.stderr, disable=not progress)

    def keep(i: int, record: dict) -> None:
        _, rows, train, _ = calls[i]
        record["model_run_id"] = store_heldout_fit(store, record, options.task, rows[train])
        records[record["key"]] = record
        bar.update(1)

    try:
        if calls:
            map_calls(run_fit_task, calls, scheduler=address, workers=workers, on_result=keep)
    finally:
        bar.close()
    ordered = [records[task.key()] for task, _, _ in planned]
    return build_result(ordered, options.models, task=options.task, comparison_id=cid,
                        seed=options.seed, scheme=options.scheme, n_folds=options.n_folds,
                        evidence=options.evidence, notes=notes,
                        sources=sorted(set(trials["source"].astype(str))))
