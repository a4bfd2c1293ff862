"""What the PDP Stroop models share: encode the trial list, run the network (the subclass's
``run_network``), map cycles to ms, and fit that mapping to human condition means."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd

from models.base import Model, ModelInputError
from models.pdp.fit import human_condition_means, mapping_report
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
    parameters ``colours``, ``rate``, ``ms_per_cycle``, ``intercept_ms``, ``fit_agents`` and
    ``fit_seed``."""

    tasks = ("stroop",)
    colours: Sequence[str] | str | None
    rate: float
    ms_per_cycle: float
    intercept_ms: float
    fit_agents: int
    fit_seed: int

    def run_network(self, encoded: EncodedTrials, repeats: int, rng: np.random.Generator) -> NetworkResult:
        raise NotImplementedError

    def _check_params(self) -> None:
        if not 0 < float(self.rate) <= 1:
            raise ModelInputError(f"model {self.name}: rate must be in (0, 1], got {self.rate}")
        if not float(self.ms_per_cycle) > 0:
            raise ModelInputError(f"model {self.name}: ms_per_cycle must be > 0, got {self.ms_per_cycle}")

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
        rt_ms = float(self.intercept_ms) + float(self.ms_per_cycle) * result.rt_cycles
        soa_cycles = np.tile(np.rint(encoded.soa_ms / float(self.ms_per_cycle)).astype(int), int(n))
        extras = [{"soa_cycles": int(k)} for k in soa_cycles]
        return output_rows(trials, int(n), self.name, encoded.colours, result.response_unit,
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

    def fit(self, human_trials: pd.DataFrame) -> dict[str, Any]:
        """Least-squares line from the model's condition means (cycles) to the human ones (ms)
        per instruction × condition present in the data; sets ``ms_per_cycle`` and
        ``intercept_ms`` and returns slope, intercept, r, RMSE, the means and n."""
        cells = human_condition_means(human_trials, self.name)
        colours = colour_vocabulary(human_trials if "ink" in human_trials.columns else None, self.colours)
        report = mapping_report(cells, self.condition_cycles(cells, colours), self.name)
        self.ms_per_cycle = report["ms_per_cycle"]
        self.intercept_ms = report["intercept_ms"]
        report["colours"] = list(colours)
        return report
