"""Semantic association in the style of the Pyramids and Palm Trees test (Howard & Patterson
1992): a target (word or picture) and 2 to 6 choices; choose the one that goes with the
target. The chosen choice and its RT are stored.

Keys: ``key_layout='digits'`` puts the choices in a row labelled 1–6 (keys 1–6; the row and
its pictures shrink to fit the window); ``'arrows'`` puts 2 choices left/right of the target,
3 left/up/right and 4 around it (up, left, right, down), answered with the arrow keys — more
than 4 choices need the digits layout (refused before the session otherwise).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from experiments.errors import ExperimentError
from experiments.parameters import Parameter
from experiments.tasks.base import Component, PreparedTrial, Task

MIN_CHOICES, MAX_CHOICES = 2, 6
DIGIT_KEYS = ("1", "2", "3", "4", "5", "6")
ARROWS_FOR_TWO = ("left", "right")
ARROWS_FOR_THREE = ("left", "up", "right")
ARROWS_FOR_FOUR = ("up", "left", "right", "down")
ARROW_KEYS = {2: ARROWS_FOR_TWO, 3: ARROWS_FOR_THREE, 4: ARROWS_FOR_FOUR}
ARROW_LABELS = {"left": "←", "right": "→", "up": "↑", "down": "↓"}


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        import json

        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = [part for part in value.split("|") if part]
        return [str(v) for v in parsed] if isinstance(parsed, list) else [str(parsed)]
    if isinstance(value, float):
        return []
    return [str(v) for v in value]


@dataclass
class DisplayLayout:
    """One association display: target and choices with their pictures, positions (px, y up),
    response keys and the choice size."""

    target: str
    target_picture: str | None
    target_pos: tuple[float, float]
    choices: list[str]
    choice_pictures: list[str | None]
    choice_pos: list[tuple[float, float]]
    keys: list[str]
    size_px: float


class AssociationTask(Task):
    name = "association"
    title = "Semantic association"
    instructions_supported = ("choose_associate",)
    #: What the participant reads first, per instruction and language ({keys}: the key legend).
    instruction_texts = {
        "choose_associate": {
            "en": "Which goes together?\n\nThe item at the top goes best with one of the items below. "
                  "Press the key under the one that goes with it.\n\n{keys}",
            "ja": "どれが関係していますか？\n\n上の項目と最もよく関係するものを下から選び、"
                  "その下に表示されたキーを押してください。\n\n{keys}",
        },
    }
    required_columns = ("target", "choices")
    own_parameters = (
        Parameter("key_layout", str, "digits", "digits: keys 1–6 left to right; arrows: arrow "
                  "keys (2–4 choices)", choices=("digits", "arrows")),
        Parameter("fixation_ms", float, 500.0, "fixation cross before the display", "ms",
                  minimum=0),
        Parameter("stimulus_duration_ms", float, 5000.0, "display stays until the choice or "
                  "this long", "ms", "PPT is self-paced; 5 s keeps sessions short", minimum=1),
        Parameter("response_deadline_ms", float, 5000.0, "choices after this are too slow",
                  "ms", minimum=1),
        Parameter("iti_ms", float, 800.0, "blank between trials", "ms", minimum=0),
        Parameter("picture_size_px", float, 200.0, "size of target and choice pictures", "px",
                  minimum=16),
        Parameter("text_height_px", float, 40.0, "height of target and choice words", "px",
                  minimum=4),
    )

    def setup(self, win) -> None:
        from psychopy import visual

        self._visual = visual
        self._half_height_px = float(win.size[1]) / 2.0
        fg = self.rgb(self.params["foreground_rgb"])
        self.fixation = visual.TextStim(win, "+", height=48, color=fg, colorSpace="rgb",
                                        units="pix", font=self.font())
        self._half_width_px = float(win.size[0]) / 2.0
        # one stimulus per choice, and the last one for the target
        self._text_pool = [visual.TextStim(win, "", height=self.params["text_height_px"],
                                           color=fg, colorSpace="rgb", units="pix",
                                           font=self.font(), wrapWidth=400)
                           for _ in range(MAX_CHOICES + 1)]
        self._label_pool = [visual.TextStim(win, "", height=self.params["text_height_px"] * 0.6,
                                            color=fg, colorSpace="rgb", units="pix",
                                            font=self.font()) for _ in range(MAX_CHOICES)]
        size = self.params["picture_size_px"]
        self._image_pool = [visual.ImageStim(win, image=None, size=(size, size), units="pix")
                            for _ in range(MAX_CHOICES + 1)]

    @classmethod
    def check_trials(cls, trials, params, where: str) -> None:
        """Every trial has 2–6 choices, at most 4 with the arrow layout."""
        most = 4 if params.get("key_layout") == "arrows" else MAX_CHOICES
        for trial in trials:
            n_choices = len(_as_list(trial.get("choices")))
            if not MIN_CHOICES <= n_choices <= most:
                layout = " with key_layout=arrows (use digits)" if n_choices <= MAX_CHOICES else ""
                raise ExperimentError(f"{where}: association trial {trial.get('trial_index')} "
                                      f"has {n_choices} choices; {MIN_CHOICES}–{most} can be "
                                      f"shown{layout}")

    def keys_for(self, n_choices: int) -> Sequence[str]:
        if self.params["key_layout"] == "arrows":
            return ARROW_KEYS[n_choices]
        return DIGIT_KEYS[:n_choices]

    def choice_size_px(self, n_choices: int) -> float:
        """The picture size of the choices: the set size, smaller when a row of
        ``n_choices`` would not fit the window's width."""
        size = self.params["picture_size_px"]
        if self.params["key_layout"] == "arrows":
            return size
        half_width = getattr(self, "_half_width_px", 512.0)
        return min(size, 0.95 * 2 * half_width / (1.25 * n_choices))

    def positions(self, n_choices: int) -> tuple[tuple[float, float], list[tuple[float, float]]]:
        """Target position and choice positions (px)."""
        size = self.params["picture_size_px"]
        if self.params["key_layout"] == "arrows" and n_choices in (3, 4):
            # keep the lowest choice and its key label inside the window
            half_height = getattr(self, "_half_height_px", 384.0)
            d = min(size * 1.3, half_height - size * 0.6 - 40.0)
            around = {"up": (0.0, d), "left": (-d * 1.6, 0.0), "right": (d * 1.6, 0.0),
                      "down": (0.0, -d)}
            return (0.0, 0.0), [around[key] for key in ARROW_KEYS[n_choices]]
        size = self.choice_size_px(n_choices)
        span = size * 1.25
        xs = [(i - (n_choices - 1) / 2.0) * span for i in range(n_choices)]
        return (0.0, size * 0.75), [(x, -size * 0.75) for x in xs]

    def response_key_map(self, trial: Mapping[str, Any]) -> dict[str, str]:
        choices = _as_list(trial.get("choices"))
        return dict(zip(self.keys_for(len(choices)), choices))

    def _stim(self, index: int, text: str, picture: str | None, pos, size_px: float | None = None):
        if picture:
            if not Path(picture).is_file():
                raise ExperimentError(f"association: picture file {picture} not found")
            stim = self._image_pool[index]
            stim.image = picture
            side = size_px or self.params["picture_size_px"]
            stim.size = (side, side)
        else:
            stim = self._text_pool[index]
            stim.text = text
        stim.pos = pos
        return stim

    def layout(self, trial: Mapping[str, Any]) -> "DisplayLayout":
        """Where the target and each choice go and which key and picture each has: one layout
        for the PsychoPy window (``prepare``) and the browser (``browser_components``)."""
        choices = _as_list(trial.get("choices"))
        if not MIN_CHOICES <= len(choices) <= MAX_CHOICES:
            raise ExperimentError(f"association trial {trial.get('trial_index')}: needs "
                                  f"{MIN_CHOICES}–{MAX_CHOICES} choices, got {len(choices)}")
        pictures = _as_list(trial.get("choice_picture_files"))
        target_picture = trial.get("target_picture_file") or None
        if isinstance(target_picture, float):
            target_picture = None
        target_pos, choice_pos = self.positions(len(choices))
        return DisplayLayout(
            target=str(trial["target"]), target_picture=target_picture, target_pos=target_pos,
            choices=choices, choice_pictures=[pictures[i] if i < len(pictures) and pictures[i]
                                              else None for i in range(len(choices))],
            choice_pos=list(choice_pos), keys=list(self.keys_for(len(choices))),
            size_px=self.choice_size_px(len(choices)))

    def prepare(self, win, trial: Mapping[str, Any]) -> PreparedTrial:
        layout = self.layout(trial)
        stims = [self._stim(MAX_CHOICES, layout.target, layout.target_picture, layout.target_pos)]
        for i, (choice, picture, pos, key) in enumerate(zip(layout.choices, layout.choice_pictures,
                                                            layout.choice_pos, layout.keys)):
            stims.append(self._stim(i, choice, picture, pos, layout.size_px))
            label = self._label_pool[i]
            label.text = ARROW_LABELS.get(key, key)
            label.pos = (pos[0], pos[1] - layout.size_px * 0.6)
            stims.append(label)
        display = Component("display", stims, 0.0, self.params["stimulus_duration_ms"],
                            is_target=True)
        return PreparedTrial([display], self.response_key_map(trial))

    def key_legend(self, trial_list=None) -> str:
        if self.params["key_layout"] == "arrows":
            return "← → ↑ ↓"
        most = max((len(_as_list(t.get("choices"))) for t in (trial_list or [])), default=4)
        return "   ".join(DIGIT_KEYS[:max(MIN_CHOICES, min(most, MAX_CHOICES))])

    def browser_components(self, trial, picture_url):
        from experiments.browser import component, image_item, text_item

        layout = self.layout(trial)
        fg, height, size = self.params["foreground_rgb"], self.params["text_height_px"], layout.size_px

        def stim(text, picture, which, pos):
            return image_item(picture_url(which), size, *pos) if picture else text_item(text, fg, height, *pos)

        items = [stim(layout.target, layout.target_picture, "target", layout.target_pos)]
        for index, (choice, picture, pos, key) in enumerate(zip(layout.choices, layout.choice_pictures,
                                                                layout.choice_pos, layout.keys)):
            items.append(stim(choice, picture, f"choice-{index}", pos))
            items.append(text_item(ARROW_LABELS.get(key, key), fg, height * 0.6, pos[0],
                                   pos[1] - size * 0.6))
        return [component("display", items, 0.0, self.params["stimulus_duration_ms"],
                          is_target=True)]

    @classmethod
    def browser_picture_paths(cls, trial):
        paths = {}
        target = trial.get("target_picture_file")
        if target and not isinstance(target, float):
            paths["target"] = str(target)
        for index, path in enumerate(_as_list(trial.get("choice_picture_files"))):
            if path:
                paths[f"choice-{index}"] = str(path)
        return paths
