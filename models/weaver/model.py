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
4. RT = ``other_stages_ms`` + ``ms_scale`` × retrieval time. ``fit`` sets the constant (and, if
   asked, the scale) by least squares on condition means.

Python API::

    from models.weaver.model import Weaver, fit_report
    rows = Weaver().simulate(trials, n=20, seed=1)     # trial rows, source "model:weaver"
    Weaver().expected_retrieval_ms(trials)             # E[T] per trial, ms
    fit_report()                                       # r, RMSE against the published tables
"""

from __future__ import annotations

import math
from typing import Any, ClassVar, Mapping

import numpy as np
import pandas as pd

from models.base import Model, ModelInputError
from models.weaver.dynamics import run_hazard
from models.weaver.hazard import expected_latency_ms, sample_latency_ms, truncation_probability
from models.weaver.fitting import (_cell_columns, _usable_human_trials, fit_linear_mapping,
                                   json_cells)
from models.weaver.network import TrialNetwork, largest_growth_factor, stack_networks
from models.weaver.rules import (COLOUR_NAMING, INSTRUCTIONS, PICTURE_CATEGORISING,
                                 PICTURE_NAMING, READING_ROUTES, WORD_CATEGORISING, StepRates,
                                 picture_word_network, stroop_network)

PICTURE_WORD_CONDITIONS = ("identical", "related", "unrelated", "nonword")
STROOP_CONDITIONS = ("congruent", "neutral", "incongruent")
REQUIRED_COLUMNS = {
    "picture-word": ("instruction", "condition", "picture", "category", "distractor", "soa_ms"),
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

    Rates are per ms as published and converted to per-step values (× ``step_ms``).
    """

    name: ClassVar[str] = "weaver"
    version: ClassVar[str] = "1.0"
    tasks: ClassVar[tuple[str, ...]] = ("picture-word", "stroop")
    summary: ClassVar[str] = ("WEAVER++ (Roelofs 1992/2003): lemma retrieval by spreading activation "
                              "and Luce-ratio hazard; picture-word interference across SOAs, Stroop")
    #: ``fit`` adjusts only the constant unless told otherwise (the model's latencies are in ms).
    fit_scale_by_default: ClassVar[bool] = False
    #: Fittable parameters: (lower, upper, plausible lower, plausible upper); see
    #: ``models.fitting.parameters`` and docs/models/fitting.md.
    free_parameters: ClassVar[dict] = {"other_stages_ms": (0.0, 1500.0, 350.0, 750.0),
                                       "ms_scale": (0.1, 5.0, 0.6, 1.6),
                                       "critical_difference": (1.05, 4.0, 1.3, 2.2),
                                       "concept_lemma_rate_per_ms": (0.001, 0.03, 0.005, 0.012)}
    default_free: ClassVar[tuple] = ("other_stages_ms", "ms_scale", "residual_sd_ms",
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
                 other_stages_ms: float = 550.0,
                 other_stages_by_instruction_ms: Mapping[str, float] | None = None,
                 ms_scale: float = 1.0, rt_mode: str = "sample"):
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
        self.other_stages_ms = other_stages_ms
        self.other_stages_by_instruction_ms = other_stages_by_instruction_ms
        self.ms_scale = ms_scale
        self.rt_mode = rt_mode

    # ------------------------------------------------------------------ parameters
    def other_stages_for(self, trials: pd.DataFrame) -> np.ndarray:
        """The constant for the stages other than retrieval, per trial: perception and
        articulation differ between naming a picture, naming a colour and reading a word, so
        ``fit`` may set one per instruction (``other_stages_by_instruction_ms``)."""
        constant = np.full(len(trials), float(self.other_stages_ms))
        table = self.other_stages_by_instruction_ms or {}
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
            if task == "picture-word":
                soa = pd.to_numeric(rows["soa_ms"], errors="coerce")
                if soa.isna().any():
                    index = rows.index[soa.isna()][0]
                    raise ModelInputError(f"model {self.name}: soa_ms "
                                          f"{rows.loc[index, 'soa_ms']!r} in trial row {index} "
                                          "is not a number")
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
        trials = with_word_colours(trials)
        self.check_trials(trials)
        trials = with_distractor_categories(trials)
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
        if growth >= 1.0:
            raise ModelInputError(
                f"model {self.name}: these rates make activation grow without bound (largest "
                f"growth factor per step {growth:.3f} ≥ 1); lower conceptual_rate_per_ms or "
                "the link weights")
        return run_hazard(batch, self.decay_per_step, self.critical_difference)

    def expected_retrieval_ms(self, trials: pd.DataFrame) -> np.ndarray:
        """E[T] (analytic) per trial, in ms from target onset."""
        hazard, index, _ = self.hazard(trials)
        return expected_latency_ms(hazard, self.step_ms)[index]

    # ------------------------------------------------------------------ protocol
    def simulate(self, trials: pd.DataFrame, n: int = 1, seed: int | None = None) -> pd.DataFrame:
        """Trial rows for ``n`` simulated agents (the input columns + response, correct, rt_ms,
        source, agent, extras). ``rt_mode="expected"`` gives every agent E[T]; ``"sample"``
        draws each agent's latencies from the hazard with ``seed``."""
        if n < 1:
            raise ModelInputError(f"model {self.name}: n must be at least 1, not {n}")
        trials = trials.reset_index(drop=True)
        hazard, index, networks = self.hazard(trials)
        expected = expected_latency_ms(hazard, self.step_ms)
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
            for k in range(draws):
                frames.append(self._rows(trials, start + k, retrieval[k], expected[index],
                                         truncated[index], responses))
        return pd.concat(frames, ignore_index=True)

    def loglik(self, human_trials: pd.DataFrame, params: dict | None = None, **options):
        """Each scored human trial's log p(choice, rt_ms) (see ``models.likelihood``)."""
        from models.likelihood import loglik

        return loglik(self, human_trials, params, **options)

    def _rows(self, trials: pd.DataFrame, agent: int, retrieval_ms: np.ndarray,
              expected_ms: np.ndarray, truncated: np.ndarray, responses: np.ndarray) -> pd.DataFrame:
        out = trials.copy()
        out["response"] = responses
        if "expected_response" in out.columns:
            expected_response = out["expected_response"].astype(str).str.strip().str.lower()
            given = pd.Series(responses, index=out.index).astype(str).str.strip().str.lower()
            known = ~out["expected_response"].map(_is_missing)
            out["correct"] = np.where(known, expected_response == given, True)
        else:
            out["correct"] = True
        out["rt_ms"] = self.other_stages_for(trials) + self.ms_scale * retrieval_ms
        out["source"] = f"model:{self.name}"
        out["agent"] = f"sim-{agent + 1:03d}"
        out["extras"] = [
            {"retrieval_ms": float(r), "expected_retrieval_ms": round(float(e), 4),
             "p_truncated": round(float(p), 6), "rt_mode": self.rt_mode}
            for r, e, p in zip(retrieval_ms, expected_ms, truncated)
        ]
        return out

    def fit(self, human_trials: pd.DataFrame, fit_scale: bool | None = None) -> dict[str, Any]:
        """Least squares on condition means: human = constant(task, instruction) + scale · E[T].

        Cells are task × instruction × condition (× soa_ms where present); only correct,
        non-practice trials with an RT count. Each task × instruction gets its own constant
        (``other_stages_by_instruction_ms``; with one instruction it is ``other_stages_ms``);
        the scale is shared and stays 1 unless ``fit_scale``. Sets the fitted values on the
        model and returns them with ``r`` and ``rmse_ms`` of the fitted cell means.
        """
        fit_scale = self.fit_scale_by_default if fit_scale is None else fit_scale
        human = _usable_human_trials(self.name, human_trials).reset_index(drop=True)
        human = human.assign(model_ms=self.expected_retrieval_ms(human))
        cells = _cell_columns(human)
        means = human.groupby(cells, dropna=False).agg(
            human_ms=("rt_ms", "mean"), model_ms=("model_ms", "mean"),
            n=("rt_ms", "size")).reset_index()
        groups = (means["task"].astype(str) + ":" + means["instruction"].astype(str)
                  if "instruction" in means.columns else means["task"].astype(str))
        result = fit_linear_mapping(means["model_ms"].to_numpy(), means["human_ms"].to_numpy(),
                                    fit_scale, groups=groups.to_numpy())
        constants = result.pop("constants")
        self.ms_scale = result["ms_scale"]
        if len(constants) == 1:
            self.other_stages_ms = next(iter(constants.values()))
            self.other_stages_by_instruction_ms = None
        else:
            self.other_stages_by_instruction_ms = dict(constants)
            self.other_stages_ms = float(np.mean(list(constants.values())))
        result["other_stages_ms"] = self.other_stages_ms
        result["other_stages_by_instruction_ms"] = self.other_stages_by_instruction_ms
        means["fitted_ms"] = [constants[g] for g in groups] + self.ms_scale * means["model_ms"]
        result["n_cells"] = int(len(means))
        result["cells"] = json_cells(means)
        return result


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


