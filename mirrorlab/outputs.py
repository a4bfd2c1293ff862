"""Output paths given on the command line, checked before anything is computed or stored.

Every command that writes a file (``stimuli trials --out``, ``compare --report``,
``export``) or a folder (``run --csv-dir``, ``--screenshots``) treats a bad path the same way:
a missing folder is created; a path that is a folder where a file is wanted, lies under a
file, or cannot be written is refused in one line before any work starts.
"""

from __future__ import annotations

import os
from pathlib import Path


class OutputPathError(Exception):
    """An output path that cannot be written, explained in one line."""

    user_facing = True


def _existing_ancestor(path: Path) -> Path:
    for candidate in path.parents:
        if candidate.exists():
            return candidate
    return Path(".")


def prepare_output_file(option: str, path: str | Path) -> Path:
    """Check ``path`` can be written as a file and create its missing parent folders."""
    path = Path(path)
    if path.is_dir():
        raise OutputPathError(f"{option} {path}: is a folder; give a file name")
    ancestor = _existing_ancestor(path)
    if not ancestor.is_dir():
        raise OutputPathError(f"{option} {path}: {ancestor} is a file, not a folder")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise OutputPathError(f"{option} {path}: {ancestor} is not writable")
    if path.exists() and not os.access(path, os.W_OK):
        raise OutputPathError(f"{option} {path}: the file is not writable")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def check_output_folder(option: str, path: str | Path) -> Path:
    """Check ``path`` can be (or become) a writable folder, without creating it."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise OutputPathError(f"{option} {path}: is a file, not a folder")
    ancestor = path if path.exists() else _existing_ancestor(path)
    if not ancestor.is_dir():
        raise OutputPathError(f"{option} {path}: {ancestor} is a file, not a folder")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise OutputPathError(f"{option} {path}: {ancestor} is not writable")
    return path
