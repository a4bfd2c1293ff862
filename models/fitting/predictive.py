"""Model-generated trials for the posterior-predictive views (``analysis.predictive_views``):
each model simulated **at each participant's fitted parameters on that participant's own
trials**, so that its RT quantiles, delta plots and conditional accuracy functions can be laid
beside the person's.

Where the parameters come from, per participant (recorded in every row's ``extras``):

* ``fitted`` — the newest stored maximum-likelihood fit of that participant (a model run with
  ``fit.kind == "maximum_likelihood"``, written by :func:`models.fitting.ml.store_fit`, i.e.
  ``mirrorlab fit MODEL --task T --per-participant``); ``fit_run_id`` names it;
* ``fitted_here`` — a yardstick (``models.registry.YARDSTICKS``) has no defaults, so when no fit
  is stored it is fitted now, in-sample, to the same person's trials (closed form for the
  per-condition ex-Gaussian);
* ``published_defaults`` — a process model with no stored fit runs with its published
  parameters and the residual defaults: *the model at published defaults, not fitted*.

The simulation is the one the likelihood scores and the recovery studies use
(``TrialLikelihood.sample`` through :func:`models.fitting.recovery.synthetic_participant`): the
model's own trial-level RT mapping plus the ex-Gaussian residual and lapses, vectorised over
trials; yardsticks use their own ``simulate``. Seeds are derived from ``seed``, the model and
the participant's position, so the same call gives the same rows. The trial list is every
non-practice trial the person saw, in their order (their own RTs play no part in it).
"""

from __future__ import annotations

import zlib
from typing import Any

import numpy as np
import pandas as pd

from models.base import ModelInputError
from models.fitting.ml import build_model, parse_model_spec, participants

#: ``extras.predictive_basis`` values (see the module docstring).
FITTED, FITTED_HERE, PUBLISHED_DEFAULTS = "fitted", "fitted_here", "published_defaults"


def participant_seed(seed: int, model: str, index: int, replicate: int = 0) -> int:
    """A reproducible seed per (seed, model, participant index, replicate)."""
    sequence = np.random.SeedSequence([int(seed), zlib.crc32(model.encode()), int(index), int(replicate)])
    return int(sequence.generate_state(1)[0] & 0x7FFFFFFF)


def stored_fits(store, model: str, task: str) -> dict[str, dict[str, Any]]:
    """{participant code: {"run_id", "params", "fixed", "spec"}} — the newest stored
    per-participant maximum-likelihood fit of ``model`` on ``task``."""
    runs = store.model_runs_frame(task=task)
    if runs is None or runs.empty or "fit" not in runs:
        return {}
    out: dict[str, dict[str, Any]] = {}
    for _, run in runs.sort_values("model_run_id").iterrows():
        fit = run["fit"] if isinstance(run["fit"], dict) else {}
        if run["model"] != model or fit.get("kind") != "maximum_likelihood" or not fit.get("participant"):
            continue
        if run.get("status") not in (None, "completed"):
            continue
        out[str(fit["participant"])] = {"run_id": int(run["model_run_id"]), "params": fit.get("params") or {},
                                        "fixed": fit.get("fixed") or {}, "spec": fit.get("model") or model}
    return out


def _is_yardstick(name: str) -> bool:
    from models.registry import YARDSTICKS

    return name in YARDSTICKS


def _yardstick_rows(name: str, rows: pd.DataFrame, params: dict[str, Any], seed: int,
                    n_replicates: int) -> pd.DataFrame:
    """A fitted yardstick's own simulation on the person's scored trials."""
    from models.likelihood.trials import scored_trials
    from models.registry import make_model
    from models.yardsticks.exgauss import _cell_labels

    scored = scored_trials(rows.assign(rt_ms=600.0), name).trials   # the whole list, as recovery uses it
    if name == "ddm":
        # drift_i belongs to the i-th cell in the order the fit met them (its scored trials)
        cells = list(pd.unique(_cell_labels(scored_trials(rows, name).trials)))
        scored = scored[_cell_labels(scored).isin(cells).to_numpy()]     # cells the fit never saw: none to draw
        model = make_model(name, cells=cells, values=dict(params))
    else:
        model = make_model(name, cells=dict(params))
    return model.simulate(scored, n=n_replicates, seed=seed)


def _process_rows(spec: str, rows: pd.DataFrame, params: dict[str, Any], seed: int,
                  n_replicates: int, code: str) -> pd.DataFrame:
    from models.fitting.recovery import synthetic_participant

    frames = []
    for replicate in range(n_replicates):
        frames.append(synthetic_participant(spec, rows, params, seed=seed + replicate, code=code)
                      .assign(_replicate=replicate + 1))
    return pd.concat(frames, ignore_index=True)


