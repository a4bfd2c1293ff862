"""WEAVER++ with Roelofs' (2018) conceptual bias: cumulative semantic interference.

Roelofs (2018, Cognition 172) explains why naming a picture gets slower with every category
co-member named before it (Howard et al. 2006) by a *conceptual bias*: after a concept has been
used for naming, the conceptual system is biased towards it, so on later trials that concept gets
extra input. In a later trial of the same category that biased co-member spreads activation to
its lemma, which competes with the target lemma: each previously named co-member adds a
competitor, so latency grows with ordinal position; the bias does not decay, so lag does not
matter.

Implementation (details and the reasons in ``docs/models/weaver.md``):

* same equations, rates, decay, input, critical difference, enhancement of the flagged target
  concept, verifications and hazard timing as :class:`models.weaver.model.Weaver`, conceptual
  rate halved (0.0101 / 2 per ms) as in Roelofs (2018);
* a trial's network holds the picture and every other member of its category in the sequence,
  all concepts linked with each other and with the category's superordinate concept, whose
  lemma is in the network but does not compete (as in ``CONCEPTUAL BIAS.C``). That clique grows
  by 1.081 per step; the relaxed stability rule (``models.weaver.network.MAX_AMPLIFICATION``)
  accepts it, as Roelofs' program does;
* each co-member named earlier in the sequence gets an extra input of ``conceptual_bias`` (2.5
  activation units) per step on its concept for the whole trial — the bias read literally
  (``conceptual_bias_duration_ms=None``). With the enhancement this reproduces the program's
  printed 106 / 119 / 130 / 141 / 150 ms exactly (tests/test_weaver_roelofs_programs.py);
  without it the target never leads by the critical difference. The earlier one-step pulse is
  ``conceptual_bias_duration_ms=25`` with ``enhancement_ratio=0``;
* RT = ``intercept_ms`` + ``ms_per_unit`` × E[T] (``models.base.RTMapping``); ``fit`` puts
  both, by least squares on the means by ordinal position, into ``fitted_`` (defaults: the fit
  to Howard et al.'s human curve).
"""

from __future__ import annotations

from typing import Any, ClassVar, Mapping

import numpy as np
import pandas as pd

from models.base import FitReport, ModelInputError, fit_rt_mapping
from models.weaver.model import Weaver
from models.weaver.fitting import json_cells, rt_trials
from models.weaver.network import TrialNetwork
from models.weaver.rules import (CATEGORISING_RESPONSES, PICTURE_CATEGORISING, PICTURE_NAMING,
                                 picture_naming_network)
from models.weaver.sequences import naming_contexts, position_and_lag_means


