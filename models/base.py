"""The model protocol shared by every mirrorlab model (scikit-learn style).

* Parameters are constructor keyword arguments whose defaults are the published values;
  ``get_params()`` returns them (read from the constructor's signature, as scikit-learn does).
* ``simulate(trials, n=1, seed=None)`` takes a trial list (a data frame with the shared-row
  stimulus columns, exactly what people see) and returns one row per trial and simulated
  agent: the input columns plus ``response``, ``correct``, ``rt_ms``, ``source``
  (``model:<name>``), ``agent`` (``sim-001``…) and ``extras`` (a dict: cycles, activations…).
  Simulation is vectorised over trials; the same seed gives the same rows.
* ``fit(human_trials)`` calibrates the free parameters (at least the cycles→ms mapping) on
  human trials of the shared table and returns what it fitted (a JSON-able dict that
  includes ``r`` and ``rmse_ms`` of the fitted condition means where that applies).
"""

from __future__ import annotations

import inspect
from typing import Any, ClassVar

import pandas as pd


class ModelInputError(ValueError):
    """Trials or human data a model cannot use (wrong task, missing column, no data)."""

    user_facing = True


class Model:
    """Base class: subclasses set ``name``, ``version``, ``tasks`` and implement the verbs."""

    name: ClassVar[str] = "model"
    version: ClassVar[str] = "0"
    tasks: ClassVar[tuple[str, ...]] = ()
    #: One line for ``mirrorlab models``.
    summary: ClassVar[str] = ""

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
        return {name: getattr(self, name) for name in self.param_names()}

    def set_params(self, **params: Any) -> "Model":
        unknown = set(params) - set(self.param_names())
        if unknown:
            raise ModelInputError(
                f"model {self.name}: unknown parameter(s) {', '.join(sorted(unknown))}; "
                f"known: {', '.join(self.param_names())}")
        for key, value in params.items():
            setattr(self, key, value)
        return self

    def simulate(self, trials: pd.DataFrame, n: int = 1, seed: int | None = None) -> pd.DataFrame:
        raise NotImplementedError

    def fit(self, human_trials: pd.DataFrame) -> dict[str, Any]:
        raise NotImplementedError

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
