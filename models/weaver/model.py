"""WEAVER++ lemma retrieval (Roelofs 1992, 2003) for picture–word interference and Stroop.

A reference implementation in numpy of the model's spreading-activation network and of its
*mathematical characterisation* of retrieval latencies. The full description (network, rules,
equations, parameters with sources, fits, deviations) is ``docs/models/weaver.md``.

How a trial list becomes latencies:

1. ``models.weaver.rules`` turns every trial into a small network (concepts with IS-A and
   co-member links, lemmas, input and output forms) and flags the goal node with the task's
   condition–action rule (picture naming, word reading by either route, colour naming,
   categorising). Identical trial configurations share one network.
2. ``models.weaver.dynamics`` steps all networks at once (trials × nodes, a loop over 25-ms steps
   only) and returns the Luce-ratio hazard of selecting the flagged node, which is zero until the
   node leads every competitor by the critical difference.
3. ``models.weaver.hazard`` gives the survival function, the expected retrieval time E[T]
   (analytic) and, in ``rt_mode="sample"``, trial-level latencies drawn from the same hazard.
4. RT = ``intercept_ms`` (the stages other than lemma retrieval) + ``ms_per_unit`` ×
   retrieval time (``models.base.RTMapping``, unit ms, so ``ms_per_unit`` is a scale, 1 by
   default). ``fit`` puts the fitted constant (and, if asked, the scale) into ``fitted_``, by
   least squares on condition means.

Python API::

    from models.weaver.model import Weaver
    from models.weaver.report import fit_report
    rows = Weaver().simulate(trials, n=20, seed=1)     # shared rows, source "model:weaver"
    Weaver().expected_retrieval_ms(trials)             # E[T] per trial, ms
    fit_report()                                       # r, RMSE against the published tables
"""

from __future__ import annotations

import math
from typing import Any, ClassVar, Mapping

import numpy as np
import pandas as pd

from models.base import FitReport, Model, ModelInputError, fit_rt_mapping, judge
from models.weaver.dynamics import HAZARD_TIMINGS, run_hazard
from models.weaver.hazard import (TRUNCATIONS, expected_latency_ms, sample_latency_ms,
                                  truncation_probability)
from models.weaver.fitting import cell_columns, json_cells, rt_trials
from models.weaver.network import (MAX_AMPLIFICATION, TrialNetwork, amplification_within,
                                   largest_growth_factor, stack_networks)
from models.weaver.rules import (COLOUR_NAMING, INSTRUCTIONS, PICTURE_CATEGORISING,
                                 PICTURE_NAMING, READING_ROUTES, WORD_CATEGORISING, WORD_ENTRIES,
                                 StepRates, picture_word_network, stroop_network)

PICTURE_WORD_CONDITIONS = ("identical", "related", "unrelated", "nonword")
STROOP_CONDITIONS = ("congruent", "neutral", "incongruent")
REQUIRED_COLUMNS = {
    "picture-word": ("instruction", "condition", "picture", "category", "distractor",
                     "distractor_category", "soa_ms"),
    "stroop": ("instruction", "condition", "ink", "word", "word_colour"),
    "continuous-naming": ("picture", "category", "condition"),
}
RT_MODES = ("expected", "sample")
#: Draws per batch when sampling, to bound memory (agents × trials × steps booleans).
_SAMPLE_CHUNK = 20


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == ""


