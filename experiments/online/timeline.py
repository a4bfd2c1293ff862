"""The browser's description of a session: screens and trials as plain JSON, which the page
(``static/mirrorlab-online.js``) turns into a jsPsych 8 timeline.

A trial is a list of *components* on one time axis whose zero is the target's onset, the
same timeline the PsychoPy tasks draw (``experiments.tasks.base.Component``): the Stroop word;
the picture and the distractor word at ``soa_ms`` in picture–word interference; the target
and its choices in association; the picture in continuous naming. Positions are in px from
the screen centre with y up (PsychoPy's ``units='pix'``), colours 0–255 RGB, the same
parameters (fixation, deadline, ITI, sizes) the lab session uses. Response keys are given as
browser key names (``KeyboardEvent.key``: ``"d"``, ``" "``, ``"ArrowLeft"``) with the lab
key name each stands for, so the server scores the row exactly as the lab does. A voice
session (``response_mode='voice'``) takes no keys: each trial runs to the response deadline
while the page records it, and the instructions say to answer aloud, as in the lab.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


#: PsychoPy key name -> KeyboardEvent.key
BROWSER_KEYS = {"space": " ", "left": "ArrowLeft", "right": "ArrowRight", "up": "ArrowUp",
                "down": "ArrowDown", "return": "Enter"}


def browser_key(psychopy_key: str) -> str:
    return BROWSER_KEYS.get(psychopy_key, psychopy_key)


def trial_components(task, trial: Mapping[str, Any], picture_url: Callable[[str], str]
                     ) -> list[dict[str, Any]]:
    """The components of one trial for ``task`` (an ``experiments.tasks.Task`` instance): each
    presentation class draws its own trials in the browser (``browser_components``)."""
    return task.browser_components(trial, picture_url)


def picture_paths(task, trial: Mapping[str, Any]) -> dict[str, str]:
    """Which picture files a trial shows, by the name the page asks for them with (``task``:
    a presentation class or instance)."""
    return task.browser_picture_paths(trial)


def session_timeline(opened, picture_url_for: Callable[[Mapping[str, Any], str], str]
                     ) -> dict[str, Any]:
    """Everything the page needs to run what is left of ``opened``
    (an ``experiments.online.session_adapter.OpenSession``)."""
    from experiments.instructions import instruction_text, screen_text
    from experiments.tasks import task_class

    task = task_class(opened.task)(opened.params, language=opened.language,
                                   stimulus_set=opened.stimulus_set)
    lang = opened.language
    instruction = opened.instruction or task.instructions_supported[0]
    voice = opened.response_mode == "voice"
    if voice:
        from experiments.instructions import VOICE_LEGEND

        legend = VOICE_LEGEND.get(opened.language, VOICE_LEGEND["en"])
    else:
        legend = task.key_legend()
    attribution = getattr(opened.stimulus_set, "attribution", "") or ""
    params = opened.params
    trials = []
    for record in opened.to_run:
        keys = {} if voice else {browser_key(k): k for k in task.response_key_map(record)}
        trials.append({
            "trial_index": int(record["trial_index"]),
            "is_practice": bool(record.get("is_practice")),
            "block": int(record.get("block") or 0),
            "components": trial_components(task, record,
                                           lambda which, r=record: picture_url_for(r, which)),
            "keys": keys,
        })
    n_main_total = sum(1 for r in opened.trials if not r.get("is_practice"))
    n_main_done = n_main_total - sum(1 for r in opened.to_run if not r.get("is_practice"))
    intro = instruction_text(opened.task, instruction, lang, legend)
    if opened.resumed:
        intro = screen_text("resume", lang) + "\n\n" + intro
    else:
        intro = intro + "\n\n" + screen_text("continue", lang)
    return {
        "task": opened.task, "language": lang, "instruction": instruction,
        "resumed": opened.resumed, "response_mode": opened.response_mode,
        "params": {"fixation_ms": params["fixation_ms"], "iti_ms": params["iti_ms"],
                   "feedback_ms": params["feedback_ms"],
                   "response_deadline_ms": params["response_deadline_ms"],
                   "end_on_response": bool(params["end_on_response"]) and not voice,
                   "background_rgb": [int(v) for v in params["background_rgb"]],
                   "foreground_rgb": [int(v) for v in params["foreground_rgb"]],
                   "fixation_height_px": task.browser_fixation_height_px()},
        "font": "Noto Sans CJK JP, sans-serif" if lang == "ja" else "DejaVu Sans, sans-serif",
        "attribution": attribution,
        "n_main_total": n_main_total, "n_main_done": n_main_done,
        "n_blocks": len({int(r.get("block") or 1) for r in opened.trials
                         if not r.get("is_practice")}),
        "screens": {name: screen_text(name, lang, done="{done}", total="{total}",
                                      percent="{percent}")
                    for name in ("continue", "practice", "practice_done", "break", "end",
                                 "correct", "error", "too_slow")},
        "intro": intro,
        "trials": trials,
    }
