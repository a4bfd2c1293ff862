"""What a task is: declared parameters, instruction texts, and how one trial is drawn and
answered. The session runner (``experiments.runner``) owns everything else.

A trial is described as a *timeline* of ``Component``s on one time axis whose zero is the
onset of the task-relevant stimulus (the *target*): the Stroop word, the picture in picture
naming, the word in word reading. A component has a start and an end in ms on that axis
(negative = before the target, e.g. a distractor word at SOA −200 ms in picture naming).
Responses are timed from the target's measured onset.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from experiments.parameters import Parameter

#: Parameters every task has. Defaults follow the classic studies cited in each task; a task
#: overrides a default by declaring a parameter of the same name.
COMMON_PARAMETERS: tuple[Parameter, ...] = (
    Parameter("fixation_ms", float, 500.0, "fixation cross before the first stimulus", "ms",
              "our choice (a common lab default)",
              minimum=0),
    Parameter("stimulus_duration_ms", float, 2000.0,
              "how long the stimulus stays up (it also goes when the response comes)", "ms",
              minimum=1),
    Parameter("response_deadline_ms", float, 2000.0,
              "responses later than this after target onset count as too slow", "ms", minimum=1),
    Parameter("iti_ms", float, 1000.0,
              "blank inter-trial interval; the trial is stored during it", "ms", minimum=0),
    Parameter("feedback_ms", float, 800.0, "practice feedback duration", "ms", minimum=0),
    Parameter("end_on_response", bool, True,
              "keyboard: end the trial at the response (voice trials always record to the "
              "deadline)"),
    Parameter("text_height_px", float, 48.0, "height of stimulus words", "px", minimum=4),
    Parameter("background_rgb", tuple, (128, 128, 128), "screen colour (0–255 RGB)"),
    Parameter("foreground_rgb", tuple, (255, 255, 255), "text colour of instructions"),
)


@dataclass
class Component:
    """Something drawn during a trial, from ``start_ms`` to ``end_ms`` on the target axis.

    ``end_ms=None`` means until the response / deadline. ``hide_on_response`` takes it off
    the screen as soon as a response arrives.
    """

    name: str
    stims: list[Any]
    start_ms: float = 0.0
    end_ms: float | None = None
    is_target: bool = False
    hide_on_response: bool = True

    def draw(self) -> None:
        for stim in self.stims:
            stim.draw()


@dataclass
class PreparedTrial:
    """A trial ready to run: its components and how its responses are read."""

    components: list[Component]
    #: psychopy key name -> the response it stands for (e.g. 'd' -> 'red')
    response_keys: Mapping[str, str]
    extras: dict[str, Any] = field(default_factory=dict)


class Task:
    """Base class of the four tasks. Subclasses set the class attributes and implement
    ``prepare``; the defaults of the other hooks fit key-press tasks."""

    name: str = ""
    title: str = ""
    #: Task-specific parameters; ``parameters()`` merges them over ``COMMON_PARAMETERS``.
    own_parameters: tuple[Parameter, ...] = ()
    #: Columns of the trial list this task needs besides the shared ones.
    required_columns: tuple[str, ...] = ()
    #: The instruction the response keys stand for ('colour_naming', ...)
    instructions_supported: tuple[str, ...] = ()
    #: instruction -> {language: text with {keys}} (what the participant reads first)
    instruction_texts: Mapping[str, Mapping[str, str]] = {}

    @classmethod
    def parameters(cls) -> tuple[Parameter, ...]:
        own = {parameter.name: parameter for parameter in cls.own_parameters}
        merged = [own.pop(p.name, p) for p in COMMON_PARAMETERS]
        return (*merged, *own.values())

    @classmethod
    def check_trials(cls, trials: list[Mapping[str, Any]], params: Mapping[str, Any],
                     where: str) -> None:
        """Refuse (ExperimentError) a trial list this task cannot run with ``params``;
        called before the session is created."""

    def __init__(self, params: Mapping[str, Any], *, language: str = "en",
                 stimulus_set: Any = None, response_mode: str = "keyboard"):
        self.params = dict(params)
        self.language = language
        self.stimulus_set = stimulus_set
        self.response_mode = response_mode

    # ---------------------------------------------------------------- hooks
    def setup(self, win) -> None:
        """Create the stimuli reused across trials (called once the window exists). The
        runner draws ``self.fixation`` (a stimulus this method creates) before each trial."""

    def prepare(self, win, trial: Mapping[str, Any]) -> PreparedTrial:  # pragma: no cover
        raise NotImplementedError

    def key_legend(self, trial_list=None) -> str:
        """One line of text that reminds the participant of the keys (for instructions)."""
        return ""

    def score(self, trial: Mapping[str, Any], response: str | None) -> bool | None:
        """Whether ``response`` is correct; None where a key cannot tell (naming proxies)."""
        if response is None:
            return False
        expected = trial.get("expected_response")
        if expected is None or expected == "":
            return None
        return str(response) == str(expected)

    def key_for(self, trial: Mapping[str, Any], correct: bool, rng) -> str | None:
        """The key a simulated participant presses to answer correctly (or wrongly);
        None = no key (an omission)."""
        keys = self.response_key_map(trial)
        expected = str(trial.get("expected_response", ""))
        right = [k for k, v in keys.items() if v == expected]
        wrong = [k for k, v in keys.items() if v != expected]
        if correct and right:
            return right[0]
        if not correct and wrong:
            return wrong[int(rng.integers(len(wrong)))]
        return right[0] if right else None

    def response_key_map(self, trial: Mapping[str, Any]) -> dict[str, str]:
        raise NotImplementedError

    def measured_extras(self, trial: Mapping[str, Any], onsets_s: Mapping[str, float]) -> dict:
        """Task-specific timing to store with the trial (e.g. the measured SOA)."""
        return {}

    # ------------------------------------------------------------------ the browser (online)
    def browser_components(self, trial: Mapping[str, Any], picture_url) -> list[dict[str, Any]]:
        """The trial as the browser draws it (``experiments.browser`` components on the same
        time axis as ``prepare``); ``picture_url(name)`` is the address of a picture that
        ``browser_picture_paths`` names. A task without one cannot run online."""
        from experiments.errors import ExperimentError

        raise ExperimentError(f"task {self.name}: no browser timeline")

    @classmethod
    def browser_picture_paths(cls, trial: Mapping[str, Any]) -> dict[str, str]:
        """Which picture files a trial shows online, by the name the page asks for them with."""
        return {}

    def browser_fixation_height_px(self) -> float:
        return 48.0

    def rgb(self, values) -> tuple[float, float, float]:
        """0–255 RGB into PsychoPy's −1…1 'rgb' space."""
        r, g, b = (float(v) for v in values)
        return (r / 127.5 - 1.0, g / 127.5 - 1.0, b / 127.5 - 1.0)

    def font(self) -> str:
        """A font that has the glyphs of the session's language."""
        return "Noto Sans CJK JP" if self.language == "ja" else "DejaVu Sans"