class WeaverCumulative(Weaver):
    """WEAVER++ conceptual-bias account (Roelofs 2018) of cumulative semantic interference."""

    name: ClassVar[str] = "weaver-cumulative"
    version: ClassVar[str] = "1.0"
    tasks: ClassVar[tuple[str, ...]] = ("continuous-naming",)
    summary: ClassVar[str] = ("WEAVER++ conceptual bias (Roelofs 2018): cumulative semantic "
                              "interference in continuous picture naming")
    fit_scale_by_default: ClassVar[bool] = True
    #: The plausible scale is centred on the one that fits Howard et al.'s (2006) curve
    #: (``cumulative_fit_report``: scale 6.4): at scale 1 the model's effect is 4.7 ms per
    #: position, a sixth of people's. That fit's constant (−152 ms) is not a duration, so the
    #: plausible constants stay ≥ 0 (RTs of 300–1000 ms with these scales).
    free_parameters: ClassVar[dict] = {**Weaver.free_parameters,
                                       "intercept_ms": (-1000.0, 1500.0, 0.0, 300.0),
                                       "ms_per_unit": (0.1, 20.0, 3.0, 8.0),
                                       "conceptual_bias": (0.0, 10.0, 1.0, 4.0)}
    default_free: ClassVar[tuple] = ("intercept_ms", "ms_per_unit", "residual_sd_ms",
                                     "residual_tau_ms")
    identifiable_parameters: ClassVar[tuple] = default_free

    def __init__(self, step_ms: float = 25.0, conceptual_rate_per_ms: float = 0.0101 / 2,
                 concept_lemma_rate_per_ms: float = 0.0074, form_rate_per_ms: float = 0.0120,
                 decay_per_ms: float = 0.0240, external_input_per_ms: float = 0.1965,
                 critical_difference: float = 1.6, max_latency_ms: float = 1000.0,
                 conceptual_bias: float = 2.5, conceptual_bias_duration_ms: float | None = None,
                 include_superordinates: bool = True,
                 link_weights: Mapping[tuple[str, str], float] | str | None = None,
                 intercept_ms: float = 504.0, ms_per_unit: float = 1.0,
                 rt_mode: str = "sample", enhancement_ratio: float = 1.0,
                 verification_ms: float = 25.0, superordinates_compete: bool = False,
                 hazard_timing: str = "before_update", truncation: str = "at_max",
                 categorising_response: str = "button"):
        super().__init__(step_ms=step_ms, conceptual_rate_per_ms=conceptual_rate_per_ms,
                         concept_lemma_rate_per_ms=concept_lemma_rate_per_ms,
                         form_rate_per_ms=form_rate_per_ms, decay_per_ms=decay_per_ms,
                         external_input_per_ms=external_input_per_ms,
                         critical_difference=critical_difference, max_latency_ms=max_latency_ms,
                         include_superordinates=include_superordinates,
                         link_weights=link_weights, intercept_ms=intercept_ms,
                         ms_per_unit=ms_per_unit, rt_mode=rt_mode, enhancement_ratio=enhancement_ratio,
                         verification_ms=verification_ms,
                         superordinates_compete=superordinates_compete,
                         hazard_timing=hazard_timing, truncation=truncation)
        self.conceptual_bias = conceptual_bias
        self.conceptual_bias_duration_ms = conceptual_bias_duration_ms
        self.categorising_response = categorising_response

    def check_trials(self, trials: pd.DataFrame) -> None:
        self.check_task(trials)
        if self.categorising_response not in CATEGORISING_RESPONSES:
            raise ModelInputError(f"model {self.name}: categorising_response "
                                  f"{self.categorising_response!r} is not one of "
                                  f"{', '.join(CATEGORISING_RESPONSES)}")
        for instruction in _instructions(trials):
            if instruction not in (PICTURE_NAMING, PICTURE_CATEGORISING):
                raise ModelInputError(f"model {self.name}: unknown continuous-naming instruction "
                                      f"{instruction!r}; expected {PICTURE_NAMING} or "
                                      f"{PICTURE_CATEGORISING}")

    def trial_networks(self, trials: pd.DataFrame) -> tuple[list[TrialNetwork], np.ndarray]:
        """One network per distinct (picture, co-members, co-members named before)."""
        rates = self.step_rates(trials)
        keys: dict[tuple, int] = {}
        networks: list[TrialNetwork] = []
        index = np.zeros(len(trials), dtype=np.int64)
        instructions = _instructions(trials)
        for i, context in enumerate(naming_contexts(self.name, trials)):
            key = (instructions[i], context.picture, context.category, context.co_members,
                   tuple(sorted(context.named_before)))
            if key not in keys:
                keys[key] = len(networks)
                networks.append(picture_naming_network(
                    context.picture, context.category, context.co_members, context.named_before,
                    rates, self.conceptual_bias,
                    self.conceptual_bias_duration_ms, instructions[i],
                    self.categorising_response))
            index[i] = keys[key]
        return networks, index

    def fit(self, human_trials: pd.DataFrame, fit_scale: bool | None = None) -> FitReport:
        """Least squares on the means by ordinal position: human = constant + scale · E[T]
        (into ``fitted_``)."""
        fit_scale = self.fit_scale_by_default if fit_scale is None else fit_scale
        human = rt_trials(self.name, human_trials).reset_index(drop=True)
        if "ordinal_position" not in human.columns:
            raise ModelInputError(f"model {self.name}: human trials lack the column "
                                  "ordinal_position")
        human = human.assign(model_ms=self.expected_retrieval_ms(human))
        return _fit_by_position(self, human, fit_scale)


def _instructions(trials: pd.DataFrame) -> list[str]:
    """Each row's instruction (picture naming where the column is absent or empty)."""
    if "instruction" not in trials.columns:
        return [PICTURE_NAMING] * len(trials)
    return [str(v).strip() if isinstance(v, str) and str(v).strip() else PICTURE_NAMING
            for v in trials["instruction"]]


def _fit_by_position(model, human: pd.DataFrame, fit_scale: bool) -> FitReport:
    """Map model values (``model_ms``) to the human means by ordinal position."""
    experimental = human[human["condition"].astype(str) == "experimental"].copy()
    experimental["ordinal_position"] = pd.to_numeric(experimental["ordinal_position"],
                                                     errors="coerce")
    means = experimental.dropna(subset=["ordinal_position"]).groupby("ordinal_position").agg(
        human_ms=("rt_ms", "mean"), model_ms=("model_ms", "mean"), n=("rt_ms", "size"))
    if len(means) < 2:
        raise ModelInputError(f"model {model.name}: need human trials at two or more ordinal "
                              "positions to fit")
    fit = fit_rt_mapping(means["model_ms"], means["human_ms"], unit=model.latency_unit,
                         fit_slope=fit_scale, ms_per_unit=float(model.ms_per_unit))
    means = means.reset_index()
    means["fitted_ms"] = fit.fitted_ms
    return model.record_fit(FitReport(
        model=model.name, fitted={"intercept_ms": fit.mapping.intercept_ms,
                                  "ms_per_unit": fit.mapping.ms_per_unit},
        r=fit.r, rmse_ms=fit.rmse_ms, n_trials=int(means["n"].sum()), cells=json_cells(means),
        rt_mapping=fit.mapping,
        details={"ms_per_position": float(np.polyfit(means["ordinal_position"],
                                                     means["fitted_ms"], 1)[0])}))


