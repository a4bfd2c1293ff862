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

An import is all or nothing: the file is read and every row checked first; then the
sessions (one per participant) are created with status ``importing`` and the trials written
in chunks of ``IMPORT_CHUNK_ROWS``, each its own short transaction, so that a session running
beside a large import commits its trials between two chunks; the last step marks the
sessions ``imported``. Until then the analysis does not see them; an import that fails is
undone, and what a killed import left is cleared by the next import of the same study. A
problem is reported in one line with the file, the line and the column.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select, update

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the same parser from PyPI (a declared dependency)
    import tomli as tomllib

from db.errors import ImportMappingError
from db.provenance import software_versions
from db.schema import TRIAL_COLUMNS, Participant, Session, Study, Trial
from db.rows import ROW_FIELDS, TrialRow, trial_row
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
    encoding: str = "utf-8-sig"
    allow_duplicates: bool = False

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
                if is_named_variable(name):
                    continue
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
        check_templates(self)
        check_encoding(self.encoding, f"mapping {self.name}")
        if "task" in self.constants:
            check_task_name(str(self.constants["task"]), f"mapping {self.name}: task")


#: Extra columns kept as named variables of the trial (stored in its extras): ``factor:NAME``
#: keeps the text (a factor such as a depletion manipulation), ``covariate:NAME`` a number.
NAMED_VARIABLE_PREFIXES = ("factor:", "covariate:")