class Weaver(Model):
    """WEAVER++ (Roelofs 1992, 2003): spreading activation, goal-flagged Luce-ratio selection.

    Rates are per ms as published and converted to per-step values (× ``step_ms``). The
    defaults follow Roelofs' own programs (2016, 2018): enhancement of the flagged target concept
    (``enhancement_ratio`` × the external input), words entering their lemma directly
    (``word_entry="lemma"``), 25-ms verifications before selection, the hazard computed before
    each update, superordinate lemmas not competing. ``sustained_distractor_input_per_ms`` and
    ``picture_onset_delay_ms`` are free parameters (0 by default), fitted only where said so.
    """

    name: ClassVar[str] = "weaver"
    version: ClassVar[str] = "1.0"
    tasks: ClassVar[tuple[str, ...]] = ("picture-word", "stroop")
    latency_unit: ClassVar[str] = "ms"
    summary: ClassVar[str] = ("WEAVER++ (Roelofs 1992/2003): lemma retrieval by spreading activation "
                              "and Luce-ratio hazard; picture-word interference across SOAs, Stroop")
    #: ``fit`` adjusts only the constant unless told otherwise (the model's latencies are in ms).
    fit_scale_by_default: ClassVar[bool] = False
    #: Fittable parameters: (lower, upper, plausible lower, plausible upper); see
    #: ``models.fitting.parameters`` and docs/models/fitting.md.
    free_parameters: ClassVar[dict] = {"intercept_ms": (0.0, 1500.0, 350.0, 750.0),
                                       "ms_per_unit": (0.1, 5.0, 0.6, 1.6),
                                       "critical_difference": (1.05, 4.0, 1.3, 2.2),
                                       "concept_lemma_rate_per_ms": (0.001, 0.03, 0.005, 0.012)}
    default_free: ClassVar[tuple] = ("intercept_ms", "ms_per_unit", "residual_sd_ms",
                                     "residual_tau_ms")
    #: Recovered with r ≥ 0.9 from 20 synthetic participants on Pratte et al.'s (2010) trial
    #: lists (tests/test_recovery.py; numbers in docs/models/fitting.md).
    identifiable_parameters: ClassVar[tuple] = default_free

    def __init__(self, step_ms: float = 25.0, conceptual_rate_per_ms: float = 0.0101,
                 concept_lemma_rate_per_ms: float = 0.0074, form_rate_per_ms: float = 0.0120,
                 decay_per_ms: float = 0.0240, external_input_per_ms: float = 0.1965,
                 distractor_duration_ms: float = 100.0, critical_difference: float = 1.6,
                 max_latency_ms: float = 1000.0, picture_duration_ms: float | None = None,
                 picture_onset_delay_ms: float = 0.0, word_reading_route: str = "direct",
                 include_superordinates: bool = True,
                 link_weights: Mapping[tuple[str, str], float] | str | None = None,
                 intercept_ms: float = 550.0,
                 intercept_by_instruction_ms: Mapping[str, float] | None = None,
                 ms_per_unit: float = 1.0, rt_mode: str = "sample",
                 enhancement_ratio: float = 1.0, verification_ms: float = 25.0,
                 word_entry: str = "lemma", superordinates_compete: bool = False,
                 hazard_timing: str = "before_update", truncation: str = "at_max",
                 sustained_distractor_input_per_ms: float = 0.0):
        self.step_ms = step_ms
        self.conceptual_rate_per_ms = conceptual_rate_per_ms
        self.concept_lemma_rate_per_ms = concept_lemma_rate_per_ms
        self.form_rate_per_ms = form_rate_per_ms
        self.decay_per_ms = decay_per_ms
        self.external_input_per_ms = external_input_per_ms
        self.distractor_duration_ms = distractor_duration_ms
        self.critical_difference = critical_difference
        self.max_latency_ms = max_latency_ms
        self.picture_duration_ms = picture_duration_ms
        self.picture_onset_delay_ms = picture_onset_delay_ms
        self.word_reading_route = word_reading_route
        self.include_superordinates = include_superordinates
        self.link_weights = link_weights
        self.intercept_ms = intercept_ms
        self.intercept_by_instruction_ms = intercept_by_instruction_ms
        self.ms_per_unit = ms_per_unit
        self.rt_mode = rt_mode
        self.enhancement_ratio = enhancement_ratio
        self.verification_ms = verification_ms
        self.word_entry = word_entry
        self.superordinates_compete = superordinates_compete
        self.hazard_timing = hazard_timing
        self.truncation = truncation
        self.sustained_distractor_input_per_ms = sustained_distractor_input_per_ms

    # ------------------------------------------------------------------ parameters
    def intercepts_for(self, trials: pd.DataFrame) -> np.ndarray:
        """The constant for the stages other than retrieval, per trial: perception and
        articulation differ between naming a picture, naming a colour and reading a word, so
        ``fit`` may set one per instruction (``intercept_by_instruction_ms``)."""
        constant = np.full(len(trials), float(self.param("intercept_ms")))
        table = self.param("intercept_by_instruction_ms") or {}
        if table and "instruction" in trials.columns:
            keys = trials["task"].astype(str) + ":" + trials["instruction"].astype(str) \
                if "task" in trials.columns else trials["instruction"].astype(str)
            for i, key in enumerate(keys):
                instruction = key.split(":")[-1]
                value = table.get(key, table.get(instruction))
                if value is not None:
                    constant[i] = float(value)
        return constant

    def step_rates(self, trials: pd.DataFrame | None = None) -> StepRates:
        """Published per-ms rates × Δt: the per-step values the update uses. ``trials`` is
        needed only when the link weights come from an embedding backend (a string)."""
        dt = self.step_ms
        return StepRates(
            conceptual=self.conceptual_rate_per_ms * dt,
            concept_lemma=self.concept_lemma_rate_per_ms * dt,
            form=self.form_rate_per_ms * dt,
            lemma_form=self.form_rate_per_ms * dt,
            external_input=self.external_input_per_ms * dt,
            distractor_duration_ms=self.distractor_duration_ms,
            picture_duration_ms=self.picture_duration_ms,
            include_superordinates=self.include_superordinates,
            link_weights=self._link_weights_for(trials),
            enhancement=self.enhancement_ratio * self.external_input_per_ms * dt,
            verification_ms=self.verification_ms,
            word_entry=self.word_entry,
            superordinates_compete=self.superordinates_compete,
            sustained_distractor_input=self.sustained_distractor_input_per_ms * dt,
        )

    @property
    def decay_per_step(self) -> float:
        return self.decay_per_ms * self.step_ms

    def _link_weights_for(self, trials: pd.DataFrame | None) -> dict | None:
        if isinstance(self.link_weights, str) and self.link_weights:
            if trials is None:
                raise ModelInputError(f"model {self.name}: link_weights={self.link_weights!r} "
                                      "needs the trial list to look up relatedness")
            cache = getattr(self, "_relatedness_cache", {})
            key = (self.link_weights, pd.util.hash_pandas_object(
                trials.astype(str), index=False).sum())
            if key not in cache:
                from models.weaver.relatedness import relatedness_link_weights

                cache = {key: relatedness_link_weights(trials, self.link_weights,
                                                       _co_members(trials), self.name)}
                self._relatedness_cache = cache
            return cache[key]
        return self._normalised_link_weights()

    def _normalised_link_weights(self) -> dict[tuple[str, str], float] | None:
        if not self.link_weights:
            return None
        table = {}
        for key, weight in dict(self.link_weights).items():
            if isinstance(key, str):  # "a|b" from the command line
                parts = key.split("|")
                if len(parts) != 2:
                    raise ModelInputError(f"model {self.name}: link_weights key {key!r} is not "
                                          "a pair (use (a, b) or 'a|b')")
                key = tuple(parts)
            a, b = key
            table[(str(a).strip(), str(b).strip())] = float(weight)
        return table

    def _check_params(self) -> None:
        if self.rt_mode not in RT_MODES:
            raise ModelInputError(f"model {self.name}: rt_mode {self.rt_mode!r} is not one of "
                                  f"{', '.join(RT_MODES)}")
        if self.word_reading_route not in READING_ROUTES:
            raise ModelInputError(f"model {self.name}: word_reading_route "
                                  f"{self.word_reading_route!r} is not one of "
                                  f"{', '.join(READING_ROUTES)}")
        if not (0 < self.decay_per_step <= 1):
            raise ModelInputError(f"model {self.name}: decay per step "
                                  f"{self.decay_per_step:g} must lie in (0, 1]")
        for name, value, allowed in (("word_entry", self.word_entry, WORD_ENTRIES),
                                     ("hazard_timing", self.hazard_timing, HAZARD_TIMINGS),
                                     ("truncation", self.truncation, TRUNCATIONS)):
            if value not in allowed:
                raise ModelInputError(f"model {self.name}: {name} {value!r} is not one of "
                                      f"{', '.join(allowed)}")
        if self.verification_ms < 0 or self.enhancement_ratio < 0:
            raise ModelInputError(f"model {self.name}: verification_ms and enhancement_ratio "
                                  "must not be negative")
        if self.step_ms <= 0 or self.max_latency_ms < self.step_ms:
            raise ModelInputError(f"model {self.name}: need step_ms > 0 and "
                                  "max_latency_ms ≥ step_ms")

    # ------------------------------------------------------------------ networks
    def check_trials(self, trials: pd.DataFrame) -> None:
        """Refuse a trial list this model cannot read, in one line."""
        self.check_task(trials)
        if "task" not in trials.columns:
            raise ModelInputError(f"model {self.name}: trial list lacks the column 'task'")
        for task, rows in trials.groupby("task", sort=False):
            missing = [c for c in REQUIRED_COLUMNS[task] if c not in trials.columns]
            if missing:
                raise ModelInputError(f"model {self.name}: {task} trial list lacks column(s) "
                                      f"{', '.join(missing)}")
            allowed = {"picture-word": PICTURE_WORD_CONDITIONS, "stroop": STROOP_CONDITIONS,
                       "continuous-naming": ("experimental", "filler")}[task]
            bad = sorted(set(rows["condition"].astype(str)) - set(allowed))
            if bad:
                index = rows.index[rows["condition"].astype(str) == bad[0]][0]
                raise ModelInputError(f"model {self.name}: unknown {task} condition {bad[0]!r} "
                                      f"in trial row {index}; expected one of "
                                      f"{', '.join(allowed)}")
            if "instruction" in rows.columns:
                unknown = sorted(set(rows["instruction"].dropna().astype(str))
                                 - set(INSTRUCTIONS) - {""})
                if unknown:
                    raise ModelInputError(f"model {self.name}: unknown instruction "
                                          f"{unknown[0]!r} for {task}; expected one of "
                                          f"{', '.join(INSTRUCTIONS)}")
            if task == "picture-word" or (task == "stroop" and "soa_ms" in rows.columns):
                # Stroop rows may leave soa_ms empty (the word and ink appear together)
                soa = pd.to_numeric(rows["soa_ms"], errors="coerce")
                if task == "stroop":
                    given = rows["soa_ms"].notna() & (rows["soa_ms"].astype(str) != "")
                    soa = soa.where(given, 0.0)
                if soa.isna().any():
                    index = rows.index[soa.isna()][0]
                    raise ModelInputError(f"model {self.name}: soa_ms "
                                          f"{rows.loc[index, 'soa_ms']!r} in trial row {index} "
                                          "is not a number")
            if task == "picture-word":
                blank = rows["picture"].map(_is_missing)
                if blank.any():
                    raise ModelInputError(f"model {self.name}: empty picture in trial row "
                                          f"{rows.index[blank][0]}")

    def trial_networks(self, trials: pd.DataFrame) -> tuple[list[TrialNetwork], np.ndarray]:
        """One network per distinct trial configuration and, per trial, its network's index."""
        rates = self.step_rates(trials)
        co_members = _co_members(trials)
        keys: dict[tuple, int] = {}
        networks: list[TrialNetwork] = []
        index = np.zeros(len(trials), dtype=np.int64)
        for i, row in enumerate(trials.to_dict("records")):
            row = self._prepare_row(row)
            co_member = co_members.get(_co_member_key(row), "")
            key = (co_member,) + tuple(sorted((k, str(v)) for k, v in row.items()
                                               if k in _NETWORK_FIELDS))
            if key not in keys:
                keys[key] = len(networks)
                networks.append(self.network_for(row, rates, co_member))
            index[i] = keys[key]
        return networks, index

    def _prepare_row(self, row: dict) -> dict:
        if row.get("task") == "picture-word" and self.picture_onset_delay_ms:
            row = dict(row)
            row["soa_ms"] = float(row["soa_ms"]) - self.picture_onset_delay_ms
        return row

    def network_for(self, row: Mapping[str, Any], rates: StepRates, co_member: str,
                    route: str | None = None) -> TrialNetwork:
        route = route or self.word_reading_route
        if row.get("task") == "stroop":
            return stroop_network(row, rates, route, co_member)
        return picture_word_network(row, rates, route, co_member)

    # ------------------------------------------------------------------ latencies
    def hazard(self, trials: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, list[TrialNetwork]]:
        """Selection hazard per distinct configuration (configs × steps), the trial → config
        index and the networks. With ``word_reading_route="race"`` reading trials combine the
        lemma and the direct route: selected when either selects, S = S_lemma · S_direct."""
        self._check_params()
        self.check_trials(trials)
        networks, index = self.trial_networks(trials)
        hazard = self._network_hazard(networks)
        if self.word_reading_route == "race":
            reading = [i for i, net in enumerate(networks) if net.selection_kind == "output_form"]
            if reading:
                rates = self.step_rates(trials)
                rows = _rows_for_networks(trials, index, reading)
                lemma_nets = [self.network_for(self._prepare_row(r), rates, c, route="lemma")
                              for r, c in rows]
                lemma_hazard = self._network_hazard(lemma_nets)
                direct = hazard[reading]
                hazard[reading] = 1.0 - (1.0 - direct) * (1.0 - lemma_hazard)
        return hazard, index, networks

    def _network_hazard(self, networks: list[TrialNetwork]) -> np.ndarray:
        batch = stack_networks(networks, self.step_ms, self.max_latency_ms)
        growth = largest_growth_factor(_distinct_weights(batch.weights), self.decay_per_step)
        amplification = amplification_within(growth, batch.n_steps_total)
        if amplification > MAX_AMPLIFICATION:
            raise ModelInputError(
                f"model {self.name}: these rates make activation grow without bound (growth "
                f"factor {growth:.3f} per step amplifies {amplification:.3g}-fold within "
                f"{batch.n_steps_total} steps, more than {MAX_AMPLIFICATION:g}); lower "
                "conceptual_rate_per_ms or the link weights")
        return run_hazard(batch, self.decay_per_step, self.critical_difference,
                          timing=self.hazard_timing)

    def expected_retrieval_ms(self, trials: pd.DataFrame) -> np.ndarray:
        """E[T] (analytic) per trial, in ms from target onset."""
        hazard, index, _ = self.hazard(trials)
        return expected_latency_ms(hazard, self.step_ms, self.truncation)[index]

    # ------------------------------------------------------------------ protocol
    def simulate(self, trials: pd.DataFrame, n: int = 1, seed: int | None = None) -> pd.DataFrame:
        """Shared rows for ``n`` simulated agents (``Model.shared_rows``; ``correct`` None
        where the trial has no expected response). ``rt_mode="expected"`` gives every agent E[T]; ``"sample"``
        draws each agent's latencies from the hazard with ``seed``."""
        if n < 1:
            raise ModelInputError(f"model {self.name}: n must be at least 1, not {n}")
        trials = trials.reset_index(drop=True)
        hazard, index, networks = self.hazard(trials)
        expected = expected_latency_ms(hazard, self.step_ms, self.truncation)
        truncated = truncation_probability(hazard)
        responses = np.array([net.response for net in networks], dtype=object)[index]
        rng = np.random.default_rng(seed)
        frames = []
        for start in range(0, n, _SAMPLE_CHUNK):
            draws = min(_SAMPLE_CHUNK, n - start)
            if self.rt_mode == "sample":
                retrieval = sample_latency_ms(hazard[index], self.step_ms, rng, n_draws=draws)
            else:
                retrieval = np.broadcast_to(expected[index], (draws, len(trials)))
            frames.append(retrieval)
        retrieval_ms = np.concatenate(frames, axis=0)          # agents × trials
        rt_ms = self.rt_mapping().to_ms(retrieval_ms, np.broadcast_to(self.intercepts_for(trials),
                                                                      retrieval_ms.shape))
        response = np.tile(responses, n).tolist()
        wanted = (np.tile(trials["expected_response"].to_numpy(dtype=object), n).tolist()
                  if "expected_response" in trials.columns else None)
        extras = [{"retrieval_ms": float(r), "expected_retrieval_ms": round(float(e), 4),
                   "p_truncated": round(float(p), 6), "rt_mode": self.rt_mode}
                  for r, e, p in zip(retrieval_ms.ravel(), np.tile(expected[index], n),
                                     np.tile(truncated[index], n))]
        return self.shared_rows(trials, n, response=response, correct=judge(response, wanted),
                                rt_ms=rt_ms.ravel().tolist(), extras=extras)

    def loglik(self, human_trials: pd.DataFrame, params: dict | None = None, **options):
        """Each scored human trial's log p(choice, rt_ms) (see ``models.likelihood``)."""
        from models.likelihood import loglik

        return loglik(self, human_trials, params, **options)

    def fit(self, human_trials: pd.DataFrame, fit_scale: bool | None = None) -> FitReport:
        """Least squares on condition means: human = constant(task, instruction) + scale · E[T].

        Cells are task × instruction × condition (× soa_ms where present), on the trials
        ``models.base.rt_trials`` keeps. Each task × instruction gets its own constant
        (``intercept_by_instruction_ms``; with one instruction it is ``intercept_ms``); the
        scale (``ms_per_unit``) is shared and stays as set unless ``fit_scale``. The fitted
        values go into ``fitted_``; the report has ``r`` and ``rmse_ms`` of the cell means.
        """
        fit_scale = self.fit_scale_by_default if fit_scale is None else fit_scale
        human = rt_trials(self.name, human_trials).reset_index(drop=True)
        human = human.assign(model_ms=self.expected_retrieval_ms(human))
        cells = cell_columns(human)
        means = human.groupby(cells, dropna=False).agg(
            human_ms=("rt_ms", "mean"), model_ms=("model_ms", "mean"),
            n=("rt_ms", "size")).reset_index()
        groups = (means["task"].astype(str) + ":" + means["instruction"].astype(str)
                  if "instruction" in means.columns else means["task"].astype(str))
        fit = fit_rt_mapping(means["model_ms"], means["human_ms"], unit=self.latency_unit,
                             fit_slope=fit_scale, ms_per_unit=float(self.ms_per_unit),
                             groups=groups.to_numpy())
        constants = fit.intercepts_ms
        if len(constants) == 1:
            fitted = {"intercept_ms": next(iter(constants.values())),
                      "intercept_by_instruction_ms": None}
        else:
            fitted = {"intercept_ms": float(np.mean(list(constants.values()))),
                      "intercept_by_instruction_ms": dict(constants)}
        fitted["ms_per_unit"] = fit.mapping.ms_per_unit
        means["fitted_ms"] = fit.fitted_ms
        report = FitReport(model=self.name, fitted=fitted, r=fit.r, rmse_ms=fit.rmse_ms,
                           n_trials=int(means["n"].sum()), cells=json_cells(means),
                           rt_mapping=fit.mapping)
        return self.record_fit(report)


