"""``mirrorlab project merge DIR FILES…``: the groups' SQLite files into the project database.

Every session of every file is checked first — the project's task, its stimulus-set hash and
its task version (mirrorlab major.minor). One session that fails refuses the whole merge with
one line naming the file, the session and what differs, and nothing is written. Sessions that
are already in the project database (same fingerprint: participant, task, session number,
study, stimulus-set hash, seed, start time) are skipped, so merging a file twice never
duplicates it. Students' files are opened read-only. The group is ``--group`` or the file's
name without its extension.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from mirrorlab.project import config as project_config
from mirrorlab.project import store_adapter
from mirrorlab.project.errors import ProjectError


GROUP_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,60}")


@dataclass(frozen=True)
class MergeResult:
    merged_sessions: int
    merged_trials: int
    skipped_sessions: int
    by_group: dict[str, int]


def _check(session: dict, cfg: dict, file: Path) -> None:
    task = cfg["task"]
    where = (f"{file}: session {session['id']} (participant {session['participant']}, "
             f"{session['task']} session {session['session_number']})")
    if session["task"] != task["name"]:
        raise ProjectError(f"{where} is task {session['task']}, the project's is {task['name']}; "
                           "nothing was merged")
    if session.get("stimulus_set_hash") != task["stimulus_set_hash"]:
        found = (session.get("stimulus_set_hash") or "none")[:12]
        raise ProjectError(f"{where} used stimulus set {session.get('stimulus_set')} with hash "
                           f"{found}…, the project's is {task['stimulus_set_hash'][:12]}…; nothing was merged")
    version = project_config.task_version((session.get("software_versions") or {}).get("mirrorlab"))
    if version != task["task_version"]:
        raise ProjectError(f"{where} was recorded with task version {version} (mirrorlab), the "
                           f"project's is {task['task_version']}; nothing was merged")


def merge_files(directory: Path | str, files: list[Path | str], groups: list[str] | None = None) -> MergeResult:
    cfg = project_config.load(directory)
    paths = [Path(f) for f in files]
    if not paths:
        raise ProjectError("no group databases given")
    if groups and len(groups) != len(paths):
        raise ProjectError(f"--group given {len(groups)} times for {len(paths)} files")
    names = groups or [p.stem for p in paths]
    for name in names:
        if not GROUP_NAME.fullmatch(name):
            raise ProjectError(f"group name {name!r}: use letters, digits, '.', '_' or '-' "
                               "(give --group NAME for each file)")
    project_url = project_config.project_db_url(directory)
    project_file = (Path(directory) / "project.db").resolve()
    candidates = []
    for group, path in zip(names, paths):
        if path.resolve() == project_file:
            raise ProjectError(f"{path} is the project database itself")
        for session in store_adapter.read_sessions(path):
            _check(session, cfg, path)
            candidates.append((group, path, session))
    already = store_adapter.merged_uids(project_url)
    accepted, skipped, by_group = [], 0, {}
    for group, path, session in candidates:
        if session["uid"] in already:
            skipped += 1
            continue
        already.add(session["uid"])
        accepted.append((group, path.resolve(), session))
        by_group[group] = by_group.get(group, 0) + 1
    merged_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    n_trials = store_adapter.write_merged_sessions(project_url, accepted, merged_at) if accepted else 0
    return MergeResult(len(accepted), n_trials, skipped, by_group)
