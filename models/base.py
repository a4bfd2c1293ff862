"""The model protocol shared by every mirrorlab model (scikit-learn style).

* **Parameters** are constructor keyword arguments whose defaults are the published values;
  ``get_params()`` returns exactly what the user set (read from the constructor's signature,
  as scikit-learn does) and ``set_params(**p)`` changes them (and forgets any fit).
* **Fitted values** live in ``fitted_`` (a dict: parameter name → value), set by ``fit``;
  they never overwrite the constructor parameters. ``param(name)`` is the value the model
  runs with: the fitted one where ``fit`` set one, else the constructor's. The full account
  of a fit is ``fit_report_`` (a :class:`FitReport`, also what ``fit`` returns).
* ``simulate(trials, n=1, seed=None) -> DataFrame`` takes a trial list (the shared-row
  stimulus columns, exactly what people see) and returns shared trial rows, one per trial
  and simulated agent, built by ``db.rows.trial_row`` (:meth:`Model.shared_rows`):
  ``response``, ``correct`` (None when it cannot be judged), ``rt_ms``, ``source``
  (``model:<name>``), ``agent`` (``sim-001``…) and ``extras`` (cycles, activations…).
  Simulation is vectorised over trials; the same seed gives the same rows.
* ``fit(human_trials) -> FitReport`` calibrates the free parameters on human trials. The
  pipeline cleans the trials first with the analysis' own options
  (``analysis.cleaning``; column ``in_rt_analysis`` marks the rows RT analyses keep), so a
  model is calibrated on the trials it is judged on; :func:`rt_trials` gives those rows.
* **RT mapping**: every model turns its internal latency (cycles, steps, uncertainty,
  margin…, declared in ``latency_unit``) into ms with one component, :class:`RTMapping`
  (``rt_ms = intercept_ms + ms_per_unit · latency``), whose two numbers are the
  constructor parameters ``intercept_ms`` (the stages outside the model: perception,
  articulation — the non-decision time) and ``ms_per_unit``; :func:`fit_rt_mapping` is the
  one least-squares fit of it.
* **Optional features are declared**, not discovered: ``instructions`` (the instructions
  the model performs; None: all of a set's), ``uses_store`` (the pipeline then calls
  ``use_store(store)``), ``secret_params`` (parameters that may hold a password, such as a
  database URL; ``recorded_params()`` redacts them for ``model_runs.parameters``).
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd


class ModelInputError(ValueError):
    """Trials or human data a model cannot use (wrong task, missing column, no data)."""

    user_facing = True


# ---------------------------------------------------------------------- RT mapping
@dataclass(frozen=True)
class RTMapping:
    """The line from a model's internal latency to ms: ``intercept_ms + ms_per_unit · latency``.

    ``intercept_ms`` is the time of the stages the model does not simulate (the non-decision
    time); ``ms_per_unit`` the ms per unit of the model's latency (``unit``: ``cycle``,
    ``ms``, ``uncertainty``, ``margin``…).
    """

    intercept_ms: float
    ms_per_unit: float
    unit: str = "cycle"

    def to_ms(self, latency: Any, intercept_ms: Any = None) -> np.ndarray:
        """Latency (model units) → ms; ``intercept_ms`` may be per trial (an array)."""
        intercept = self.intercept_ms if intercept_ms is None else np.asarray(intercept_ms, float)
        return intercept + self.ms_per_unit * np.asarray(latency, dtype=float)


@dataclass(frozen=True)
class RTMappingFit:
    """A fitted :class:`RTMapping` and how well it fits (cells: one mean per cell)."""

    mapping: RTMapping
    intercepts_ms: dict[str, float] | None     # per group, when the fit had groups
    fitted_ms: np.ndarray
    r: float | None
    rmse_ms: float


def fit_rt_mapping(latency: Any, human_ms: Any, *, unit: str, fit_slope: bool = True,
                   ms_per_unit: float = 1.0, groups: Any = None,
                   slope_sign: str = "positive") -> RTMappingFit:
    """Least squares ``human_ms ≈ intercept[group] + ms_per_unit · latency`` over cells.

    ``fit_slope=False`` keeps ``ms_per_unit`` and fits only the intercept(s). ``groups``
    gives each cell's group (one intercept per group, e.g. per instruction). ``slope_sign``:
    ``"positive"`` — a slope ≤ 0 would turn the model's prediction upside down, so the given
    ``ms_per_unit`` is kept and only intercepts are fitted; ``"required"`` — a slope ≤ 0 is a
    ``ModelInputError``; ``"any"`` — any sign (e.g. a choice margin that shortens RTs).
    ``r`` is the correlation of the model latency with the human means (with groups: of the
    fitted with the human means), ``rmse_ms`` that of the fitted means.
    """
    latency = np.asarray(latency, dtype=float)
    human_ms = np.asarray(human_ms, dtype=float)
    if len(latency) != len(human_ms) or len(latency) == 0:
        raise ModelInputError("RT mapping: need as many model as human cell means (at least one)")
    if not np.all(np.isfinite(latency)):
        raise ModelInputError("RT mapping: the model did not respond in some cell, so the mapping "
                              "cannot be fitted (raise the model's time limit)")
    labels = np.zeros(len(latency), dtype=object) if groups is None else np.asarray(groups, dtype=object)
    names = list(dict.fromkeys(labels.tolist()))
    dummies = np.stack([(labels == g).astype(float) for g in names], axis=1)
    slope = float(ms_per_unit)
    intercepts = None
    if fit_slope:
        within = latency - dummies @ np.linalg.lstsq(dummies, latency, rcond=None)[0]
        if np.ptp(within) > 1e-12:
            coefficients = np.linalg.lstsq(np.column_stack([dummies, latency]), human_ms,
                                           rcond=None)[0]
            candidate = float(coefficients[-1])
            if candidate > 0 or slope_sign == "any":
                slope, intercepts = candidate, coefficients[:-1]
            elif slope_sign == "required":
                raise ModelInputError(
                    f"RT mapping: model and human cell means are not positively related (slope "
                    f"{candidate:.3g} ms per {unit}); no mapping fitted")
    if intercepts is None:
        intercepts = np.linalg.lstsq(dummies, human_ms - slope * latency, rcond=None)[0]
    fitted = dummies @ intercepts + slope * latency
    basis = latency if groups is None else fitted
    r = (float(np.corrcoef(basis, human_ms)[0, 1])
         if len(latency) >= 2 and np.ptp(basis) > 0 and np.ptp(human_ms) > 0 else None)
    by_group = None if groups is None else {str(g): float(c) for g, c in zip(names, intercepts)}
    return RTMappingFit(mapping=RTMapping(float(intercepts[0]) if groups is None
                                          else float(np.mean(intercepts)), slope, unit),
                        intercepts_ms=by_group, fitted_ms=fitted, r=r,
                        rmse_ms=float(np.sqrt(np.mean((fitted - human_ms) ** 2))))


# ---------------------------------------------------------------------- fit report
@dataclass
class FitReport(Mapping):
    """What ``fit`` did: the fitted values, how well the model then matches the people, on
    which data. Reads like a flat dict (``report["r"]``, ``report["intercept_ms"]``) and
    ``to_dict()`` is what a model run stores in ``model_runs.fit``.

    ``fitted``: parameter name → fitted value (what goes into ``fitted_``); ``cells``: per
    cell, the human and the fitted model mean; ``details``: anything model-specific;
    ``in_sample``: the fit is judged on the same trials it was fitted on (True for every
    least-squares calibration here — the report says so).
    """

    model: str
    fitted: dict[str, Any]
    r: float | None = None
    rmse_ms: float | None = None
    n_trials: int | None = None
    cells: list[dict[str, Any]] = field(default_factory=list)
    rt_mapping: RTMapping | None = None
    details: dict[str, Any] = field(default_factory=dict)
    in_sample: bool = True

    def to_dict(self) -> dict[str, Any]:
        from db.rows import plain

        out: dict[str, Any] = {**self.details, **self.fitted}
        out.update({"model": self.model, "fitted": dict(self.fitted), "r": self.r,
                    "rmse_ms": self.rmse_ms, "n_trials": self.n_trials,
                    "n_cells": len(self.cells), "cells": list(self.cells),
                    "in_sample": self.in_sample})
        if self.rt_mapping is not None:
            out["rt_mapping"] = {"intercept_ms": self.rt_mapping.intercept_ms,
                                 "ms_per_unit": self.rt_mapping.ms_per_unit,
                                 "unit": self.rt_mapping.unit}
        return plain(out)

    def __getitem__(self, key: str) -> Any:
        return self.to_dict()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.to_dict())

    def __len__(self) -> int:
        return len(self.to_dict())


def json_cells(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of a small table as JSON-able dicts (floats rounded to 0.1 ms)."""
    cells = []
    for row in frame.to_dict("records"):
        cells.append({k: (round(float(v), 1) if isinstance(v, (float, np.floating)) else
                          int(v) if isinstance(v, np.integer) else v) for k, v in row.items()})
    return cells