# ---------------------------------------------------------------------- helpers
_NETWORK_FIELDS = ("task", "instruction", "condition", "picture", "category", "distractor",
                   "distractor_category", "soa_ms", "word", "ink", "word_colour")


def _distinct_weights(weights: np.ndarray) -> np.ndarray:
    """A few representative weight matrices (eigenvalues are costly for thousands)."""
    if len(weights) <= 64:
        return weights
    flat = weights.reshape(len(weights), -1)
    _, first = np.unique(flat.round(12), axis=0, return_index=True)
    return weights[np.sort(first)[:256]]


def _rows_for_networks(trials: pd.DataFrame, index: np.ndarray, wanted: list[int]):
    co_members = _co_members(trials)
    records = trials.to_dict("records")
    first = {}
    for i, config in enumerate(index):
        first.setdefault(int(config), i)
    rows = []
    for config in wanted:
        row = records[first[config]]
        rows.append((row, co_members.get(_co_member_key(row), "")))
    return rows


def _co_member_key(row: Mapping[str, Any]) -> tuple[str, str]:
    task = str(row.get("task"))
    return (task, str(row.get("ink") if task == "stroop" else row.get("picture")))


def _co_members(trials: pd.DataFrame) -> dict[tuple[str, str], str]:
    """For each picture (or ink), one category co-member that is in its network in every
    condition: the related distractor shown with it, else another picture of its category
    in the list, else a stand-in node for "some member of the category"."""
    result: dict[tuple[str, str], str] = {}
    if "picture" in trials.columns and "category" in trials.columns:
        pw = trials[trials.get("task", "picture-word") == "picture-word"] \
            if "task" in trials.columns else trials
        if len(pw):
            by_category: dict[str, list[str]] = {}
            for picture, category in zip(pw["picture"], pw["category"]):
                if not _is_missing(picture):
                    by_category.setdefault(str(category), [])
                    if str(picture) not in by_category[str(category)]:
                        by_category[str(category)].append(str(picture))
            related = {}
            if "distractor" in pw.columns:
                rel = pw[pw["condition"].astype(str) == "related"]
                for picture, distractor in zip(rel["picture"], rel["distractor"]):
                    related.setdefault(str(picture), str(distractor))
            for picture, category in zip(pw["picture"], pw["category"]):
                picture, category = str(picture), str(category)
                others = [p for p in by_category.get(category, []) if p != picture]
                result[("picture-word", picture)] = related.get(
                    picture, others[0] if others else f"{category}~member")
    if "ink" in trials.columns and "task" in trials.columns:
        st = trials[trials["task"] == "stroop"]
        colours = sorted({str(c) for c in st["ink"] if not _is_missing(c)}
                         | {str(c) for c in st.get("word_colour", []) if not _is_missing(c)})
        for ink in {str(c) for c in st["ink"] if not _is_missing(c)}:
            others = [c for c in colours if c != ink]
            result[("stroop", ink)] = others[0] if others else "colour~member"
    return result


__all__ = ["Weaver", "PICTURE_CATEGORISING", "WORD_CATEGORISING", "COLOUR_NAMING"]
