"""Import external trial-level data (CSV, TSV, whitespace-separated) into the trial table.

A *mapping* says how the file's columns become shared-row fields. It is a small TOML file
(bundled ones live in ``db/mappings/``) or, on the command line, ``--map field=COLUMN`` and
``--set field=VALUE`` options::

    [source]                    # how to read the file
    separator = ";"             # "," (default), "\\t", ";" or "whitespace"
    header = true               # false: give column_names
    column_names = [...]
    na_values = ["NA", ""]

    [dataset]                   # provenance, shown in reports
    study = "vonbastian2016"
    citation = "..."
    licence = "..."

    [filter]                    # keep rows whose column equals one of the values
    exp = ["1"]

    [columns]                   # shared field = source column
    participant = "ID"          # required: becomes the participant code (agent)
    condition = "congruency"
    rt_ms = "RT"

    [constants]                 # shared field = the same value on every row
    task = "stroop"

    [values.condition]          # recode a field's raw values ("raw" = "shared")
    "0" = "incongruent"

    [scale]                     # numeric fields multiplied by a factor (seconds -> ms)
    rt_ms = 1000

    [templates]                 # fields built from other (mapped) fields
    item_id = "{ink}_{word}"

    [extras]                    # extra per-trial fields (kept in the row's extras) = column
    accuracy_code = "correct"

    [missing]                   # raw values that mean "no value" for one field
    rt_ms = ["0"]

    [derive.ordinal_position]   # fields computed over the rows, in file order
    rule = "count"              # 1, 2, 3 ... within each group of `within`
    within = ["participant", "session_number", "category"]
    only_when = {condition = "experimental"}   # other rows get no value

    [derive.lag]                # rows between this one and the previous one of its group
    rule = "lag"
    sequence = ["participant", "session_number"]
    within = ["category"]
    only_when = {condition = "experimental"}

    [derive.group]              # a label from numeric ranges of another field
    rule = "ranges"
    from = "participant"
    ranges = {aphasia = [101, 120], control = [201, 220]}

A recoding table (``[values.FIELD]``) may give ``"*"`` for every raw value it does not list.
Fields named in ``[extras]`` or derived under a name that is not a shared column are stored in
the trial's ``extras``.

An import is all or nothing: the file is read and every row checked first, then sessions
(status ``imported``, one per participant) and trials are written in one transaction. A
problem is reported in one line with the file, the line and the column.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the same parser from PyPI (a declared dependency)
    import tomli as tomllib

from db.errors import ImportMappingError
from db.provenance import software_versions
from db.schema import TRIAL_COLUMNS, Participant, Session, Study, Trial
from db.rows import TrialRow, trial_row
from db.store import Store, trial_values

MAPPINGS_DIR = Path(__file__).with_name("mappings")
DATASETS_DIR = Path(__file__).with_name("datasets")
#: Fields a mapping may fill besides the shared trial columns.
EXTRA_FIELDS = ("participant", "session_number")
BOOLEAN_FIELDS = ("correct", "is_practice")
NUMERIC_FIELDS = ("rt_ms", "soa_ms")
INTEGER_FIELDS = ("ordinal_position", "lag", "session", "block", "trial_index", "session_number")
SEPARATORS = {",": ",", "comma": ",", "\\t": "\t", "\t": "\t", "tab": "\t", ";": ";",
              "semicolon": ";", "whitespace": r"\s+"}
TRUE_WORDS = {"1", "true", "yes", "y", "t", "correct", "1.0"}
FALSE_WORDS = {"0", "false", "no", "n", "f", "incorrect", "error", "0.0"}


@dataclass
class ImportMapping:
    """A parsed mapping (see the module docstring for the file format)."""

    name: str
    columns: dict[str, str] = field(default_factory=dict)
    constants: dict[str, Any] = field(default_factory=dict)
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    scale: dict[str, float] = field(default_factory=dict)
    templates: dict[str, str] = field(default_factory=dict)
    filters: dict[str, list[str]] = field(default_factory=dict)
    separator: str = ","
    header: bool = True
    column_names: list[str] | None = None
    na_values: list[str] = field(default_factory=lambda: ["NA", "N/A", "NaN", "nan", ""])
    dataset: dict[str, Any] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    extras: dict[str, str] = field(default_factory=dict)
    missing: dict[str, list[str]] = field(default_factory=dict)
    derive: dict[str, dict[str, Any]] = field(default_factory=dict)

    def check(self) -> None:
        known = set(TRIAL_COLUMNS) | set(EXTRA_FIELDS)
        for name in self.extras:
            if name in known:
                raise ImportMappingError(f"mapping {self.name}: [extras] field {name!r} is a shared "
                                         "field; map it under [columns]")
        for name, spec in self.derive.items():
            check_derivation(self.name, name, spec)
        known |= set(self.extras) | set(self.derive)
        for section in (self.columns, self.constants, self.values, self.scale, self.templates,
                        self.missing):
            for name in section:
                if name not in known:
                    raise ImportMappingError(
                        f"mapping {self.name}: unknown field {name!r} "
                        f"(known fields: {', '.join(sorted(known))})")
        if "participant" not in self.columns and "participant" not in self.constants:
            raise ImportMappingError(f"mapping {self.name}: no column for 'participant' "
                                     "(e.g. --map participant=ID)")
        if "task" not in self.columns and "task" not in self.constants:
            raise ImportMappingError(f"mapping {self.name}: no 'task' (e.g. --set task=stroop)")
        if self.separator not in SEPARATORS:
            raise ImportMappingError(
                f"mapping {self.name}: separator {self.separator!r} is not one of , \\t ; whitespace")
        if not self.header and not self.column_names:
            raise ImportMappingError(f"mapping {self.name}: header = false needs column_names")


def load_mapping(name_or_path: str) -> ImportMapping:
    """A bundled mapping by name (``pratte2010``) or a TOML file path."""
    path = Path(name_or_path)
    if not path.suffix and not path.exists():
        path = MAPPINGS_DIR / f"{name_or_path}.toml"
    if not path.is_file():
        bundled = ", ".join(sorted(p.stem for p in MAPPINGS_DIR.glob("*.toml")))
        raise ImportMappingError(f"mapping {name_or_path!r} not found (bundled mappings: {bundled})")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ImportMappingError(f"{path}: not valid TOML ({exc})") from None
    source = data.get("source", {})
    mapping = ImportMapping(
        name=str(path),
        columns={k: str(v) for k, v in data.get("columns", {}).items()},
        constants=dict(data.get("constants", {})),
        values={k: {str(raw): shared for raw, shared in v.items()} for k, v in data.get("values", {}).items()},
        scale={k: float(v) for k, v in data.get("scale", {}).items()},
        templates={k: str(v) for k, v in data.get("templates", {}).items()},
        filters={k: [str(x) for x in (v if isinstance(v, list) else [v])]
                 for k, v in data.get("filter", {}).items()},
        separator=str(source.get("separator", ",")),
        header=bool(source.get("header", True)),
        column_names=source.get("column_names"),
        na_values=[str(v) for v in source.get("na_values", ["NA", "N/A", "NaN", "nan", ""])],
        dataset=dict(data.get("dataset", {})),
        files=[str(f) for f in source.get("files", [])],
        extras={k: str(v) for k, v in data.get("extras", {}).items()},
        missing={k: [str(x) for x in (v if isinstance(v, list) else [v])]
                 for k, v in data.get("missing", {}).items()},
        derive={k: dict(v) for k, v in data.get("derive", {}).items() if isinstance(v, dict)},
    )
    bad = [k for k, v in data.get("derive", {}).items() if not isinstance(v, dict)]
    if bad:
        raise ImportMappingError(f"mapping {path}: [derive.{bad[0]}] must be a table "
                                 "(rule = \"count\" | \"lag\" | \"ranges\", ...)")
    mapping.check()
    return mapping


def mapping_from_options(maps: Sequence[str], sets: Sequence[str], *, separator: str = ",",
                         base: ImportMapping | None = None) -> ImportMapping:
    """Build (or extend) a mapping from ``field=COLUMN`` and ``field=VALUE`` option strings."""
    mapping = base or ImportMapping(name="command line", separator=separator)
    for option, target in ((maps, mapping.columns), (sets, mapping.constants)):
        for item in option:
            if "=" not in item:
                raise ImportMappingError(f"mapping option {item!r} is not field=value")
            key, value = item.split("=", 1)
            target[key.strip()] = value.strip()
    mapping.check()
    return mapping


# ---------------------------------------------------------------------------- reading
def _read_table(path: Path, mapping: ImportMapping):
    import pandas as pd

    if not path.is_file():
        raise ImportMappingError(f"import: file {path} not found")
    separator = SEPARATORS[mapping.separator]
    try:
        frame = pd.read_csv(
            path, sep=separator, header=0 if mapping.header else None,
            names=None if mapping.header else mapping.column_names, dtype=str,
            keep_default_na=False, na_filter=False, encoding="utf-8-sig",
            engine="python" if separator == r"\s+" else "c", index_col=False)
    except UnicodeDecodeError as exc:
        raise ImportMappingError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else "no data"
        raise ImportMappingError(f"{path}: cannot be read as a table ({message})") from None
    if frame.empty:
        raise ImportMappingError(f"{path}: has no data rows")
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def _line_number(row_position: int, mapping: ImportMapping) -> int:
    return row_position + (2 if mapping.header else 1)


def _convert(field_name: str, raw: str, where: str, mapping: ImportMapping) -> Any:
    if raw in mapping.na_values or raw in mapping.missing.get(field_name, ()):
        return None
    if field_name in mapping.values:
        recode = mapping.values[field_name]
        if raw not in recode and "*" in recode:
            raw = "*"
        if raw not in recode:
            expected = ", ".join(sorted(recode))
            raise ImportMappingError(f"{where}: value {raw!r} has no entry in the mapping's "
                                     f"values for {field_name} (expected one of {expected})")
        value = recode[raw]
        if value == "" or value is None:
            return None
        raw_value: Any = value
    else:
        raw_value = raw
    if field_name in BOOLEAN_FIELDS:
        if isinstance(raw_value, bool):
            return raw_value
        word = str(raw_value).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ImportMappingError(f"{where}: {field_name} value {raw!r} is not a yes/no value "
                                 "(add a [values.correct] recoding)")
    if field_name in NUMERIC_FIELDS or field_name in INTEGER_FIELDS:
        try:
            number = float(raw_value)
        except (TypeError, ValueError):
            raise ImportMappingError(f"{where}: {field_name} value {raw!r} is not a number") from None
        number *= mapping.scale.get(field_name, 1.0)
        return int(round(number)) if field_name in INTEGER_FIELDS else number
    return raw_value


def read_rows(path: Path, mapping: ImportMapping) -> list[dict[str, Any]]:
    """Read and convert every row (raising on the first problem, before anything is written)."""
    frame = _read_table(path, mapping)
    needed = set(mapping.columns.values()) | set(mapping.extras.values()) | set(mapping.filters)
    missing = sorted(needed - set(frame.columns))
    if missing:
        raise ImportMappingError(
            f"{path}: column(s) {', '.join(repr(m) for m in missing)} named in mapping "
            f"{mapping.name} not found (file has: {', '.join(frame.columns)})")
    keep = None
    for column, allowed in mapping.filters.items():
        mask = frame[column].isin(allowed)
        keep = mask if keep is None else keep & mask
    positions = range(len(frame)) if keep is None else [i for i, k in enumerate(keep.tolist()) if k]
    columns = {name: frame[source].tolist()
               for name, source in (*mapping.columns.items(), *mapping.extras.items())}
    column_of = {**mapping.columns, **mapping.extras}
    rows: list[dict[str, Any]] = []
    for position in positions:
        row: dict[str, Any] = dict(mapping.constants)
        for name, values in columns.items():
            where = f"{path} line {_line_number(position, mapping)} column {column_of[name]!r}"
            row[name] = _convert(name, values[position].strip(), where, mapping)
        for name, template in mapping.templates.items():
            try:
                row[name] = template.format(**{k: ("" if v is None else v) for k, v in row.items()})
            except KeyError as exc:
                raise ImportMappingError(f"mapping {mapping.name}: template for {name} uses "
                                         f"{exc.args[0]!r}, which is not a mapped field") from None
        if row.get("participant") in (None, ""):
            raise ImportMappingError(f"{path} line {_line_number(position, mapping)}: empty participant")
        rows.append(row)
    if not rows:
        raise ImportMappingError(f"{path}: no rows left after the mapping's filter {mapping.filters}")
    for name, spec in mapping.derive.items():
        derive_field(rows, name, spec, where=f"{path}: mapping {mapping.name} [derive.{name}]")
    return rows


# ---------------------------------------------------------------------------- derived fields
DERIVATION_RULES = ("count", "lag", "ranges")


def check_derivation(mapping_name: str, name: str, spec: dict[str, Any]) -> None:
    """A ``[derive.NAME]`` table names a known rule and the options that rule needs."""
    where = f"mapping {mapping_name}: [derive.{name}]"
    rule = spec.get("rule")
    if rule not in DERIVATION_RULES:
        raise ImportMappingError(f"{where}: rule {rule!r} is not one of {', '.join(DERIVATION_RULES)}")
    needed = {"count": ("within",), "lag": ("sequence", "within"), "ranges": ("from", "ranges")}[rule]
    for option in needed:
        if option not in spec:
            raise ImportMappingError(f"{where}: rule {rule!r} needs {option} = ...")
    for option in ("within", "sequence"):
        if option in spec and not (isinstance(spec[option], list) and spec[option]):
            raise ImportMappingError(f"{where}: {option} must be a list of field names")
    if "only_when" in spec and not isinstance(spec["only_when"], dict):
        raise ImportMappingError(f"{where}: only_when must be a table {{field = value}}")
    if rule == "ranges":
        ranges = spec["ranges"]
        if not isinstance(ranges, dict) or not all(
                isinstance(v, list) and len(v) == 2 and all(isinstance(x, (int, float)) for x in v)
                for v in ranges.values()):
            raise ImportMappingError(f"{where}: ranges must be {{label = [low, high]}} with numbers")


def _applies(row: dict[str, Any], only_when: dict[str, Any]) -> bool:
    for field_name, wanted in only_when.items():
        allowed = wanted if isinstance(wanted, list) else [wanted]
        if str(row.get(field_name)) not in {str(a) for a in allowed}:
            return False
    return True


def _group_key(row: dict[str, Any], fields: Sequence[str], where: str) -> tuple:
    try:
        return tuple(row[f] for f in fields)
    except KeyError as exc:
        raise ImportMappingError(f"{where}: field {exc.args[0]!r} is not a mapped field") from None


def derive_field(rows: list[dict[str, Any]], name: str, spec: dict[str, Any], *, where: str) -> None:
    """Compute ``name`` on every row (in file order), by the rule of ``spec``:

    * ``count``: 1, 2, 3 … for the rows of each ``within`` group (e.g. the ordinal position of a
      picture within its category, per participant and session);
    * ``lag``: how many rows of the same ``sequence`` lie between a row and the previous row of
      its ``within`` group (empty for the first); rows that ``only_when`` excludes still count
      as intervening rows;
    * ``ranges``: the label whose ``[low, high]`` holds the number in field ``from``.
    """
    only_when = spec.get("only_when", {})
    rule = spec["rule"]
    if rule == "count":
        counts: dict[tuple, int] = {}
        for row in rows:
            if not _applies(row, only_when):
                row[name] = None
                continue
            key = _group_key(row, spec["within"], where)
            counts[key] = counts.get(key, 0) + 1
            row[name] = counts[key]
    elif rule == "lag":
        position_in: dict[tuple, int] = {}
        last_seen: dict[tuple, int] = {}
        for row in rows:
            sequence = _group_key(row, spec["sequence"], where)
            position = position_in.get(sequence, 0)
            position_in[sequence] = position + 1
            if not _applies(row, only_when):
                row[name] = None
                continue
            key = sequence + _group_key(row, spec["within"], where)
            row[name] = position - last_seen[key] - 1 if key in last_seen else None
            last_seen[key] = position
    else:  # ranges
        source = spec["from"]
        for row in rows:
            value = _group_key(row, [source], where)[0]
            try:
                number = float(value)
            except (TypeError, ValueError):
                raise ImportMappingError(f"{where}: {source} value {value!r} is not a number") from None
            labels = [label for label, (low, high) in spec["ranges"].items() if low <= number <= high]
            if not labels:
                ranges = ", ".join(f"{label} {low}-{high}" for label, (low, high) in spec["ranges"].items())
                raise ImportMappingError(f"{where}: {source} {value!r} is in none of the ranges ({ranges})")
            row[name] = labels[0]


def file_sha256(paths: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()


# ---------------------------------------------------------------------------- writing
@dataclass
class ImportResult:
    study: str
    n_trials: int
    n_participants: int
    files: list[str]
    n_sessions: int = 0


#: The counts a bundled dataset's mapping may declare under [dataset] (checked on import).
COUNT_KEYS = ("n_trials", "n_participants", "n_sessions")


def _check_counts(mapping: ImportMapping, counts: dict[str, int]) -> None:
    """Refuse (before writing) an import whose counts differ from those its source documents."""
    for key in COUNT_KEYS:
        expected = mapping.dataset.get(key)
        if expected is not None and int(expected) != counts[key]:
            raise ImportMappingError(
                f"mapping {mapping.name}: the files give {counts[key]} {key[2:]}, the source "
                f"documents {expected}; the bundled files or the mapping have changed")


def import_files(store: Store, paths: Sequence[Path | str], mapping: ImportMapping, *, study: str | None = None,
                 progress: Callable[[int], None] | None = None, check_counts: bool = False) -> ImportResult:
    """Import one or more files with one mapping into ``study`` (all or nothing). With
    ``check_counts`` the counts the mapping declares (``[dataset] n_trials`` …) must match."""
    paths = [Path(p) for p in paths]
    study_name = study or mapping.dataset.get("study") or paths[0].stem
    rows: list[dict[str, Any]] = []
    for path in paths:
        rows.extend(read_rows(path, mapping))
    data_hash = file_sha256(paths)
    by_participant: dict[tuple[str, str, int], list[dict[str, Any]]] = {}
    # fields the mapping declares as extras ([extras], or derived under a name that is not a
    # shared column) go into the row's extras; anything else unknown is the row builder's error
    extra_names = [n for n in (*mapping.extras, *mapping.derive) if n not in ROW_FIELDS]
    for row in rows:
        code = str(row.pop("participant"))
        session_number = int(row.pop("session_number", None) or 1)
        if extra_names:
            declared = {n: row.pop(n) for n in extra_names if n in row}
            row["extras"] = {**(row.get("extras") or {}), **declared}
        row.setdefault("source", "human")
        row["agent"] = code
        row.setdefault("session", session_number)
        key = (code, row["task"], session_number)
        by_participant.setdefault(key, []).append(row)
    n_participants = len({code for code, _, _ in by_participant})
    if check_counts:
        _check_counts(mapping, {"n_trials": len(rows), "n_participants": n_participants,
                                "n_sessions": len(by_participant)})
    built: dict[tuple[str, str, int], list[TrialRow]] = {}
    for key, trials in by_participant.items():   # every row checked before anything is written
        built[key] = [trial_row(row, trial_index=row.get("trial_index", index))
                      for index, row in enumerate(trials)]

    with store.orm(write=True) as orm:
        study_row = orm.scalar(select(Study).where(Study.name == study_name))
        if study_row is not None:
            n_existing = orm.scalar(select(func.count()).select_from(Trial).join(Session)
                                    .join(Participant).where(Participant.study_id == study_row.id))
            if n_existing:
                raise ImportMappingError(
                    f"study {study_name!r} already has {n_existing} trials in {store.url}; "
                    "import under another name with --study")
        else:
            study_row = Study(name=study_name, description=mapping.dataset.get("citation"))
            orm.add(study_row)
            orm.flush()
        versions = software_versions()
        parameters = {"mapping": mapping.name, "dataset": mapping.dataset,
                      "files": [os.path.basename(p) for p in paths]}
        participants: dict[str, Participant] = {}
        for (code, task, session_number), trials in built.items():
            participant = participants.get(code)
            if participant is None:  # one participant, however many sessions
                participant = participants[code] = Participant(study_id=study_row.id, code=code)
                orm.add(participant)
                orm.flush()
            session = Session(participant_id=participant.id, task=task,
                              session_number=session_number, status="imported",
                              stimulus_set=f"import:{study_name}", stimulus_set_hash=data_hash,
                              parameters=parameters, software_versions=versions,
                              response_mode=mapping.dataset.get("response_mode"))
            orm.add(session)
            orm.flush()
            batch = [trial_values(row, session_id=session.id) for row in trials]
            Store.insert_trial_values(orm, batch)
            if progress:
                progress(len(batch))
        orm.commit()
    return ImportResult(study=study_name, n_trials=len(rows), n_participants=n_participants,
                        files=[str(p) for p in paths], n_sessions=len(by_participant))


# ---------------------------------------------------------------------------- bundled datasets
def bundled_data_dir() -> Path:
    """Where the bundled datasets' files are: ``db/datasets/`` inside the package, each folder
    with its source's licence text (see ``db/datasets/SOURCES.md``)."""
    return DATASETS_DIR


