"""What the PDP Stroop models share: encode the trial list, run the network (the subclass's
``run_network``), map cycles to ms (``models.base.RTMapping``), and fit that mapping to
human condition means (the fitted line goes into ``fitted_``, never into the parameters)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd

from models.base import FitReport, Model, ModelInputError
from models.pdp.fit import condition_mapping_report, human_condition_means
from models.pdp.stimuli import (EncodedTrials, canonical_trials, colour_vocabulary,
                                encode_trials, output_rows)


@dataclass
class NetworkResult:
    """Per simulated trial: the response unit (−1: none within ``max_cycles``) and the RT in
    cycles counted from the onset of the relevant dimension."""

    response_unit: np.ndarray
    rt_cycles: np.ndarray


def logistic(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


class PDPStroopModel(Model):
    """Base for the cascaded Stroop networks. Subclasses define ``run_network`` and keep the
    parameters ``colours``, ``rate``, ``ms_per_unit`` (ms per cycle), ``intercept_ms``,
    ``soa_ms_per_cycle``, ``fit_agents`` and ``fit_seed``. ``soa_ms_per_cycle`` is the model's
    own time scale for turning an SOA in ms into cycles; ``fit`` changes only the RT line."""

    tasks = ("stroop",)
    latency_unit = "cycle"
    colours: Sequence[str] | str | None
    rate: float
    ms_per_unit: float
    intercept_ms: float
    soa_ms_per_cycle: float
    fit_agents: int
    fit_seed: int

    def run_network(self, encoded: EncodedTrials, repeats: int, rng: np.random.Generator) -> NetworkResult:
        raise NotImplementedError

    def _check_params(self) -> None:
        if not 0 < float(self.rate) <= 1:
            raise ModelInputError(f"model {self.name}: rate must be in (0, 1], got {self.rate}")
        if not float(self.param("ms_per_unit")) > 0:
            raise ModelInputError(f"model {self.name}: ms_per_unit (ms per cycle) must be > 0, "
                                  f"got {self.param('ms_per_unit')}")
        if not float(self.soa_ms_per_cycle) > 0:
            raise ModelInputError(f"model {self.name}: soa_ms_per_cycle must be > 0, got "
                                  f"{self.soa_ms_per_cycle}")

    def run_cycles(self, trials: pd.DataFrame, n: int = 1, seed: int | None = None
                   ) -> tuple[EncodedTrials, NetworkResult]:
        """Encode the trial list and run the network ``n`` times; RTs in cycles."""
        self.check_task(trials)
        self._check_params()
        if int(n) < 1:
            raise ModelInputError(f"model {self.name}: n must be at least 1, got {n}")
        colours = colour_vocabulary(trials, self.colours)
        encoded = encode_trials(trials, colours, self.name)
        return encoded, self.run_network(encoded, int(n), np.random.default_rng(seed))

    def simulate(self, trials: pd.DataFrame, n: int = 1, seed: int | None = None) -> pd.DataFrame:
        encoded, result = self.run_cycles(trials, n=n, seed=seed)
        mapping = self.rt_mapping()
        rt_ms = mapping.to_ms(result.rt_cycles)
        soa_cycles = np.tile(np.rint(encoded.soa_ms / float(self.soa_ms_per_cycle)).astype(int), int(n))
        extras = [{"soa_cycles": int(k)} for k in soa_cycles]
        return output_rows(self, trials, int(n), encoded.colours, result.response_unit,
                           result.rt_cycles, rt_ms, extras)

    def condition_cycles(self, cells: pd.DataFrame, colours: Sequence[str]) -> np.ndarray:
        """Mean RT (cycles, correct trials) in each (instruction, condition) cell of ``cells``,
        simulated on the balanced design of ``canonical_trials`` over ``colours``."""
        design = canonical_trials(colours, instructions=tuple(dict.fromkeys(cells["instruction"])))
        reps = self.fit_repeats()
        encoded, result = self.run_cycles(design, n=reps, seed=int(self.fit_seed))
        correct = result.response_unit == np.tile(encoded.correct_unit, reps)
        frame = pd.DataFrame({"instruction": np.tile(design["instruction"].to_numpy(), reps),
                              "condition": np.tile(design["condition"].to_numpy(), reps),
                              "rt_cycles": np.where(correct, result.rt_cycles, np.nan)})
        means = frame.groupby(["instruction", "condition"])["rt_cycles"].mean()
        return np.array([means.get((i, c), np.nan)
                         for i, c in zip(cells["instruction"], cells["condition"])], dtype=float)

    def loglik(self, human_trials: pd.DataFrame, params: dict | None = None, **options):
        """Each scored human trial's log p(choice, rt_ms) (see ``models.likelihood``)."""
        from models.likelihood import loglik

        return loglik(self, human_trials, params, **options)

    def fit_repeats(self) -> int:
        """How many times ``fit`` runs the balanced design (a deterministic model needs one)."""
        return int(self.fit_agents)

    def fit(self, human_trials: pd.DataFrame) -> FitReport:
        """Least-squares line from the model's condition means (cycles) to the human ones (ms)
        per instruction × condition present in the data; the fitted ``ms_per_unit`` and
        ``intercept_ms`` go into ``fitted_`` (the constructor's values stay as set). The
        model's means come from the constructor's network with the constructor's
        ``ms_per_unit`` turning SOAs into cycles, so a refit starts from the same place."""
        self.__dict__.pop("fitted_", None)
        cells = human_condition_means(human_trials, self.name)
        colours = colour_vocabulary(human_trials if "ink" in human_trials.columns else None, self.colours)
        report = condition_mapping_report(cells, self.condition_cycles(cells, colours), self.name,
                                          self.latency_unit)
        report.details["colours"] = list(colours)
        return self.record_fit(report)
