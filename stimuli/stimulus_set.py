"""``StimulusSet``: one validated stimulus set, and ``load_set`` / ``list_sets``.

A set is a folder with ``set.toml`` (metadata), ``items.csv`` (one row per item) and an
optional ``trials.csv`` (a fixed trial list). Loading validates everything first and builds
the object only at the end, so a bad set never half-loads. See ``docs/stimuli.md``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from stimuli import validation
from stimuli.csvfile import CsvTable, read_csv_table
from stimuli.errors import StimulusError
from stimuli.hashing import content_hash
from stimuli.metadata import check_metadata, read_set_toml
from stimuli.pictures import OPENMOJI_ATTRIBUTION, PictureSource, png_for
from stimuli.tasks import TASKS, TaskCard, task_card

BUNDLED_DIR = Path(__file__).resolve().parent / "sets"
ITEMS_FILE, TRIALS_FILE, METADATA_FILE = "items.csv", "trials.csv", "set.toml"
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]")


@dataclass(frozen=True, eq=False)
class StimulusSet:
    """A loaded, validated stimulus set (immutable)."""

    name: str
    task: str
    language: str
    path: Path
    metadata: dict[str, Any]
    items: pd.DataFrame
    hash: str
    files: tuple[str, ...]
    item_lines: dict[str, int] = field(repr=False)
    pictures: dict[str, Any] = field(repr=False)
    fixed_trials: CsvTable | None = field(default=None, repr=False)
    _png_paths: dict = field(default_factory=dict, repr=False)

    @property
    def card(self) -> TaskCard:
        """The task card of this set's task (``stimuli.tasks``)."""
        return task_card(self.task)

    @property
    def spec(self) -> TaskCard:
        return self.card

    @property
    def instructions(self) -> tuple[str, ...]:
        """The instructions this set's task supports (the first is the default)."""
        return self.spec.instructions

    @property
    def design(self) -> dict[str, Any]:
        return self.metadata["design"]

    @property
    def uses_openmoji(self) -> bool:
        return any(source.kind == "openmoji" for source in self._all_picture_sources())

    @property
    def attribution(self) -> str:
        """Text to show wherever this set's pictures are shown or exported (may be empty)."""
        parts = [str(self.metadata.get("attribution", "")).strip()]
        if self.uses_openmoji and OPENMOJI_ATTRIBUTION not in parts[0]:
            parts.append(OPENMOJI_ATTRIBUTION)
        return " ".join(part for part in parts if part)

    @property
    def licence(self) -> str:
        return str(self.metadata.get("licence", ""))

    def _all_picture_sources(self) -> list[PictureSource]:
        sources: list[PictureSource] = []
        for value in self.pictures.values():
            sources.extend(value.values() if isinstance(value, dict) else [value])
        return sources

    def picture_file(self, item_id: str, which: str | None = None,
                     size_px: int | None = None) -> str:
        """Absolute path of the PNG for an item's picture (rendered and cached on first use).
        ``which`` selects an association picture: ``target`` or ``choice_N_picture``."""
        source = self.pictures.get(item_id)
        if isinstance(source, dict):
            source = source.get(which or "target")
        if source is None:
            raise StimulusError(f"set {self.name} has no picture for item", value=item_id)
        size = size_px or int(self.design.get("picture_size_px", 300))
        key = (item_id, which, size, os.environ.get("MIRRORLAB_CACHE"),
               os.environ.get("XDG_CACHE_HOME"))
        path = self._png_paths.get(key)
        if path is None or not os.path.exists(path):
            path = self._png_paths[key] = str(png_for(source, size))
        return path

    def colour_rgb(self, key: str) -> tuple[int, int, int]:
        """Stroop: the RGB (0–255) of an ink colour key; the neutral ink for an empty key."""
        if not key:
            return tuple(self.metadata["neutral_ink_rgb"])
        return tuple(self.metadata["colours"][key])

    def trial_list(self, seed: int = 0, instruction: str | None = None,
                   participant_index: int = 0, include_practice: bool = True) -> pd.DataFrame:
        """The trial list for one participant: same arguments, same list.

        ``seed`` drives the randomisation, ``participant_index`` the counterbalancing
        (Latin-square rotations), ``instruction`` one of ``self.instructions`` (default: the
        first). Practice trials come first, in block 0 with ``is_practice`` true.
        """
        from stimuli.generators import build_trial_list

        instruction = instruction or self.instructions[0]
        if instruction not in self.instructions:
            raise StimulusError(f"instruction not supported by the {self.task} set {self.name}",
                                value=instruction, expected=f"one of {', '.join(self.instructions)}")
        if not isinstance(seed, (int,)) or isinstance(seed, bool) or seed < 0:
            raise StimulusError("seed must be a whole number ≥ 0", value=seed)
        if not isinstance(participant_index, int) or participant_index < 0:
            raise StimulusError("participant_index must be a whole number ≥ 0",
                                value=participant_index)
        try:
            return build_trial_list(self, seed=seed, instruction=instruction,
                                    participant_index=participant_index,
                                    include_practice=include_practice)
        except StimulusError as exc:
            if exc.path is not None:
                raise
            raise StimulusError(str(exc), path=self.path / "set.toml", column="design") from None

    def summary(self) -> dict[str, Any]:
        counts = self.items.groupby("role").size().to_dict() if "role" in self.items else {}
        return {"name": self.name, "task": self.task, "language": self.language,
                "items": len(self.items), "roles": counts, "hash": self.hash,
                "path": str(self.path), "instructions": list(self.instructions),
                "licence": self.licence, "attribution": self.attribution,
                "title": self.metadata.get("title", "")}


