"""Stroop (Stroop 1935; MacLeod 1991): a colour word in an ink colour; name the ink (colour
naming) or read the word (word reading) by pressing the key of that colour.

Keys: one key per colour, ``key_map`` (default red→d, green→f, blue→j, yellow→k: two fingers
of each hand on the home row, as in many key-press Stroop studies, e.g. Pratte et al. 2010
used one key per colour). With voice responses the participant says the colour aloud.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from experiments.errors import ExperimentError
from experiments.parameters import Parameter
from experiments.tasks.base import Component, PreparedTrial, Task

#: Ink colours (0–255 RGB) used when the stimulus set gives none; chosen to be distinct on a
#: grey background (the stimulus set's ``colour_rgb`` wins when a set is loaded).
DEFAULT_INK_RGB = {"red": (220, 30, 30), "green": (20, 170, 40), "blue": (40, 90, 255),
                   "yellow": (235, 215, 0)}
NEUTRAL_INK_RGB = (230, 230, 230)
COLOUR_NAMES = {
    "en": {"red": "red", "green": "green", "blue": "blue", "yellow": "yellow"},
    "ja": {"red": "赤", "green": "緑", "blue": "青", "yellow": "黄"},
}


class StroopTask(Task):
    name = "stroop"
    title = "Stroop"
    instructions_supported = ("colour_naming", "word_reading")
    #: What the participant reads first, per instruction and language ({keys}: the key legend).
    instruction_texts = {
        "colour_naming": {
            "en": "Colour naming\n\nA word appears in coloured ink. Ignore what the word says and "
                  "press the key for the COLOUR OF THE INK, as fast and as accurately as you can.\n\n"
                  "{keys}",
            "ja": "色名呼称\n\n色のついた文字で単語が表示されます。単語の意味は無視して、"
                  "文字の「インクの色」に対応するキーをできるだけ速く正確に押してください。\n\n{keys}",
        },
        "word_reading": {
            "en": "Word reading\n\nA word appears in coloured ink. Ignore the ink and press the key "
                  "for the colour the WORD NAMES, as fast and as accurately as you can.\n\n{keys}",
            "ja": "単語音読\n\n色のついた文字で単語が表示されます。インクの色は無視して、"
                  "単語が表す色に対応するキーをできるだけ速く正確に押してください。\n\n{keys}",
        },
    }
    required_columns = ("word", "ink")
    own_parameters = (
        Parameter("key_map", dict, {"red": "d", "green": "f", "blue": "j", "yellow": "k"},
                  "colour → key (command line: red:d,green:f,blue:j,yellow:k)"),
        Parameter("fixation_ms", float, 500.0, "fixation cross before the word", "ms",
                  "our choice (a common Stroop fixation; not from one study)", minimum=0),
        Parameter("stimulus_duration_ms", float, 2000.0,
                  "the word stays until the response or this long", "ms",
                  "until-response presentation (our choice)", minimum=1),
        Parameter("response_deadline_ms", float, 2000.0, "answers after this are too slow",
                  "ms", "our choice; key-press Stroop means are ~700–800 ms (Pratte et al. 2010)",
                  minimum=1),
        Parameter("iti_ms", float, 1000.0, "blank between trials", "ms", minimum=0),
        Parameter("text_height_px", float, 64.0, "height of the Stroop word", "px", minimum=4),
    )

    @classmethod
    def check_trials(cls, trials, params, where) -> None:
        key_map = params["key_map"]
        keys = list(key_map.values())
        if len(set(keys)) != len(keys):
            raise ExperimentError(f"{where}: key_map gives two colours the same key ({key_map})")
        if "escape" in keys or "space" in keys:
            raise ExperimentError(f"{where}: key_map may not use escape or space ({key_map})")
        needed = sorted({str(t.get("expected_response")) for t in trials} - set(key_map))
        if needed:
            raise ExperimentError(f"{where}: key_map has no key for {', '.join(needed)} "
                                  f"(it maps {', '.join(key_map)})")

    def setup(self, win) -> None:
        from psychopy import visual

        self.fixation = visual.TextStim(win, "+", height=self.params["text_height_px"],
                                        color=self.rgb(self.params["foreground_rgb"]),
                                        colorSpace="rgb", font=self.font(), units="pix")
        self.word_stim = visual.TextStim(win, "", height=self.params["text_height_px"],
                                         font=self.font(), units="pix", colorSpace="rgb",
                                         bold=True)

    def ink_rgb(self, ink: str) -> tuple[int, int, int]:
        if self.stimulus_set is not None and hasattr(self.stimulus_set, "colour_rgb"):
            try:
                return tuple(self.stimulus_set.colour_rgb(ink))
            except (KeyError, TypeError):
                pass
        return DEFAULT_INK_RGB.get(ink, NEUTRAL_INK_RGB)

    def response_key_map(self, trial: Mapping[str, Any]) -> dict[str, str]:
        return {key: colour for colour, key in self.params["key_map"].items()}

    def prepare(self, win, trial: Mapping[str, Any]) -> PreparedTrial:
        self.word_stim.text = str(trial["word"])
        self.word_stim.color = self.rgb(self.ink_rgb(str(trial["ink"])))
        duration = self.params["stimulus_duration_ms"]
        word = Component("word", [self.word_stim], 0.0, duration, is_target=True)
        keys = self.response_key_map(trial) if self.response_mode == "keyboard" else {}
        return PreparedTrial([word], keys)

    def key_legend(self, trial_list=None) -> str:
        names = COLOUR_NAMES.get(self.language, COLOUR_NAMES["en"])
        return "   ".join(f"{names.get(colour, colour)} = {key.upper()}"
                          for colour, key in self.params["key_map"].items())

    def browser_components(self, trial, picture_url):
        from experiments.browser import component, text_item

        word = text_item(trial["word"], self.ink_rgb(str(trial["ink"])),
                         self.params["text_height_px"], bold=True)
        return [component("word", [word], 0.0, self.params["stimulus_duration_ms"], is_target=True)]

    def browser_fixation_height_px(self) -> float:
        return float(self.params["text_height_px"])