def cumulative_curves(model, n_sequences: int = 8, seed: int = 0) -> pd.DataFrame:
    """Model value (E[T] or cycles, column ``model_ms``) on ``n_sequences`` Howard-style
    sequences, all trials, with ordinal position and lag."""
    from models.weaver.lists import continuous_naming_sequence

    frames = []
    for k in range(n_sequences):
        sequence = continuous_naming_sequence(seed=seed + k)
        sequence["agent"] = f"seq-{k}"
        frames.append(sequence)
    trials = pd.concat(frames, ignore_index=True)
    trials["model_ms"] = model.expected_retrieval_ms(trials)
    return trials


def report_against_howard(model, trials: pd.DataFrame, unit: str) -> dict[str, Any]:
    """Fit constant + scale to Howard et al.'s curve by position; lag curve with the same map."""
    from stimuli.published import published_table

    HOWARD_2006_BY_POSITION = published_table("howard2006-ordinal-position").mapping("ordinal_position", "rt_ms")
    HOWARD_2006_BY_LAG = published_table("howard2006-lag").mapping("lag", "rt_ms")
    raw = position_and_lag_means(trials, "model_ms")
    positions = sorted(HOWARD_2006_BY_POSITION)
    model_pos = np.array([raw["position"][p] for p in positions])
    human_pos = np.array([HOWARD_2006_BY_POSITION[p] for p in positions], dtype=float)
    fit = fit_rt_mapping(model_pos, human_pos, unit=model.latency_unit, fit_slope=True)
    mapping = {"intercept_ms": fit.mapping.intercept_ms, "ms_per_unit": fit.mapping.ms_per_unit,
               "r": fit.r, "rmse_ms": fit.rmse_ms}
    fitted_pos = fit.mapping.to_ms(model_pos)
    lags = sorted(HOWARD_2006_BY_LAG)
    fitted_lag = fit.mapping.to_ms([raw["lag"][g] for g in lags])
    human_lag = np.array([HOWARD_2006_BY_LAG[g] for g in lags], dtype=float)
    position_table = pd.DataFrame({"ordinal_position": positions, f"model_{unit}": model_pos,
                                   "model_ms": fitted_pos, "human_ms": human_pos})
    lag_table = pd.DataFrame({"lag": lags, f"model_{unit}": [raw["lag"][g] for g in lags],
                              "model_ms": fitted_lag, "human_ms": human_lag})
    return {
        "mapping": mapping, "position": position_table, "lag": lag_table,
        "ms_per_position": float(np.polyfit(positions, fitted_pos, 1)[0]),
        "lag_range_ms": float(np.ptp(fitted_lag)),
        "lag_rmse_ms": float(np.sqrt(np.mean((fitted_lag - human_lag) ** 2))),
    }


def cumulative_fit_report(model: WeaverCumulative | None = None,
                          n_sequences: int = 8) -> dict[str, Any]:
    """r and RMSE against Howard et al. (2006) (after constant + scale) and against the model
    curve of Roelofs (2018) (raw effect in ms, no mapping)."""
    from stimuli.published import published_table

    ROELOFS_2018_MODEL_EFFECT = published_table("roelofs2018-cumulative-effect").mapping(
        "ordinal_position", "effect_ms")

    model = model or WeaverCumulative()
    trials = cumulative_curves(model, n_sequences)
    howard = report_against_howard(model, trials, "retrieval_ms")
    raw = howard["position"]["model_retrieval_ms"].to_numpy()
    effect = raw - raw[0]
    published = np.array([ROELOFS_2018_MODEL_EFFECT[p] for p in range(1, 6)], dtype=float)
    roelofs = pd.DataFrame({"ordinal_position": range(1, 6), "model_effect_ms": effect,
                            "roelofs_2018_effect_ms": published})
    summary = [
        {"task": "continuous-naming by position", "model": model.name,
         "comparison": "Howard et al. (2006) means, constant + scale fitted",
         "r": howard["mapping"]["r"], "rmse_ms": howard["mapping"]["rmse_ms"], "n": 5},
        {"task": "continuous-naming by lag", "model": model.name,
         "comparison": "Howard et al. (2006) means by lag, same mapping", "r": None,
         "rmse_ms": howard["lag_rmse_ms"], "n": 4},
        {"task": "continuous-naming effect", "model": model.name,
         "comparison": "Roelofs (2018) model effect by position, unscaled",
         "r": float(np.corrcoef(effect, published)[0, 1]),
         "rmse_ms": float(np.sqrt(np.mean((effect - published) ** 2))), "n": 5},
    ]
    return {"summary": summary,
            "tables": {"weaver_cumulative_position": howard["position"],
                       "weaver_cumulative_lag": howard["lag"],
                       "weaver_cumulative_vs_roelofs2018": roelofs},
            "ms_per_position": howard["ms_per_position"],
            "lag_range_ms": howard["lag_range_ms"], "mapping": howard["mapping"]}
