"""Simulated and scripted participants: they answer through the real PsychoPy loop by sending
real key events (XTEST) at times drawn or given relative to the *measured* stimulus onset.

The simulated participant's generative model (documented in docs/experiments.md):

* RT in ms is ex-Gaussian: ``Normal(mu, sigma) + Exponential(tau)``; its mean is
  ``mu + tau``. The mean of a trial is a task baseline plus a condition effect taken from the
  classic studies (table ``CONDITION_MEANS_MS`` below; ``effect_scale`` scales the effects).
* With probability ``error_rate(condition)`` the answer is wrong: another response key for
  choice tasks (Stroop, association), no key at all (an omission) for the naming proxies.
* Every draw comes from ``numpy.random.default_rng([seed, trial_index, is_practice])``, so a
  resumed session draws the same numbers for the same trials: same seed, same session.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

# --------------------------------------------------------------------------- the model
#: Glaser & Düngelhoff (1984) picture naming / word reading, RT(condition) − RT(nonword) in ms
#: at SOA −400…+400 (see shared/reference/published_targets.md §3; values read off figures).
GD1984_SOAS_MS = (-400, -300, -200, -100, 0, 100, 200, 300, 400)
GD1984_EFFECTS_MS = {
    "picture_naming": {
        "unrelated": (41, 59, 74, 45, 47, 81, 41, -12, 17),
        "related": (5, 69, 78, 70, 133, 160, 55, 8, 8),
        "identical": (-78, -74, -67, -75, -41, -28, -24, 8, -19),
        "nonword": (0,) * 9,
    },
    "word_reading": {
        "unrelated": (-7, 9, 18, 11, 18, 4, 4, 3, -3),
        "related": (2, 8, 8, 19, 22, 18, 18, -9, 0),
        "identical": (-32, -16, -5, 0, 16, -10, 2, -9, -2),
        "nonword": (0,) * 9,
    },
}

#: Stroop condition means (ms): key-press colour naming from Pratte et al. (2010, Exp. 1;
#: condition means computed from the shared data: 703 / 720 / 790); word reading from
#: Dunbar & MacLeod (1984) as cited by Cohen et al. (1990): 500 / 496 / 518.
STROOP_MEANS_MS = {
    "colour_naming": {"congruent": 703.0, "neutral": 720.0, "incongruent": 790.0},
    "word_reading": {"congruent": 500.0, "neutral": 496.0, "incongruent": 518.0},
}
#: Continuous naming: Howard et al. (2006) mean naming RT by ordinal position 1–5 (ms, read off
#: their figure), no effect of lag; fillers at the position-1 level plus 20 ms (our choice).
HOWARD2006_POSITION_MEANS_MS = (610.0, 635.0, 661.0, 688.0, 735.0)
CONTINUOUS_FILLER_MEAN_MS = 630.0
#: Association (Pyramids-and-Palm-Trees style): no published key-press norms were found here;
#: our choice: words 1150 ms, pictures 1250 ms, +120 ms with 4 choices instead of 2.
ASSOCIATION_MEANS_MS = {"words": 1150.0, "pictures": 1250.0}
ASSOCIATION_FOUR_CHOICE_COST_MS = 120.0
PICTURE_WORD_BASELINE_MS = {"picture_naming": 720.0, "word_reading": 520.0}


@dataclass(frozen=True)
class SimulationProfile:
    """The free parameters of the simulated participant (all in ms except the rates)."""

    sigma_ms: float = 60.0            # SD of the Gaussian part
    tau_ms: float = 100.0             # mean of the exponential tail
    effect_scale: float = 1.0         # multiplies every condition effect
    mean_shift_ms: float = 0.0        # added to every mean (a slower or faster person)
    error_rate: float = 0.03          # baseline error / omission rate
    conflict_error_rate: float = 0.07 # Stroop incongruent, PWI related/unrelated at SOA 0±100
    screen_reading_ms: float = 900.0  # how long instruction / break screens are read
    min_rt_ms: float = 150.0          # no faster answers than this

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | None) -> "SimulationProfile":
        from experiments.errors import ExperimentError

        profile = cls()
        for name, value in (values or {}).items():
            if name not in cls.__dataclass_fields__:
                raise ExperimentError(
                    f"simulated participant: unknown parameter {name!r} "
                    f"(known: {', '.join(cls.__dataclass_fields__)})")
            try:
                profile = replace(profile, **{name: float(value)})
            except (TypeError, ValueError):
                raise ExperimentError(f"simulated participant: {name}={value!r} is not a number") from None
        return profile


def _interpolate_soa(table: Sequence[float], soa_ms: float) -> float:
    return float(np.interp(soa_ms, GD1984_SOAS_MS, table))


def condition_mean_ms(task: str, trial: Mapping[str, Any], profile: SimulationProfile) -> float:
    """Mean RT (ms) of the simulated participant for one trial: baseline + scaled effect."""
    instruction = str(trial.get("instruction") or "")
    condition = str(trial.get("condition") or "")
    scale = profile.effect_scale
    if task == "stroop":
        means = STROOP_MEANS_MS.get(instruction, STROOP_MEANS_MS["colour_naming"])
        base = means["neutral"]
        mean = base + scale * (means.get(condition, base) - base)
    elif task == "picture-word":
        key = instruction if instruction in GD1984_EFFECTS_MS else "picture_naming"
        # soa_ms is always word onset − picture onset; G&D's SOA is distractor − target, which
        # for word reading (the picture is the distractor) is the opposite sign.
        soa = float(trial.get("soa_ms") or 0.0)
        if key == "word_reading":
            soa = -soa
        effects = GD1984_EFFECTS_MS[key].get(condition, GD1984_EFFECTS_MS[key]["nonword"])
        mean = PICTURE_WORD_BASELINE_MS[key] + scale * _interpolate_soa(effects, soa)
    elif task == "association":
        base = ASSOCIATION_MEANS_MS["words"]
        mean = ASSOCIATION_MEANS_MS.get(condition, base)
        choices = trial.get("choices")
        if choices is not None and len(choices) >= 4:
            mean += ASSOCIATION_FOUR_CHOICE_COST_MS
        mean = base + scale * (mean - base)
    elif task == "continuous-naming":
        position = trial.get("ordinal_position")
        if position is None or (isinstance(position, float) and np.isnan(position)) or position == "":
            mean = CONTINUOUS_FILLER_MEAN_MS
        else:
            index = int(min(max(int(position), 1), 5)) - 1
            base = HOWARD2006_POSITION_MEANS_MS[0]
            mean = base + scale * (HOWARD2006_POSITION_MEANS_MS[index] - base)
    else:
        raise ValueError(f"no simulated-participant model for task {task!r}")
    return mean + profile.mean_shift_ms


def error_rate(task: str, trial: Mapping[str, Any], profile: SimulationProfile) -> float:
    condition = str(trial.get("condition") or "")
    if task == "stroop" and condition == "incongruent":
        return profile.conflict_error_rate
    if task == "picture-word" and condition in ("related", "unrelated") \
            and abs(float(trial.get("soa_ms") or 0.0)) <= 100:
        return profile.conflict_error_rate
    return profile.error_rate


@dataclass(frozen=True)
class PlannedResponse:
    """What a simulated / scripted participant will do on one trial."""

    key: str | None          # None: no key (omission)
    delay_ms: float | None   # after the measured target onset
    intended_correct: bool | None = None
    mean_ms: float | None = None
    press_id: int | None = None      # the key sender's id of the press, once scheduled


def draw_response(task_obj, trial: Mapping[str, Any], *, seed: int,
                  profile: SimulationProfile) -> PlannedResponse:
    """One draw of the generative model for one trial (deterministic given seed + trial)."""
    task = task_obj.name
    index = int(trial.get("trial_index") or 0)
    practice = int(bool(trial.get("is_practice")))
    rng = np.random.default_rng([int(seed), index, practice])
    mean = condition_mean_ms(task, trial, profile)
    tau = max(profile.tau_ms, 1e-6)
    rt = rng.normal(mean - tau, profile.sigma_ms) + rng.exponential(tau)
    rt = max(rt, profile.min_rt_ms)
    correct = bool(rng.random() >= error_rate(task, trial, profile))
    key = task_obj.key_for(trial, correct, rng)
    return PlannedResponse(key=key, delay_ms=float(rt) if key else None,
                           intended_correct=correct, mean_ms=mean)


# --------------------------------------------------------------------------- agents
@dataclass
class KeyAgent:
    """Something that answers through the real keyboard path (XTEST) — base class."""

    sender: Any = None
    screen_reading_ms: float = 900.0
    planned: dict[int, PlannedResponse] = field(default_factory=dict)

    def start(self) -> None:
        if self.sender is None:
            from experiments.xtest_keys import XTestKeySender

            self.sender = XTestKeySender()

    def close(self) -> None:
        if self.sender is not None:
            self.sender.close()
            self.sender = None

    def plan(self, task_obj, trial: Mapping[str, Any]) -> PlannedResponse:  # pragma: no cover
        raise NotImplementedError

    def on_target_onset(self, task_obj, trial: Mapping[str, Any], onset_s: float) -> PlannedResponse:
        planned = self.plan(task_obj, trial)
        if planned.key is not None and planned.delay_ms is not None:
            press_id = self.sender.press_at(planned.key, onset_s + planned.delay_ms / 1000.0)
            planned = replace(planned, press_id=press_id)
        return planned

    def press_lateness_ms(self, planned: PlannedResponse) -> float | None:
        """How late the planned key really went out (see ``XTestKeySender.lateness_ms``)."""
        if planned.press_id is None or self.sender is None:
            return None
        return self.sender.lateness_ms(planned.press_id)

    def on_screen(self, onset_s: float, key: str = "space") -> None:
        """An instruction / break / end screen appeared: read it, then press ``key``."""
        self.sender.press_at(key, onset_s + self.screen_reading_ms / 1000.0)

    def cancel(self) -> None:
        if self.sender is not None:
            self.sender.cancel_all()

    @property
    def description(self) -> dict[str, Any]:
        return {"kind": type(self).__name__}


@dataclass
class SimulatedParticipant(KeyAgent):
    """Draws each answer from the documented ex-Gaussian model (see module docstring)."""

    seed: int = 0
    profile: SimulationProfile = field(default_factory=SimulationProfile)

    def __post_init__(self):
        self.screen_reading_ms = self.profile.screen_reading_ms

    def plan(self, task_obj, trial):
        return draw_response(task_obj, trial, seed=self.seed, profile=self.profile)

    @property
    def description(self) -> dict[str, Any]:
        return {"kind": "SimulatedParticipant", "seed": self.seed,
                "profile": dict(self.profile.__dict__), "model": "ex-Gaussian RT, "
                "condition means from the classic studies, error rate per condition"}


@dataclass
class ScriptedParticipant(KeyAgent):
    """Presses the keys a script gives: ``script(trial) -> (key or None, delay_ms)``.

    Used by tests and for checking a set-up: known keys at known delays after onset.
    """

    script: Callable[[Mapping[str, Any]], tuple[str | None, float | None]] | None = None
    #: key pressed on the "End the session?" screen ('y' or 'n'), None: leave it to a person
    confirm_key: str | None = None
    confirm_delay_ms: float = 300.0

    def plan(self, task_obj, trial):
        key, delay_ms = self.script(trial)
        return PlannedResponse(key=key, delay_ms=delay_ms)

    def on_confirm_abort(self, onset_s: float) -> None:
        if self.confirm_key is not None:
            self.sender.press_at(self.confirm_key, onset_s + self.confirm_delay_ms / 1000.0)
