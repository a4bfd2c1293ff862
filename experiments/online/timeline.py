"""The browser's description of a session: screens and trials as plain JSON, which the page
(``static/mirrorlab-online.js``) turns into a jsPsych 8 timeline.

A trial is a list of *components* on one time axis whose zero is the target's onset, the
same timeline the PsychoPy tasks draw (``experiments.tasks.base.Component``): the Stroop word;
the picture and the distractor word at ``soa_ms`` in picture–word interference; the target
and its choices in association; the picture in continuous naming. Positions are in px from
the screen centre with y up (PsychoPy's ``units='pix'``), colours 0–255 RGB, the same
parameters (fixation, deadline, ITI, sizes) the lab session uses. Response keys are given as
browser key names (``KeyboardEvent.key``: ``"d"``, ``" "``, ``"ArrowLeft"``) with the lab
key name each stands for, so the server scores the row exactly as the lab does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from experiments.errors import ExperimentError

#: PsychoPy key name -> KeyboardEvent.key
BROWSER_KEYS = {"space": " ", "left": "ArrowLeft", "right": "ArrowRight", "up": "ArrowUp",
                "down": "ArrowDown", "return": "Enter"}


def browser_key(psychopy_key: str) -> str:
    return BROWSER_KEYS.get(psychopy_key, psychopy_key)


def _text(text: str, rgb, height_px: float, x_px: float = 0.0, y_px: float = 0.0,
          bold: bool = False) -> dict[str, Any]:
    return {"kind": "text", "text": str(text), "rgb": [int(v) for v in rgb],
            "height_px": float(height_px), "x_px": float(x_px), "y_px": float(y_px),
            "bold": bool(bold)}


def _image(src: str, size_px: float, x_px: float = 0.0, y_px: float = 0.0) -> dict[str, Any]:
    return {"kind": "image", "src": src, "size_px": float(size_px), "x_px": float(x_px),
            "y_px": float(y_px)}


def _component(name, items, start_ms, end_ms, is_target=False) -> dict[str, Any]:
    return {"name": name, "items": items, "start_ms": float(start_ms),
            "end_ms": None if end_ms is None else float(end_ms), "is_target": bool(is_target)}


def trial_components(task, trial: Mapping[str, Any], picture_url: Callable[[str], str]
                     ) -> list[dict[str, Any]]:
    """The components of one trial for ``task`` (an ``experiments.tasks.Task`` instance)."""
    params = task.params
    duration = params["stimulus_duration_ms"]
    name = task.name
    if name == "stroop":
        word = _text(trial["word"], task.ink_rgb(str(trial["ink"])), params["text_height_px"],
                     bold=True)
        return [_component("word", [word], 0.0, duration, is_target=True)]
    if name == "picture-word":
        picture = [_image(picture_url("picture"), params["picture_size_px"])]
        word = [_text(trial["distractor"], params["word_colour_rgb"], params["text_height_px"],
                      bold=True)]
        soa_ms = float(trial["soa_ms"])
        if trial.get("instruction") == "word_reading":
            return [_component("picture", picture, -soa_ms, duration),
                    _component("word", word, 0.0, duration, is_target=True)]
        return [_component("picture", picture, 0.0, duration, is_target=True),
                _component("word", word, soa_ms, duration)]
    if name == "continuous-naming":
        picture = [_image(picture_url("picture"), params["picture_size_px"])]
        return [_component("picture", picture, 0.0, duration, is_target=True)]
    if name == "association":
        from experiments.tasks.association import ARROW_LABELS, _as_list

        choices = _as_list(trial.get("choices"))
        if len(choices) not in (2, 4):
            raise ExperimentError(f"association trial {trial.get('trial_index')}: needs 2 or 4 "
                                  f"choices, got {len(choices)}")
        choice_pictures = _as_list(trial.get("choice_picture_files"))
        target_picture = trial.get("target_picture_file") or None
        if isinstance(target_picture, float):
            target_picture = None
        target_pos, choice_pos = task.positions(len(choices))
        fg = params["foreground_rgb"]
        size, height = params["picture_size_px"], params["text_height_px"]

        def stim(text, picture, which, pos):
            if picture:
                return _image(picture_url(which), size, *pos)
            return _text(text, fg, height, *pos)

        items = [stim(trial["target"], target_picture, "target", target_pos)]
        for index, (choice, pos, key) in enumerate(zip(choices, choice_pos,
                                                       task.keys_for(len(choices)))):
            picture = choice_pictures[index] if index < len(choice_pictures) else None
            items.append(stim(choice, picture, f"choice-{index}", pos))
            items.append(_text(ARROW_LABELS.get(key, key), fg, height * 0.6, pos[0],
                               pos[1] - size * 0.6))
        return [_component("display", items, 0.0, duration, is_target=True)]
    raise ExperimentError(f"task {name}: no browser timeline")


def picture_paths(task_name: str, trial: Mapping[str, Any]) -> dict[str, str]:
    """Which picture files a trial shows, by the name the page asks for them with."""
    paths: dict[str, str] = {}
    if task_name in ("picture-word", "continuous-naming") and trial.get("picture_file"):
        paths["picture"] = str(trial["picture_file"])
    if task_name == "association":
        from experiments.tasks.association import _as_list

        target = trial.get("target_picture_file")
        if target and not isinstance(target, float):
            paths["target"] = str(target)
        for index, path in enumerate(_as_list(trial.get("choice_picture_files"))):
            if path:
                paths[f"choice-{index}"] = str(path)
    return paths


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
    legend = task.key_legend()
    attribution = getattr(opened.stimulus_set, "attribution", "") or ""
    params = opened.params
    trials = []
    for record in opened.to_run:
        keys = {browser_key(k): k for k in task.response_key_map(record)}
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
        "resumed": opened.resumed,
        "params": {"fixation_ms": params["fixation_ms"], "iti_ms": params["iti_ms"],
                   "feedback_ms": params["feedback_ms"],
                   "response_deadline_ms": params["response_deadline_ms"],
                   "end_on_response": bool(params["end_on_response"]),
                   "background_rgb": [int(v) for v in params["background_rgb"]],
                   "foreground_rgb": [int(v) for v in params["foreground_rgb"]],
                   "fixation_height_px": 48.0 if opened.task != "stroop"
                   else float(params["text_height_px"])},
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