# ---------------------------------------------------------------------- human trials
def rt_trials(model_name: str, human_trials: pd.DataFrame | None) -> pd.DataFrame:
    """The human trials an RT mapping is fitted on.

    Trials cleaned by the pipeline carry ``in_rt_analysis`` (the analysis' own cleaning:
    correct, answered, inside its RT bounds); those rows are used as they are. Trials given
    directly (a notebook) are only stripped of practice trials, errors and trials without an
    RT — there is no private RT window here: clean them as the analysis will.
    """
    if human_trials is None or len(human_trials) == 0:
        raise ModelInputError(f"model {model_name}: no human trials to fit")
    if "rt_ms" not in human_trials.columns:
        raise ModelInputError(f"model {model_name}: human trials lack the column rt_ms")
    human = human_trials.copy()
    human["rt_ms"] = pd.to_numeric(human["rt_ms"], errors="coerce")
    if "in_rt_analysis" in human.columns:
        keep = human["in_rt_analysis"].fillna(False).astype(bool) & human["rt_ms"].notna()
    else:
        keep = human["rt_ms"].notna()
        if "correct" in human.columns:
            keep &= human["correct"].map(lambda v: v is True or v == 1).astype(bool)
        if "is_practice" in human.columns:
            keep &= ~human["is_practice"].fillna(False).astype(bool)
    human = human[keep]
    if len(human) == 0:
        raise ModelInputError(f"model {model_name}: no correct human trials with an RT to fit")
    return human


