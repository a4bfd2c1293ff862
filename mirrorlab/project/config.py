"""``project.toml``: what a replication project is, written once by ``project new``.

Sections: ``[project]`` (name, target), ``[task]`` (task, stimulus set and its hash, language,
instruction, task version), ``[groups]`` (participants per group), ``[analysis]`` (the
preregistered formula, the effect and the exclusions), ``[original]`` (the original effect
with its source), ``[verdict]`` (rules, α, smallest effect of interest), ``[power]`` (the
grid and seed) and ``[pilot]`` (the command of a first, simulated pilot).

The *task version* is mirrorlab's major.minor version: sessions recorded by another one may
present the task differently, so ``project merge`` refuses them.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from mirrorlab.project.errors import ProjectError

CONFIG_NAME = "project.toml"
REQUIRED_SECTIONS = ("project", "task", "groups", "analysis", "original", "verdict", "power")


def task_version(mirrorlab_version: str | None) -> str | None:
    """major.minor of a mirrorlab version string ("0.1.0" → "0.1")."""
    if not mirrorlab_version:
        return None
    return ".".join(str(mirrorlab_version).split(".")[:2])


def _value(value: Any) -> str:
    if hasattr(value, "item") and not isinstance(value, (str, list, tuple, dict)):
        value = value.item()             # numpy scalars → Python numbers
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {value!r} to TOML")


def dumps(config: dict[str, dict[str, Any]], comments: dict[str, str] | None = None) -> str:
    """TOML text of a two-level mapping (sections of scalars, lists and inline tables)."""
    lines = ["# mirrorlab replication project: written by `mirrorlab project new`.",
             "# Nothing here has to be edited before a first pilot; change [groups] or [verdict]",
             "# before data collection if your class preregisters something else.", ""]
    for section, values in config.items():
        if comments and section in comments:
            lines.append(f"# {comments[section]}")
        lines.append(f"[{section}]")
        lines.extend(f"{key} = {_value(value)}" for key, value in values.items() if value is not None)
        lines.append("")
    return "\n".join(lines)


def load(directory: Path | str) -> dict[str, Any]:
    """The project's configuration; a missing folder/file or section is one clear error."""
    path = Path(directory) / CONFIG_NAME
    if not path.is_file():
        raise ProjectError(f"{path}: no {CONFIG_NAME} here (create a project with "
                           "`mirrorlab project new DIR --replicate TARGET`)")
    try:
        config = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProjectError(f"{path}: not valid TOML ({exc})") from None
    missing = [s for s in REQUIRED_SECTIONS if s not in config]
    if missing:
        raise ProjectError(f"{path}: missing section(s) {', '.join('[' + s + ']' for s in missing)}")
    return config


def project_db_url(directory: Path | str) -> str:
    """The class database: ``project.db`` in the project folder."""
    return f"sqlite:///{(Path(directory) / 'project.db').resolve()}"
