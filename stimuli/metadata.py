"""Reading and checking ``set.toml``, the metadata of a stimulus set.

Required keys: ``name``, ``task``, ``language``. Optional: ``title``, ``description``,
``licence``, ``attribution``, ``source`` (where the items come from), ``[design]`` (task
options such as ``soas_ms``; unknown options are refused so a typo never passes silently),
and for Stroop ``[colours]`` (colour key -> ``[r, g, b]``, 0–255), ``neutral_ink_rgb``,
``background_rgb``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from stimuli.csvfile import decode_utf8
from stimuli.errors import StimulusError
from stimuli.tasks.card import LANGUAGES

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
#: Every whole number of a [design] table is at most this (trials per condition, repetitions,
#: sizes in px…), so a typo such as 100000000 is refused before a trial list is built.
MAX_DESIGN_NUMBER = 10_000
MAX_DESIGN_LIST = 50
KNOWN_KEYS = {"name", "task", "language", "title", "description", "licence", "license",
              "attribution", "source", "design", "colours", "colour_words", "neutral_ink_rgb",
              "background_rgb", "version"}


def read_set_toml(path: Path) -> dict[str, Any]:
    """Parse and validate ``set.toml``; return the metadata with design defaults filled in."""
    text = decode_utf8(path.read_bytes(), path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = re.search(r"line (\d+)", message)
        raise StimulusError(f"not valid TOML ({message.split('(')[0].strip()})", path=path,
                            line=int(match.group(1)) if match else None) from None
    return check_metadata(data, path)


def check_metadata(data: dict[str, Any], path: Path) -> dict[str, Any]:
    for key in data:
        if key not in KNOWN_KEYS:
            raise StimulusError("unknown key", path=path, column=key,
                                expected=f"one of {', '.join(sorted(KNOWN_KEYS))}")
    for key in ("name", "task", "language"):
        if key not in data:
            raise StimulusError("missing key", path=path, column=key,
                                expected="name, task and language")
        if not isinstance(data[key], str):
            raise StimulusError("must be a string", path=path, column=key, value=data[key])
    if not NAME_PATTERN.match(data["name"]):
        raise StimulusError("bad set name", path=path, column="name", value=data["name"],
                            expected="lower-case letters, digits, '-', '_' or '.'")
    from stimuli.tasks import TASKS

    if data["task"] not in TASKS:
        raise StimulusError("unknown task", path=path, column="task", value=data["task"],
                            expected=f"one of {', '.join(TASKS)}")
    if data["language"] not in LANGUAGES:
        raise StimulusError("unknown language", path=path, column="language",
                            value=data["language"], expected=f"one of {', '.join(LANGUAGES)}")
    if "license" in data and "licence" not in data:
        data["licence"] = data.pop("license")
    data["design"] = check_design(data.get("design", {}), data["task"], path)
    check_task_keys = TASKS[data["task"]].check_metadata
    if check_task_keys is not None:
        check_task_keys(data, path)
    return data


def check_design(design: Any, task: str, path: Path) -> dict[str, Any]:
    from stimuli.tasks import task_card

    defaults = task_card(task).design_defaults
    if not isinstance(design, dict):
        raise StimulusError("[design] must be a table", path=path, column="design")
    merged = dict(defaults)
    for key, value in design.items():
        if key not in defaults:
            raise StimulusError(f"unknown design option for task {task}", path=path,
                                column=f"design.{key}",
                                expected=f"one of {', '.join(defaults) or '(none)'}")
        default = defaults[key]
        if isinstance(default, list):
            if not (isinstance(value, list) and value
                    and all(isinstance(v, int) and not isinstance(v, bool) for v in value)):
                raise StimulusError("must be a non-empty list of integers", path=path,
                                    column=f"design.{key}", value=value)
            if len(value) > MAX_DESIGN_LIST or any(abs(v) > MAX_DESIGN_NUMBER for v in value):
                raise StimulusError(f"at most {MAX_DESIGN_LIST} values, each within "
                                    f"±{MAX_DESIGN_NUMBER:,}", path=path,
                                    column=f"design.{key}", value=value)
        elif isinstance(default, bool):
            if not isinstance(value, bool):
                raise StimulusError("must be true or false", path=path, column=f"design.{key}",
                                    value=value)
        elif isinstance(default, int):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise StimulusError("must be a whole number ≥ 0", path=path,
                                    column=f"design.{key}", value=value)
            if value > MAX_DESIGN_NUMBER:       # refused before any trial list is built
                raise StimulusError(f"too large (at most {MAX_DESIGN_NUMBER:,})", path=path,
                                    column=f"design.{key}", value=value)
        merged[key] = value
    if "soas_ms" in merged and len(set(merged["soas_ms"])) != len(merged["soas_ms"]):
        raise StimulusError("SOA listed twice", path=path, column="design.soas_ms",
                            value=merged["soas_ms"])
    if "lags" in merged and any(lag < 1 for lag in merged["lags"]):
        raise StimulusError("lags must be ≥ 1 intervening trial", path=path,
                            column="design.lags", value=merged["lags"])
    return merged


def _check_rgb(value: Any, path: Path, column: str) -> None:
    if not (isinstance(value, list) and len(value) == 3
            and all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 255
                    for v in value)):
        raise StimulusError("bad colour", path=path, column=column, value=value,
                            expected="[r, g, b] with integers 0–255")


def check_colours(data: dict[str, Any], path: Path) -> None:
    colours = data.get("colours")
    if not isinstance(colours, dict) or len(colours) < 2:
        raise StimulusError("a Stroop set needs a [colours] table", path=path, column="colours",
                            expected="at least two colour keys, e.g. red = [255, 0, 0]")
    for key, rgb in colours.items():
        if not NAME_PATTERN.match(key):
            raise StimulusError("bad colour key", path=path, column="colours", value=key,
                                expected="lower-case letters such as red")
        _check_rgb(rgb, path, f"colours.{key}")
    data.setdefault("neutral_ink_rgb", [255, 255, 255])
    data.setdefault("background_rgb", [0, 0, 0])
    _check_rgb(data["neutral_ink_rgb"], path, "neutral_ink_rgb")
    _check_rgb(data["background_rgb"], path, "background_rgb")
    words = data.get("colour_words", {})
    if not isinstance(words, dict) or any(key not in colours for key in words):
        raise StimulusError("[colour_words] keys must be colour keys of [colours]", path=path,
                            column="colour_words", expected=", ".join(colours))
