"""The one error class of ``stimuli``: a stimulus file the user has to fix.

Its message is one line naming the file, the line, the column, the bad value and what was
expected, so that ``mirrorlab`` can print it without a traceback (``user_facing = True``).
The parts are also kept as attributes so that tests and tools can check them.
"""

from __future__ import annotations

from pathlib import Path


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


class StimulusError(ValueError):
    """A stimulus set that cannot be used, explained in one line (what and where)."""

    user_facing = True

    def __init__(self, message: str, *, path: str | Path | None = None, line: int | None = None,
                 column: str | None = None, value: object = None, expected: str | None = None):
        self.path = str(path) if path is not None else None
        self.line = line
        self.column = column
        self.value = value
        self.expected = expected
        where = []
        if self.path:
            where.append(self.path)
        if line is not None:
            where.append(f"line {line}")
        if column is not None:
            where.append(f"column '{column}'")
        text = _one_line(message)
        if value is not None:
            text += f": {_one_line(repr(value))}"
        if expected:
            text += f" (expected {_one_line(expected)})"
        super().__init__(f"{', '.join(where)}: {text}" if where else text)
