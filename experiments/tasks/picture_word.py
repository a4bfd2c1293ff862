"""Picture–word interference (Glaser & Düngelhoff 1984): a line drawing with a distractor word
printed inside it; name the picture (picture naming) or read the word (word reading).

The distractor appears at picture onset + ``soa_ms`` (negative = the word comes first), SOAs
−400…+400 ms in the classic design. Both stay until the response or ``stimulus_duration_ms``
after the target. The target (what is timed) is the picture in picture naming and the word in
word reading; the measured SOA (word onset − picture onset, from the two flips) is stored.
Keyboard responses use the naming proxy of ``experiments.tasks.naming_proxy``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from experiments.errors import ExperimentError
from experiments.parameters import Parameter
from experiments.tasks.base import Component, PreparedTrial, Task
from experiments.tasks.naming_proxy import naming_key_map, score_naming


class PictureWordTask(Task):
    name = "picture-word"
    title = "Picture–word interference"
    instructions_supported = ("picture_naming", "word_reading")
    #: What the participant reads first, per instruction and language ({keys}: the key legend).
    instruction_texts = {
        "picture_naming": {
            "en": "Picture naming\n\nA picture appears with a word printed on it. Ignore the word and "
                  "NAME THE PICTURE aloud as fast as you can.\n\n{keys}",
            "ja": "絵の命名\n\n単語が書かれた絵が表示されます。単語は無視して、"
                  "できるだけ速く絵の名前を声に出して言ってください。\n\n{keys}",
        },
        "word_reading": {
            "en": "Word reading\n\nA picture appears with a word printed on it. Ignore the picture "
                  "and READ THE WORD aloud as fast as you can.\n\n{keys}",
            "ja": "単語音読\n\n単語が書かれた絵が表示されます。絵は無視して、"
                  "できるだけ速く単語を声に出して読んでください。\n\n{keys}",
        },
    }
    required_columns = ("picture", "picture_file", "distractor", "soa_ms")
    own_parameters = (
        Parameter("fixation_ms", float, 500.0, "fixation cross before the first stimulus", "ms",
                  "our choice (Glaser & Düngelhoff 1984 used a warning signal; duration not "
                  "recovered here)", minimum=0),
        Parameter("stimulus_duration_ms", float, 2000.0,
                  "picture and word stay until the response or this long after the target",
                  "ms", minimum=1),
        Parameter("response_deadline_ms", float, 2000.0, "answers after this are too slow",
                  "ms", minimum=1),
        Parameter("iti_ms", float, 1500.0, "blank between trials", "ms",
                  "our choice", minimum=0),
        Parameter("picture_size_px", float, 300.0, "picture width and height", "px", minimum=16),
        Parameter("text_height_px", float, 36.0, "height of the distractor word", "px",
                  minimum=4),
        Parameter("word_colour_rgb", tuple, (200, 0, 0),
                  "distractor colour, so it stands out inside the black line drawing"),
    )

    def setup(self, win) -> None:
        from psychopy import visual

        fg = self.rgb(self.params["foreground_rgb"])
        self.fixation = visual.TextStim(win, "+", height=48, color=fg, colorSpace="rgb",
                                        units="pix", font=self.font())
        size = self.params["picture_size_px"]
        self.picture_stim = visual.ImageStim(win, image=None, size=(size, size), units="pix")
        self.word_stim = visual.TextStim(win, "", height=self.params["text_height_px"],
                                         color=self.rgb(self.params["word_colour_rgb"]),
                                         colorSpace="rgb", units="pix", font=self.font(),
                                         bold=True)

    def response_key_map(self, trial: Mapping[str, Any]) -> dict[str, str]:
        return naming_key_map()

    def prepare(self, win, trial: Mapping[str, Any]) -> PreparedTrial:
        picture_file = str(trial["picture_file"])
        if not Path(picture_file).is_file():
            raise ExperimentError(f"picture-word trial {trial.get('trial_index')}: picture file "
                                  f"{picture_file} not found")
        self.picture_stim.image = picture_file
        self.word_stim.text = str(trial["distractor"])
        soa_ms = float(trial["soa_ms"])
        end_ms = self.params["stimulus_duration_ms"]
        if trial.get("instruction") == "word_reading":
            picture = Component("picture", [self.picture_stim], -soa_ms, end_ms)
            word = Component("word", [self.word_stim], 0.0, end_ms, is_target=True)
        else:
            picture = Component("picture", [self.picture_stim], 0.0, end_ms, is_target=True)
            word = Component("word", [self.word_stim], soa_ms, end_ms)
        keys = naming_key_map() if self.response_mode == "keyboard" else {}
        return PreparedTrial([picture, word], keys)

    def score(self, trial, response):
        return score_naming(response)

    def key_for(self, trial, correct, rng):
        return "space" if correct else None

    def measured_extras(self, trial, onsets_s):
        picture, word = onsets_s.get("picture"), onsets_s.get("word")
        extras = {"picture_onset_s": picture, "word_onset_s": word}
        if picture is not None and word is not None:
            extras["measured_soa_ms"] = (word - picture) * 1000.0
        return extras

    def key_legend(self, trial_list=None) -> str:
        return {"ja": "名前を言い始めたらスペースキー", "en": "SPACE = you start saying the name"}[
            "ja" if self.language == "ja" else "en"]

    def browser_components(self, trial, picture_url):
        from experiments.browser import component, image_item, text_item

        params, duration = self.params, self.params["stimulus_duration_ms"]
        picture = [image_item(picture_url("picture"), params["picture_size_px"])]
        word = [text_item(trial["distractor"], params["word_colour_rgb"], params["text_height_px"],
                          bold=True)]
        soa_ms = float(trial["soa_ms"])
        if trial.get("instruction") == "word_reading":
            return [component("picture", picture, -soa_ms, duration),
                    component("word", word, 0.0, duration, is_target=True)]
        return [component("picture", picture, 0.0, duration, is_target=True),
                component("word", word, soa_ms, duration)]

    @classmethod
    def browser_picture_paths(cls, trial):
        return {"picture": str(trial["picture_file"])} if trial.get("picture_file") else {}