def list_sets() -> list[str]:
    """Names of the bundled stimulus sets."""
    return sorted(p.name for p in BUNDLED_DIR.iterdir()
                  if p.is_dir() and (p / ITEMS_FILE).is_file() and (p / METADATA_FILE).is_file())


def load_set(name_or_path: str | Path) -> StimulusSet:
    """Load and validate a stimulus set: a bundled name, a set folder, or a CSV path."""
    candidate = Path(name_or_path).expanduser()
    text = str(name_or_path)
    if (BUNDLED_DIR / text / ITEMS_FILE).is_file() and "/" not in text and not candidate.exists():
        return _load_folder(BUNDLED_DIR / text)
    if candidate.is_dir():
        if not (candidate / ITEMS_FILE).is_file():
            raise StimulusError(f"no {ITEMS_FILE} in the stimulus folder", path=candidate,
                                expected=f"{ITEMS_FILE} and {METADATA_FILE}")
        return _load_folder(candidate)
    if candidate.is_file():
        if candidate.name == ITEMS_FILE and (candidate.parent / METADATA_FILE).is_file():
            return _load_folder(candidate.parent)
        if candidate.name == METADATA_FILE:
            return _load_folder(candidate.parent)
        return _load_csv_alone(candidate)
    raise StimulusError("unknown stimulus set", value=text,
                        expected=f"a bundled set ({', '.join(list_sets())}), a set folder or "
                                 "an items CSV file")


def _load_folder(folder: Path) -> StimulusSet:
    folder = folder.resolve()
    metadata_path = folder / METADATA_FILE
    if not metadata_path.is_file():
        raise StimulusError(f"no {METADATA_FILE} in the stimulus folder", path=folder,
                            expected="name, task and language in set.toml")
    metadata = read_set_toml(metadata_path)
    trials_path = folder / TRIALS_FILE
    return _build(folder, folder / ITEMS_FILE, metadata,
                  {METADATA_FILE: metadata_path},
                  trials_path if trials_path.is_file() else None)


def _load_csv_alone(path: Path) -> StimulusSet:
    """A lone CSV (no set.toml): task from its columns, language from its script."""
    path = path.resolve()
    table = read_csv_table(path, required=("item_id",))
    columns = set(table.columns)
    matches = [spec.name for spec in TASKS.values() if set(spec.required_columns) <= columns]
    if len(matches) != 1:
        raise StimulusError("cannot tell the task from the columns", path=path, line=1,
                            expected="the columns of one task (see docs/stimuli.md) or a "
                                     "set.toml beside the file")
    language = "ja" if any(_CJK.search(v) for row in table.rows for v in row.values()) else "en"
    data: dict[str, Any] = {"name": re.sub(r"[^a-z0-9._-]", "-", path.stem.lower()) or "set",
                            "task": matches[0], "language": language}
    guess = TASKS[matches[0]].metadata_from_items
    if guess is not None:
        data.update(guess(table))
    metadata = check_metadata(data, path)
    return _build(path.parent, path, metadata, {}, None)


def _build(folder: Path, items_path: Path, metadata: dict[str, Any],
           hashed: dict[str, Path], trials_path: Path | None) -> StimulusSet:
    spec = TASKS[metadata["task"]]
    table = read_csv_table(items_path, required=spec.required_columns,
                           optional=spec.optional_columns, allow_extra=False)
    validation.check_common(table, spec)
    pictures: dict[str, Any] = spec.check_items(table, spec, folder, metadata)
    fixed = None
    if trials_path is not None:
        from stimuli.generators.fixed import check_fixed_trials

        fixed = check_fixed_trials(trials_path, spec, {row["item_id"]: row for row in table.rows},
                                   metadata)
        hashed[TRIALS_FILE] = trials_path
    hashed[ITEMS_FILE] = items_path  # a lone CSV hashes as items.csv: renaming keeps the hash
    for value in pictures.values():
        for source in (value.values() if isinstance(value, dict) else [value]):
            hashed[source.hash_name] = source.path
    columns = list(table.columns)
    if "role" not in columns:
        columns.append("role")
    items = pd.DataFrame([dict(row) for row in table.rows], columns=columns, dtype=object)
    return StimulusSet(
        name=metadata["name"], task=spec.name, language=metadata["language"],
        path=folder if items_path.name == ITEMS_FILE else items_path, metadata=metadata,
        items=items, hash=content_hash(hashed), files=tuple(sorted(hashed)),
        item_lines={row["item_id"]: line for row, line in zip(table.rows, table.lines)},
        pictures=pictures, fixed_trials=fixed)