def with_word_colours(trials: pd.DataFrame) -> pd.DataFrame:
    """Fill ``word_colour`` of Stroop trials where a trial table lacks it (the shared store
    keeps it in ``extras``; imported data such as Pratte et al. 2010 have only word and ink):
    from ``extras``, else from the condition — congruent: the ink; neutral: none;
    incongruent: the word itself where it names an ink of the table (``RED`` → ``red``), else
    another ink of the table."""
    if "task" not in trials.columns or not (trials["task"] == "stroop").any():
        return trials
    if "word_colour" in trials.columns and not trials.loc[
            trials["task"] == "stroop", "word_colour"].isna().any():
        return trials
    trials = trials.copy()
    current = trials.get("word_colour", pd.Series([None] * len(trials), index=trials.index))
    inks = sorted({str(i) for i in trials.get("ink", pd.Series(dtype=object)).dropna() if str(i)})
    filled = []
    for value, row in zip(current, trials.to_dict("records")):
        extras = row.get("extras") if isinstance(row.get("extras"), dict) else {}
        ink = str(row.get("ink") or "")
        if not _is_missing(value) or row.get("task") != "stroop":
            filled.append(value)
        elif not _is_missing(extras.get("word_colour")):
            filled.append(extras["word_colour"])
        elif row.get("condition") == "congruent":
            filled.append(ink)
        elif row.get("condition") == "incongruent":
            word = str(row.get("word") or "").strip().lower()
            others = [i for i in inks if i != ink] or ["other"]
            filled.append(word if word in inks and word != ink else others[0])
        else:
            filled.append("")
    trials["word_colour"] = filled
    return trials


