"""Simulated and scripted participants: they answer through the real PsychoPy loop by sending
real key events (XTEST) at times drawn or given relative to the *measured* stimulus onset.

The simulated participant's generative model (documented in docs/experiments.md):

* RT in ms is ex-Gaussian: ``Normal(mu, sigma) + Exponential(tau)``; its mean is
  ``mu + tau``. The mean of a trial is a task baseline plus a condition effect taken from the
  classic studies, declared by the task's card (``TaskCard.simulated_mean_ms``, which reads
  the published tables of ``stimuli.published``); ``effect_scale`` scales the effects.
* With probability ``error_rate(condition)`` the answer is wrong: another response key for
  choice tasks (Stroop, association), no key at all (an omission) for the naming proxies.
* Every draw comes from ``numpy.random.default_rng([seed, trial_index, is_practice])``, so a
  resumed session draws the same numbers for the same trials: same seed, same session.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

# --------------------------------------------------------------------------- the model
# The condition means come from each task's card (``stimuli.tasks``): ``simulated_mean_ms``
# reads the task's published targets (``stimuli.published``) — Dunbar & MacLeod (1984),
# Glaser & Düngelhoff (1984), Howard et al. (2006) — and the card's documented choices where
# nothing is published (association; the Stroop colour-naming means of Pratte et al. 2010).


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


def condition_mean_ms(task: str, trial: Mapping[str, Any], profile: SimulationProfile) -> float:
    """Mean RT (ms) of the simulated participant for one trial: the task card's baseline +
    scaled effect (``TaskCard.simulated_mean_ms``), shifted by the profile."""
    from stimuli.tasks import task_card

    return task_card(task).simulated_mean_ms(trial, profile.effect_scale) + profile.mean_shift_ms


def error_rate(task: str, trial: Mapping[str, Any], profile: SimulationProfile) -> float:
    """The conflict error rate on the card's conflict trials, the baseline rate elsewhere."""
    from stimuli.tasks import task_card

    if task_card(task).conflict_trial(trial):
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