def is_named_variable(field_name: str) -> bool:
    """``factor:depletion`` / ``covariate:age``: an imported column kept under its own name."""
    prefix, _, name = field_name.partition(":")
    if f"{prefix}:" not in NAMED_VARIABLE_PREFIXES:
        return False
    if not name.isidentifier() or name in TRIAL_COLUMNS or name in EXTRA_FIELDS:
        raise ImportMappingError(f"mapping field {field_name!r}: {name!r} must be a new name "
                                 "(letters, digits, _), not a shared field")
    return True


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
    source = _table(data, "source", path)
    mapping = ImportMapping(
        name=str(path),
        columns={k: str(v) for k, v in _table(data, "columns", path).items()},
        constants=dict(_table(data, "constants", path)),
        values={k: {str(raw): shared for raw, shared in _table(_table(data, "values", path), k, path,
                                                               prefix="values.").items()}
                for k in _table(data, "values", path)},
        scale={k: parse_scale_factor(k, v, f"{path} [scale]")
               for k, v in _table(data, "scale", path).items()},
        templates={k: str(v) for k, v in _table(data, "templates", path).items()},
        filters={k: [str(x) for x in (v if isinstance(v, list) else [v])]
                 for k, v in _table(data, "filter", path).items()},
        separator=str(source.get("separator", ",")),
        header=bool(source.get("header", True)),
        column_names=source.get("column_names"),
        na_values=[str(v) for v in source.get("na_values", ["NA", "N/A", "NaN", "nan", ""])],
        dataset=dict(_table(data, "dataset", path)),
        files=[str(f) for f in source.get("files", [])],
        extras={k: str(v) for k, v in data.get("extras", {}).items()},
        missing={k: [str(x) for x in (v if isinstance(v, list) else [v])]
                 for k, v in data.get("missing", {}).items()},
        derive={k: dict(v) for k, v in data.get("derive", {}).items() if isinstance(v, dict)},
        encoding=str(source.get("encoding", "utf-8-sig")),
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


def _table(data: dict, key: str, path, prefix: str = "") -> dict:
    """A TOML section that must be a table (``[scale]``, ``[values.condition]``, …)."""
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ImportMappingError(f"{path}: [{prefix}{key}] must be a table of name = value "
                                 f"entries, not {type(value).__name__} {value!r}")
    return value


def parse_scale_factor(field_name: str, value: Any, where: str) -> float:
    """A unit factor (``rt_ms = 1000`` turns seconds into ms): a finite number ≠ 0."""
    import math

    if isinstance(value, bool):
        value = "true" if value else "false"
    try:
        factor = float(value)
    except (TypeError, ValueError):
        raise ImportMappingError(f"{where}: scale for {field_name} is {value!r}, not a number "
                                 "(e.g. rt_ms = 1000 for seconds)") from None
    if not math.isfinite(factor) or factor == 0:
        raise ImportMappingError(f"{where}: scale for {field_name} is {value!r}; give a finite "
                                 "number other than 0")
    if field_name not in NUMERIC_FIELDS:
        raise ImportMappingError(f"{where}: scale for {field_name}: only "
                                 f"{', '.join(NUMERIC_FIELDS)} can be scaled")
    return factor


def check_templates(mapping: ImportMapping) -> None:
    import string

    for name, template in mapping.templates.items():
        try:
            list(string.Formatter().parse(template))
        except ValueError as exc:
            raise ImportMappingError(f"mapping {mapping.name}: template for {name} {template!r} "
                                     f"is not a valid template ({exc}; write fields as "
                                     "{name})") from None


def check_encoding(encoding: str, where: str) -> None:
    import codecs

    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ImportMappingError(f"{where}: unknown text encoding {encoding!r} (e.g. utf-8, "
                                 "cp932 for Shift-JIS files from Excel)") from None


def known_tasks() -> tuple[str, ...]:
    """The task names the stimulus layer's task cards declare."""
    from stimuli.tasks import TASKS

    return tuple(TASKS)


def check_task_name(task: str, where: str) -> None:
    tasks = known_tasks()
    if task not in tasks:
        import difflib

        close = difflib.get_close_matches(task, tasks, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ImportMappingError(f"{where} {task!r} is not a known task{hint}; known: "
                                 f"{', '.join(tasks)}")


def apply_options(mapping: ImportMapping, *, scales: Sequence[str] = (), wheres: Sequence[str] = (),
                  encoding: str | None = None, allow_duplicates: bool = False) -> ImportMapping:
    """The command line's ``--scale FIELD=FACTOR``, ``--where COLUMN=V1,V2``, ``--encoding``
    and ``--allow-duplicates`` on top of a mapping."""
    for item in scales:
        key, value = _option_pair(item, "--scale")
        mapping.scale[key] = parse_scale_factor(key, value, f"--scale {item}")
    for item in wheres:
        key, value = _option_pair(item, "--where")
        mapping.filters[key] = [v.strip() for v in value.split(",")]
    if encoding:
        check_encoding(encoding, "--encoding")
        mapping.encoding = encoding
    mapping.allow_duplicates = mapping.allow_duplicates or allow_duplicates
    mapping.check()
    return mapping


def _option_pair(item: str, option: str) -> tuple[str, str]:
    if "=" not in item:
        raise ImportMappingError(f"{option} {item!r} is not NAME=VALUE")
    key, value = item.split("=", 1)
    return key.strip(), value.strip()


#: Plausible ranges per numeric field (after scaling): outside them a value is refused.
FIELD_RANGES = {"rt_ms": (0.0, 600_000.0), "soa_ms": (-10_000.0, 10_000.0)}
#: A median RT below this many "ms" means the column is in seconds.
RT_MEDIAN_FLOOR_MS = 10.0


def check_value_ranges(rows: list[dict[str, Any]], lines: list[int], path: Path) -> None:
    """Every number finite and in its field's range; an RT median under 10 "ms" looks like
    seconds and is refused with the hint ``--scale rt_ms=1000``."""
    import math
    import statistics

    for field_name, (low, high) in FIELD_RANGES.items():
        values = []
        for row, line in zip(rows, lines):
            value = row.get(field_name)
            if value is None:
                continue
            if not math.isfinite(value):
                raise ImportMappingError(f"{path} line {line}: {field_name} is {value} (not a "
                                         "finite number)")
            if not low <= value <= high:
                raise ImportMappingError(f"{path} line {line}: {field_name} = {value:g} is outside "
                                         f"{low:g}…{high:g}")
            values.append(value)
        if field_name == "rt_ms" and values and statistics.median(values) < RT_MEDIAN_FLOOR_MS:
            raise ImportMappingError(
                f"{path}: the median rt_ms is {statistics.median(values):g}, which looks like "
                "seconds, not ms: add --scale rt_ms=1000 (or [scale] rt_ms = 1000)")


#: A participant's rows that are the same run of at least this many rows twice over are
#: taken for a file concatenated with itself.
MIN_REPEATED_RUN = 5


def check_duplicates(rows: list[dict[str, Any]], lines: list[int], path: Path,
                     mapping: ImportMapping) -> None:
    """Refuse duplicated data unless ``--allow-duplicates``: a trial index repeated within
    one participant's session and block; with trial indices, a row that repeats another
    exactly; without them (identical rows are then expected: same condition, whole-ms RT),
    a participant whose rows are one run of rows twice over (a file concatenated with
    itself)."""
    if mapping.allow_duplicates:
        return
    seen: dict[Any, int] = {}
    indices: dict[Any, int] = {}
    by_participant: dict[Any, list[int]] = {}
    for position, (row, line) in enumerate(zip(rows, lines)):
        by_participant.setdefault((row.get("participant"), row.get("task"),
                                   row.get("session_number")), []).append(position)
        if row.get("trial_index") is None:
            continue
        key = tuple(sorted((k, repr(v)) for k, v in row.items()))
        if key in seen:
            raise ImportMappingError(f"{path} line {line}: the same row as line {seen[key]} "
                                     "(duplicated data?); use --allow-duplicates to keep both")
        seen[key] = line
        index_key = (row.get("participant"), row.get("task"), row.get("session_number"),
                     row.get("block"), bool(row.get("is_practice")), row["trial_index"])
        if index_key in indices:
            raise ImportMappingError(
                f"{path} line {line}: trial_index {row['trial_index']} of participant "
                f"{row.get('participant')!r} already on line {indices[index_key]}; use "
                "--allow-duplicates to keep both")
        indices[index_key] = line
    for (code, _, _), positions in by_participant.items():
        half = len(positions) // 2
        if half >= MIN_REPEATED_RUN and len(positions) % 2 == 0 and all(
                rows[positions[i]] == rows[positions[i + half]] for i in range(half)):
            raise ImportMappingError(
                f"{path} lines {lines[positions[half]]}–{lines[positions[-1]]}: participant "
                f"{code!r}'s {half} rows from line {lines[positions[0]]} repeated exactly "
                "(the file concatenated with itself?); use --allow-duplicates to keep both")


def check_rows(rows: list[dict[str, Any]], lines: list[int], path: Path, mapping: ImportMapping) -> None:
    """All checks on converted rows, before anything is written (see the module docstring)."""
    from db.errors import StoreError
    from db.store import check_trial_row

    tasks_checked: set[str] = set()
    for row, line in zip(rows, lines):
        task = row.get("task")
        if task is not None and task not in tasks_checked:
            check_task_name(str(task), f"{path} line {line}: task")
            tasks_checked.add(task)
        try:
            check_trial_row(row, f"{path} line {line}")
        except StoreError as exc:
            raise ImportMappingError(str(exc)) from None
        code = row.get("participant")
        if code is not None and (len(str(code)) > 100 or "\x00" in str(code)):
            raise ImportMappingError(f"{path} line {line}: participant code longer than 100 "
                                     "characters or with a NUL byte")
    check_value_ranges(rows, lines, path)
    check_duplicates(rows, lines, path, mapping)


def check_text_encoding(path: Path, encoding: str) -> None:
    """Decode the whole file first, so that a wrong encoding is named with its line and byte
    (Japanese labs' Excel writes Shift-JIS: ``--encoding cp932``)."""
    import bz2
    import gzip
    import lzma

    openers = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
    opener = openers.get(path.suffix.lower())
    try:
        if opener is not None:
            with opener(path, "rb") as handle:
                data = handle.read()
        else:
            data = path.read_bytes()
    except (OSError, EOFError, lzma.LZMAError) as exc:
        raise ImportMappingError(f"{path}: cannot be decompressed ({exc})") from None
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        hint = ""
        shown = encoding
        if encoding.lower().replace("-", "").replace("_", "") in ("utf8", "utf8sig"):
            shown = "UTF-8"
            try:
                data.decode("cp932")
                hint = "; it reads as Shift-JIS (Excel in Japanese): add --encoding cp932"
            except UnicodeDecodeError:
                hint = "; give its encoding with --encoding (e.g. cp932, latin-1)"
        raise ImportMappingError(
            f"{path} line {line} byte {column}: not valid {shown} text (byte "
            f"0x{data[exc.start]:02x}){hint}") from None


# ---------------------------------------------------------------------------- reading
def _read_table(path: Path, mapping: ImportMapping):
    import pandas as pd

    if not path.is_file():
        raise ImportMappingError(f"import: file {path} not found")
    check_text_encoding(path, mapping.encoding)
    separator = SEPARATORS[mapping.separator]
    try:
        frame = pd.read_csv(
            path, sep=separator, header=0 if mapping.header else None,
            names=None if mapping.header else mapping.column_names, dtype=str,
            keep_default_na=False, na_filter=False, encoding=mapping.encoding,
            engine="python" if separator == r"\s+" else "c", index_col=False)
    except UnicodeDecodeError as exc:
        raise ImportMappingError(f"{path}: not {mapping.encoding} text (byte {exc.start}); "
                                 "give the file's encoding with --encoding (e.g. cp932)") from None
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
    if field_name.startswith("factor:"):
        return str(raw_value)
    if field_name in NUMERIC_FIELDS or field_name in INTEGER_FIELDS or field_name.startswith("covariate:"):
        try:
            number = float(raw_value)
        except (TypeError, ValueError):
            raise ImportMappingError(f"{where}: {field_name} value {raw!r} is not a number") from None
        number *= mapping.scale.get(field_name, 1.0)
        if number != number or number in (float("inf"), float("-inf")):
            raise ImportMappingError(f"{where}: {field_name} value {raw!r} is not a finite number")
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
            row[name.partition(":")[2] if is_named_variable(name) else name] = _convert(
                name, values[position].strip(), where, mapping)
        for name, template in mapping.templates.items():
            try:
                row[name] = template.format(**{k: ("" if v is None else v) for k, v in row.items()})
            except KeyError as exc:
                raise ImportMappingError(f"mapping {mapping.name}: template for {name} uses "
                                         f"{exc.args[0]!r}, which is not a mapped field") from None
            except (ValueError, IndexError) as exc:
                raise ImportMappingError(f"mapping {mapping.name}: template for {name} "
                                         f"{template!r} cannot be filled ({exc})") from None
        if row.get("participant") in (None, ""):
            raise ImportMappingError(f"{path} line {_line_number(position, mapping)}: empty participant")
        rows.append(row)
    if not rows:
        raise ImportMappingError(f"{path}: no rows left after the mapping's filter {mapping.filters}")
    for name, spec in mapping.derive.items():
        derive_field(rows, name, spec, where=f"{path}: mapping {mapping.name} [derive.{name}]")
    check_rows(rows, [_line_number(p, mapping) for p in positions], path, mapping)
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
    named = [n.partition(":")[2] for n in mapping.columns if is_named_variable(n)]
    extra_names = [n for n in (*mapping.extras, *mapping.derive, *named) if n not in ROW_FIELDS]
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

    versions = software_versions()
    parameters = {"mapping": mapping.name, "dataset": mapping.dataset,
                  "files": [os.path.basename(p) for p in paths]}
    created = _create_import_sessions(store, study_name, mapping, built, data_hash,
                                      parameters, versions)
    try:
        for session_id, trials in created.sessions:
            for start in range(0, len(trials), IMPORT_CHUNK_ROWS):
                batch = [trial_values(row, session_id=session_id)
                         for row in trials[start:start + IMPORT_CHUNK_ROWS]]
                _write_chunk(store, batch)
                if progress:
                    progress(len(batch))
        with store.orm(write=True) as orm:
            orm.execute(update(Session).where(Session.id.in_([sid for sid, _ in created.sessions]))
                        .values(status="imported"))
            orm.commit()
    except BaseException:
        _remove_unfinished(store, created)
        raise
    return ImportResult(study=study_name, n_trials=len(rows), n_participants=n_participants,
                        files=[str(p) for p in paths], n_sessions=len(by_participant))


#: Trials per write transaction of an import: each chunk holds SQLite's write lock briefly,
#: so a session writing to the same file commits its trial between two chunks.
IMPORT_CHUNK_ROWS = 2000


@dataclass
class _CreatedImport:
    study_id: int
    study_created: bool
    participant_ids: list[int]
    sessions: list[tuple[int, list[dict[str, Any]]]]


def _write_chunk(store: Store, batch: list[dict[str, Any]]) -> None:
    from sqlalchemy.exc import OperationalError

    try:
        with store.orm(write=True) as orm:
            Store.insert_trial_values(orm, batch)
            orm.commit()
    except OperationalError as exc:
        raise store.write_error(exc, "the import was undone") from None


def _create_import_sessions(store, study_name, mapping, by_participant, data_hash, parameters,
                            versions) -> _CreatedImport:
    """In one short transaction: refuse a study that already has data, clear what an
    unfinished (killed) import of the same study left, and create the study, participants
    and sessions with status ``importing`` — invisible to the analysis until the last chunk
    is written and they become ``imported`` (one logical all-or-nothing unit)."""
    with store.orm(write=True) as orm:
        study_row = orm.scalar(select(Study).where(Study.name == study_name))
        study_created = study_row is None
        if study_row is not None:
            _clear_unfinished_study(orm, study_row.id)
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
        participant_ids, sessions = [], []
        participants: dict[str, Participant] = {}
        for (code, task, session_number), trials in by_participant.items():
            participant = participants.get(code)
            if participant is None:
                participant = orm.scalar(select(Participant).where(
                    Participant.study_id == study_row.id, Participant.code == code))
            if participant is None:
                participant = Participant(study_id=study_row.id, code=code)
                orm.add(participant)
                orm.flush()
                participant_ids.append(participant.id)
            participants[code] = participant
            session = Session(participant_id=participant.id, task=task,
                              session_number=session_number, status="importing",
                              stimulus_set=f"import:{study_name}", stimulus_set_hash=data_hash,
                              parameters=parameters, software_versions=versions,
                              response_mode=mapping.dataset.get("response_mode"))
            orm.add(session)
            orm.flush()
            sessions.append((session.id, trials))
        orm.commit()
        return _CreatedImport(study_row.id, study_created, participant_ids, sessions)


def _clear_unfinished_study(orm, study_id: int) -> None:
    """Delete the sessions (and their trials) an interrupted import left as ``importing``."""
    unfinished = list(orm.scalars(select(Session.id).join(Participant).where(
        Participant.study_id == study_id, Session.status == "importing")))
    if unfinished:
        orm.execute(delete(Trial).where(Trial.session_id.in_(unfinished)))
        orm.execute(delete(Session).where(Session.id.in_(unfinished)))
        orm.flush()


def _remove_unfinished(store: Store, created: _CreatedImport) -> None:
    """Undo an import that failed part-way (all or nothing); if even that fails (the
    database went away), the sessions stay ``importing``: never shown, cleared next time."""
    try:
        with store.orm(write=True) as orm:
            ids = [sid for sid, _ in created.sessions]
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                orm.execute(delete(Trial).where(Trial.session_id.in_(chunk)))
                orm.execute(delete(Session).where(Session.id.in_(chunk)))
            if created.participant_ids:
                orm.execute(delete(Participant).where(Participant.id.in_(created.participant_ids)))
            if created.study_created:
                orm.execute(delete(Study).where(Study.id == created.study_id))
            orm.commit()
    except Exception:  # noqa: BLE001 - the original error is the one to report
        pass


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