def with_distractor_categories(trials: pd.DataFrame) -> pd.DataFrame:
    """Fill ``distractor_category`` where a trial table lacks it (the shared store keeps it in
    ``extras``): from ``extras``, else from the condition — identical and related distractors
    share the picture's category; an unrelated one has the category it has as a picture
    elsewhere in the table, else a category of its own; nonwords have none."""
    if "task" not in trials.columns or not (trials["task"] == "picture-word").any():
        return trials
    if "distractor_category" in trials.columns and not trials.loc[
            trials["task"] == "picture-word", "distractor_category"].isna().any():
        return trials
    trials = trials.copy()
    current = trials.get("distractor_category", pd.Series([None] * len(trials),
                                                         index=trials.index))
    picture_category = {}
    if "picture" in trials.columns:
        picture_category = dict(zip(trials["picture"].astype(str), trials["category"]))
    filled = []
    for value, row in zip(current, trials.to_dict("records")):
        extras = row.get("extras") if isinstance(row.get("extras"), dict) else {}
        if not _is_missing(value):
            filled.append(value)
        elif not _is_missing(extras.get("distractor_category")):
            filled.append(extras["distractor_category"])
        elif row.get("condition") in ("identical", "related"):
            filled.append(row.get("category"))
        elif row.get("condition") == "unrelated":
            word = str(row.get("distractor"))
            filled.append(picture_category.get(word, f"{word}~category"))
        else:
            filled.append("")
    trials["distractor_category"] = filled
    return trials


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


# The fit report lives in models.weaver.report (which imports this module); these thin
# wrappers keep ``models.weaver.model.fit_report()`` and friends importable from here.
def fit_report(model: "Weaver | None" = None, include_continuous: bool = True) -> dict[str, Any]:
    """r and RMSE of the WEAVER++ family against the published effects (see
    :func:`models.weaver.report.fit_report`)."""
    from models.weaver.report import fit_report as report

    return report(model, include_continuous)


def glaser_dungelhoff_effects(model: "Weaver | None" = None, instruction: str = PICTURE_NAMING,
                              n_items: int = 1) -> pd.DataFrame:
    """Model vs Glaser & Düngelhoff difference scores (see :mod:`models.weaver.report`)."""
    from models.weaver.report import glaser_dungelhoff_effects as effects

    return effects(model, instruction, n_items)


def stroop_fit(model: "Weaver | None" = None):
    """Model vs Dunbar & MacLeod (1984) (see :mod:`models.weaver.report`)."""
    from models.weaver.report import stroop_fit as fit

    return fit(model)


def fit_picture_onset_delay(model: "Weaver | None" = None, **options) -> dict[str, Any]:
    """Grid-fitted picture onset delay (see :mod:`models.weaver.report`)."""
    from models.weaver.report import fit_picture_onset_delay as fit

    return fit(model, **options)


__all__ = ["Weaver", "fit_report", "glaser_dungelhoff_effects", "stroop_fit",
           "fit_picture_onset_delay", "fit_linear_mapping", "with_distractor_categories",
           "PICTURE_CATEGORISING", "WORD_CATEGORISING", "COLOUR_NAMING"]