# ---------------------------------------------------------------------- the protocol
class Model:
    """Base class: subclasses set ``name``, ``version``, ``tasks``, ``latency_unit`` and
    implement ``simulate`` and ``fit`` (see the module docstring)."""

    name: ClassVar[str] = "model"
    version: ClassVar[str] = "0"
    tasks: ClassVar[tuple[str, ...]] = ()
    #: One line for ``mirrorlab models``.
    summary: ClassVar[str] = ""
    #: The unit of the model's internal latency that ``RTMapping`` turns into ms.
    latency_unit: ClassVar[str] = "cycle"
    #: Instructions the model performs (None: every instruction of a stimulus set).
    instructions: ClassVar[tuple[str, ...] | None] = None
    #: True when the model keeps something in the store (the pipeline calls ``use_store``).
    uses_store: ClassVar[bool] = False
    #: Parameters that may contain a secret (a database URL): redacted when recorded.
    secret_params: ClassVar[tuple[str, ...]] = ()

    # ------------------------------------------------------------------ parameters
    @classmethod
    def param_names(cls) -> list[str]:
        signature = inspect.signature(cls.__init__)
        return [p.name for p in signature.parameters.values()
                if p.name != "self" and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]

    @classmethod
    def default_params(cls) -> dict[str, Any]:
        signature = inspect.signature(cls.__init__)
        return {p.name: p.default for p in signature.parameters.values()
                if p.name != "self" and p.default is not inspect.Parameter.empty}

    def get_params(self) -> dict[str, Any]:
        """The constructor parameters as the user set them (never the fitted values)."""
        return {name: getattr(self, name) for name in self.param_names()}

    def set_params(self, **params: Any) -> "Model":
        """Change constructor parameters; a fit made with the old ones is forgotten."""
        unknown = set(params) - set(self.param_names())
        if unknown:
            raise ModelInputError(
                f"model {self.name}: unknown parameter(s) {', '.join(sorted(unknown))}; "
                f"known: {', '.join(self.param_names())}")
        for key, value in params.items():
            setattr(self, key, value)
        self.__dict__.pop("fitted_", None)
        self.__dict__.pop("fit_report_", None)
        return self

    def recorded_params(self) -> dict[str, Any]:
        """``get_params()`` for ``model_runs.parameters``: secrets (passwords in database URLs)
        redacted."""
        params = self.get_params()
        for name in self.secret_params:
            if isinstance(params.get(name), str) and params[name]:
                params[name] = redact_url(params[name])
        return params

    def param(self, name: str) -> Any:
        """The value the model runs with: fitted (``fitted_``) where ``fit`` set it, else the
        constructor's."""
        fitted = self.__dict__.get("fitted_") or {}
        return fitted[name] if name in fitted else getattr(self, name)

    def with_params(self, **params: Any) -> "Model":
        """A copy with some parameters changed (for searches that must not touch ``self``)."""
        clone = copy.copy(self)
        clone.__dict__ = dict(self.__dict__)
        return clone.set_params(**params)

    def rt_mapping(self) -> RTMapping:
        """The model's cycles/steps → ms line as it runs now (fitted values first)."""
        return RTMapping(float(self.param("intercept_ms")), float(self.param("ms_per_unit")),
                         self.latency_unit)

    def record_fit(self, report: FitReport) -> FitReport:
        """Keep a fit: ``report.fitted`` (constructor-parameter names only) becomes
        ``fitted_``, the report ``fit_report_``. Every ``fit`` ends here; fitting code outside
        a model (likelihood fits, cross-validation) calls it too."""
        unknown = set(report.fitted) - set(self.param_names())
        if unknown:
            raise AssertionError(f"model {self.name}: fitted values {sorted(unknown)} are not "
                                 "constructor parameters")
        self.fitted_ = dict(report.fitted)
        self.fit_report_ = report
        return report

    # ------------------------------------------------------------------ verbs
    def simulate(self, trials: pd.DataFrame, n: int = 1, seed: int | None = None) -> pd.DataFrame:
        raise NotImplementedError

    def fit(self, human_trials: pd.DataFrame) -> FitReport:
        raise NotImplementedError

    def use_store(self, store) -> "Model":
        """Only for models that declare ``uses_store``."""
        raise NotImplementedError(f"model {self.name} keeps nothing in a store")

    # ------------------------------------------------------------------ helpers
    @classmethod
    def check_does_task(cls, task: str) -> None:
        """Refuse a task this model does not do, in one line (before any data are read)."""
        if task not in cls.tasks:
            raise ModelInputError(f"model {cls.name} does {', '.join(cls.tasks)}, not {task}")

    def check_task(self, trials: pd.DataFrame) -> None:
        """Refuse trials of a task this model does not do, in one line."""
        if trials is None or len(trials) == 0:
            raise ModelInputError(f"model {self.name}: no trials to simulate")
        if "task" in trials.columns:
            tasks = set(trials["task"].dropna().unique())
            wrong = tasks - set(self.tasks)
            if wrong:
                raise ModelInputError(
                    f"model {self.name} does {', '.join(self.tasks)}, not {', '.join(sorted(wrong))}")

    def check_n(self, n: int) -> int:
        if int(n) < 1:
            raise ModelInputError(f"model {self.name}: n must be at least 1, got {n}")
        return int(n)

    def shared_rows(self, trials: pd.DataFrame, n_agents: int, *, response: Sequence[Any],
                    correct: Sequence[Any], rt_ms: Sequence[Any],
                    extras: Sequence[Mapping[str, Any] | None]) -> pd.DataFrame:
        """The trial list's stimulus columns repeated for ``n_agents`` simulated agents
        (agent-major: all of agent 1's trials, then agent 2's…) with the model's answers, each
        row built by ``db.rows.trial_row``. Presentation-only columns of the trial list
        (picture files…) are left out: the stimulus set and its hash identify them."""
        from db.rows import rows_frame, split_trial_fields, trial_row, with_answer

        records = [split_trial_fields(r)[0] for r in trials.reset_index(drop=True).to_dict("records")]
        n_trials = len(records)
        if not (len(response) == len(correct) == len(rt_ms) == len(extras) == n_trials * n_agents):
            raise AssertionError(f"model {self.name}: answers for {len(response)} rows, "
                                 f"expected {n_trials * n_agents}")
        # the stimulus columns are checked once per trial, the answers once per row
        stimuli = [trial_row(record, source=f"model:{self.name}", agent="sim-001")
                   for record in records]
        rows = []
        for agent in range(n_agents):
            label = f"sim-{agent + 1:03d}"
            for t, stimulus in enumerate(stimuli):
                i = agent * n_trials + t
                rows.append(with_answer(stimulus, agent=label, response=response[i],
                                        correct=correct[i], rt_ms=rt_ms[i], extras=extras[i]))
        return rows_frame(rows)


def judge(response: Sequence[Any], expected: Sequence[Any] | None) -> list[bool | None]:
    """Correct when the response equals the expected response (case- and space-insensitive);
    None where there is no expected response or no response to judge — never a guess."""
    from db.rows import is_missing

    if expected is None:
        return [None] * len(response)
    out: list[bool | None] = []
    for given, wanted in zip(response, expected):
        if is_missing(wanted) or str(wanted).strip() == "":
            out.append(None)
        elif is_missing(given) or str(given).strip() == "":
            out.append(False)        # no answer where one was expected: an error
        else:
            out.append(str(given).strip().lower() == str(wanted).strip().lower())
    return out


def redact_url(value: str) -> str:
    """A database URL with its password replaced by ``***`` (other strings unchanged)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(value).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):       # not a URL: nothing to redact
        return value
