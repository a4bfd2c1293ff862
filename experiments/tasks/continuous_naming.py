"""Continuous picture naming (Howard, Nickels, Coltheart & Cole-Virtue 2006): pictures of
several categories intermixed with fillers, each named once; naming slows with each earlier
member of the same category (cumulative semantic interference). The trial list comes from the
stimulus set's sequence generator with ``ordinal_position`` (1–5) and ``lag`` (2/4/6/8), which
are stored with every trial. Keyboard responses use the naming proxy."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from experiments.errors import ExperimentError
from experiments.parameters import Parameter
from experiments.tasks.base import Component, PreparedTrial, Task
from experiments.tasks.naming_proxy import naming_key_map, score_naming


class ContinuousNamingTask(Task):
    name = "continuous-naming"
    title = "Continuous naming"
    instructions_supported = ("picture_naming",)
    #: What the participant reads first, per instruction and language ({keys}: the key legend).
    instruction_texts = {
        "picture_naming": {
            "en": "Picture naming\n\nPictures appear one after another. Name each picture aloud as "
                  "fast and as accurately as you can.\n\n{keys}",
            "ja": "絵の命名\n\n絵が次々に表示されます。それぞれの絵の名前を、"
                  "できるだけ速く正確に声に出して言ってください。\n\n{keys}",
        },
    }
    required_columns = ("picture", "picture_file")
    own_parameters = (
        Parameter("fixation_ms", float, 500.0, "fixation cross before each picture", "ms",
                  "our choice (Howard et al. 2006 timing not recovered here)", minimum=0),
        Parameter("stimulus_duration_ms", float, 2000.0, "picture stays until the response or "
                  "this long", "ms", minimum=1),
        Parameter("response_deadline_ms", float, 2000.0, "answers after this are too slow",
                  "ms", minimum=1),
        Parameter("iti_ms", float, 1000.0, "blank between pictures", "ms", minimum=0),
        Parameter("picture_size_px", float, 300.0, "picture width and height", "px", minimum=16),
    )

    def setup(self, win) -> None:
        from psychopy import visual

        self.fixation = visual.TextStim(win, "+", height=48, units="pix", font=self.font(),
                                        color=self.rgb(self.params["foreground_rgb"]),
                                        colorSpace="rgb")
        size = self.params["picture_size_px"]
        self.picture_stim = visual.ImageStim(win, image=None, size=(size, size), units="pix")

    def response_key_map(self, trial):
        return naming_key_map()

    def prepare(self, win, trial: Mapping[str, Any]) -> PreparedTrial:
        picture_file = str(trial["picture_file"])
        if not Path(picture_file).is_file():
            raise ExperimentError(f"continuous-naming trial {trial.get('trial_index')}: picture "
                                  f"file {picture_file} not found")
        self.picture_stim.image = picture_file
        picture = Component("picture", [self.picture_stim], 0.0,
                            self.params["stimulus_duration_ms"], is_target=True)
        keys = naming_key_map() if self.response_mode == "keyboard" else {}
        return PreparedTrial([picture], keys)

    def score(self, trial, response):
        return score_naming(response)

    def key_for(self, trial, correct, rng):
        return "space" if correct else None

    def key_legend(self, trial_list=None) -> str:
        return {"ja": "名前を言い始めたらスペースキー", "en": "SPACE = you start saying the name"}[
            "ja" if self.language == "ja" else "en"]

    def browser_components(self, trial, picture_url):
        from experiments.browser import component, image_item

        picture = [image_item(picture_url("picture"), self.params["picture_size_px"])]
        return [component("picture", picture, 0.0, self.params["stimulus_duration_ms"],
                          is_target=True)]

    @classmethod
    def browser_picture_paths(cls, trial):
        return {"picture": str(trial["picture_file"])} if trial.get("picture_file") else {}