def bundled_datasets() -> list[str]:
    return sorted(p.stem for p in MAPPINGS_DIR.glob("*.toml"))


@dataclass
class BundledDataset:
    """What ``mirrorlab datasets`` lists: a bundled dataset, its licence and its counts."""

    name: str
    study: str
    task: str
    citation: str
    licence: str
    licence_file: str
    folder: str
    files: list[str]
    n_trials: int | None
    n_participants: int | None
    n_sessions: int | None
    note: str = ""


def describe_datasets() -> list[BundledDataset]:
    """Every bundled dataset, from its mapping's ``[dataset]`` table (no data file is read)."""
    described = []
    for name in bundled_datasets():
        mapping = load_mapping(name)
        if not mapping.files:
            continue
        info = mapping.dataset
        folder = Path(mapping.files[0]).parts[0]
        licence_files = sorted(p.name for p in (DATASETS_DIR / folder).glob("*")
                               if p.name.lower().startswith("licen"))
        described.append(BundledDataset(
            name=name, study=str(info.get("study", name)),
            task=str(mapping.constants.get("task", "")), citation=str(info.get("citation", "")),
            licence=str(info.get("licence", "")),
            licence_file=f"db/datasets/{folder}/{licence_files[0]}" if licence_files else "",
            folder=f"db/datasets/{folder}", files=list(mapping.files),
            n_trials=info.get("n_trials"), n_participants=info.get("n_participants"),
            n_sessions=info.get("n_sessions"), note=str(info.get("note", ""))))
    return described


def import_dataset(store: Store, name: str, *, study: str | None = None, data_dir: Path | None = None,
                   progress: Callable[[int], None] | None = None) -> ImportResult:
    """Import a dataset whose mapping is bundled (``pratte2010``, ``vonbastian2016``,
    ``williams_stroop_language``, ``stark2024``) from the files bundled in ``db/datasets/``;
    the counts must be those its source documents."""
    mapping = load_mapping(name)
    if not mapping.files:
        raise ImportMappingError(f"mapping {name} names no data files; use import_files")
    folder = data_dir or bundled_data_dir()
    paths = [folder / f for f in mapping.files]
    return import_files(store, paths, mapping, study=study, progress=progress, check_counts=True)