def predictive_trials(spec: str, human_trials: pd.DataFrame, *, fits: dict[str, dict] | None = None,
                      seed: int = 0, n_replicates: int = 1, fit_missing_yardsticks: bool = True,
                      progress=None) -> pd.DataFrame:
    """Trials of ``spec`` simulated for every participant (column ``agent``) of
    ``human_trials`` on their own trials, at their fit in ``fits`` (from :func:`stored_fits`),
    else as the module docstring says. ``n_replicates`` simulated copies of each person's
    trial list (more copies: smoother model quantiles). Rows: ``source = model:<name>``,
    ``agent = <name>/<participant>``, ``extras`` with ``participant``, ``predictive_basis``,
    ``fit_run_id``, ``predictive_seed`` and ``replicate``."""
    name, _ = parse_model_spec(spec)
    if int(n_replicates) < 1:
        raise ModelInputError(f"model {name}: n_replicates must be at least 1, got {n_replicates}")
    fits = fits or {}
    yardstick = _is_yardstick(name)
    frames = []
    for index, code in enumerate(participants(human_trials)):
        rows = human_trials[human_trials["agent"].astype(str) == code]
        person_seed = participant_seed(seed, name, index)
        fit = fits.get(code)
        run_id = None
        if fit is not None:
            basis, run_id = FITTED, fit["run_id"]
            params = dict(fit["params"]) if yardstick else {**fit.get("fixed", {}), **fit["params"]}
        elif yardstick:
            if not fit_missing_yardsticks:
                continue
            from models.fitting.ml import fit_participant

            basis, params = FITTED_HERE, fit_participant(spec, rows, seed=person_seed, participant=code).params
        else:
            basis, params = PUBLISHED_DEFAULTS, {}
        if yardstick:
            simulated = _yardstick_rows(name, rows, params, person_seed, int(n_replicates))
            simulated["_replicate"] = simulated["agent"].str.extract(r"(\d+)$")[0].astype(int)
        else:
            if fit is not None:
                build_model(spec, params)          # refuses parameters the model does not have
            simulated = _process_rows(spec, rows, params, person_seed, int(n_replicates), code)
        replicate = simulated.pop("_replicate").to_numpy()
        simulated["source"] = f"model:{name}"
        simulated["agent"] = f"{name}/{code}"
        simulated["extras"] = [{"participant": code, "predictive_basis": basis, "fit_run_id": run_id,
                                "predictive_seed": int(seed), "replicate": int(r)} for r in replicate]
        frames.append(simulated)
        if progress is not None:
            progress(1)
    if not frames:
        return pd.DataFrame(columns=list(human_trials.columns))
    return pd.concat(frames, ignore_index=True)


def predictive_trials_from_store(store, spec: str, task: str, human_trials: pd.DataFrame, **options
                                 ) -> pd.DataFrame:
    """:func:`predictive_trials` at the fits stored in ``store`` for ``task``."""
    name, _ = parse_model_spec(spec)
    return predictive_trials(spec, human_trials, fits=stored_fits(store, name, task), **options)


#: ``model_runs.fit.kind`` of a stored posterior-predictive run (``analysis.predictive_compare``).
PREDICTIVE_KIND = "posterior_predictive"


def _plain(value):
    """A value the trial-row builder takes: NaN and pandas' missing values as None."""
    if value is None:
        return None
    if isinstance(value, (list, dict, str, bool)):
        return value
    try:
        return None if pd.isna(value) else value
    except (TypeError, ValueError):
        return value


def store_predictive_run(store, spec: str, task: str, human_trials: pd.DataFrame, *, seed: int = 0,
                         n_replicates: int = 1, progress=None) -> int:
    """Simulate ``spec`` for every participant of ``human_trials`` at their stored fits
    (:func:`predictive_trials_from_store`) and store the rows as one model run whose
    ``fit.kind`` is ``posterior_predictive`` (with the fit run ids and basis per participant, the
    seed and the replicates), so that ``mirrorlab compare`` draws the views from it."""
    from db.provenance import software_versions
    from db.rows import ROW_FIELDS
    from models.fitting.ml import trials_hash

    name, _ = parse_model_spec(spec)
    model, _ = build_model(spec)
    rows = predictive_trials_from_store(store, spec, task, human_trials, seed=seed,
                                        n_replicates=n_replicates, progress=progress)
    if rows.empty:
        raise ModelInputError(f"model {name}: no participant to simulate for the predictive views")
    per_person = {e["participant"]: {"basis": e["predictive_basis"], "fit_run_id": e["fit_run_id"]}
                  for e in rows["extras"]}
    run_id = store.start_model_run(
        model=name, model_version=model.version, task=task,
        parameters={**model.recorded_params(), "spec": spec,
                    "trial_sequences": "each participant's own", "parameters_per_participant": "fit"},
        seed=int(seed), n_simulated=int(n_replicates),
        stimulus_set=f"human {task} trials (each participant's own)",
        stimulus_set_hash=trials_hash(human_trials), software_versions=software_versions(("pybads", "pyddm")))
    columns = [c for c in ROW_FIELDS if c in rows.columns]
    records = [{k: _plain(v) for k, v in record.items()} for record in rows[columns].to_dict("records")]
    try:
        store.add_trials(records, model_run_id=run_id)
    except Exception:
        store.finish_model_run(run_id, status="failed")
        raise
    store.finish_model_run(run_id, fit={"kind": PREDICTIVE_KIND, "spec": spec, "seed": int(seed),
                                        "n_replicates": int(n_replicates), "participants": per_person,
                                        "in_sample": True})
    return run_id
