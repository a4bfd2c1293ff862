"""Strict reading of a stimulus CSV file, keeping the line number of every row.

Why not ``pandas.read_csv``: a validation error must name the line and column, a non-UTF-8
byte must be reported with its line and byte offset, and nothing may be guessed (no type
inference turning item ids ``007`` into ``7``). Every value stays a string, stripped of
surrounding spaces; the caller converts what it needs.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from stimuli.errors import StimulusError


@dataclass(frozen=True)
class CsvTable:
    """A validated CSV file: its header, its rows (dicts of strings) and each row's line."""

    path: Path
    columns: tuple[str, ...]
    rows: tuple[dict[str, str], ...]
    lines: tuple[int, ...]

    def line_of(self, row_index: int) -> int:
        return self.lines[row_index]


def decode_utf8(raw: bytes, path: Path) -> str:
    """Decode UTF-8 (a BOM is allowed) or say exactly where the first bad byte is."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start
        line = raw.count(b"\n", 0, offset) + 1
        line_start = raw.rfind(b"\n", 0, offset) + 1
        raise StimulusError(
            f"byte {offset - line_start + 1} of the line (offset {offset} in the file) is not "
            f"valid UTF-8", path=path, line=line, value=f"0x{raw[offset]:02x}",
            expected="a UTF-8 text file; re-save it as 'CSV UTF-8'") from None
    return text[1:] if text.startswith("\ufeff") else text


def read_csv_table(path: Path, *, required: tuple[str, ...], optional: tuple[str, ...] = (),
                   allow_extra: bool = True) -> CsvTable:
    """Read ``path`` and check its header and row widths.

    ``required`` columns must be present; unknown columns are refused unless ``allow_extra``.
    A file with a header but no data row ("empty body") is refused.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise StimulusError("file not found", path=path) from None
    except IsADirectoryError:
        raise StimulusError("is a folder, not a CSV file", path=path) from None
    text = decode_utf8(raw, path)
    if not text.strip():
        raise StimulusError("the file is empty", path=path, expected="a header line and rows")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise StimulusError(f"unreadable CSV header ({exc})", path=path, line=1) from None
    columns = tuple(name.strip() for name in header)
    seen: set[str] = set()
    for name in columns:
        if not name:
            raise StimulusError("empty column name in the header", path=path, line=1,
                                expected="every column named")
        if name in seen:
            raise StimulusError("column named twice in the header", path=path, line=1,
                                column=name)
        seen.add(name)
    for name in required:
        if name not in seen:
            raise StimulusError("missing column", path=path, line=1, column=name,
                                expected=f"columns {', '.join(required)}")
    if not allow_extra:
        known = set(required) | set(optional)
        for name in columns:
            if name not in known:
                raise StimulusError("unknown column", path=path, line=1, column=name,
                                    expected=f"only {', '.join((*required, *optional))}")
    rows: list[dict[str, str]] = []
    lines: list[int] = []
    while True:
        line = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise StimulusError(f"unreadable CSV row ({exc})", path=path, line=line) from None
        if not values or all(not value.strip() for value in values):
            continue  # blank lines are allowed (spreadsheets add them)
        if len(values) != len(columns):
            raise StimulusError(f"row has {len(values)} fields", path=path, line=line,
                                expected=f"{len(columns)} fields as in the header")
        rows.append({name: value.strip() for name, value in zip(columns, values)})
        lines.append(line)
    if not rows:
        raise StimulusError("no data rows after the header (empty body)", path=path, line=2,
                            expected="one row per item")
    return CsvTable(path=path, columns=columns, rows=tuple(rows), lines=tuple(lines))
