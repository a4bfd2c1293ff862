"""Task parameters declared like a jsPsych plugin's ``info``: name, type, default, unit, doc
and the study the default comes from.

A task lists its ``Parameter`` objects; ``resolve_parameters`` merges the defaults with the
experimenter's overrides (from ``--param name=value`` or the Python API), checks types and
ranges, and returns a plain dict that is stored with the session so it can be redone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from experiments.errors import ExperimentError


@dataclass(frozen=True)
class Parameter:
    """One task parameter. Times are in ms (``unit='ms'``), never frame counts."""

    name: str
    type: type
    default: Any
    doc: str
    unit: str = ""
    source: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[Any, ...] | None = None

    def convert(self, value: Any, where: str) -> Any:
        """Turn ``value`` (possibly a command-line string) into this parameter's type."""
        try:
            if self.type is bool and isinstance(value, str):
                lowered = value.strip().lower()
                if lowered not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
                    raise ValueError(value)
                converted: Any = lowered in ("1", "true", "yes", "on")
            elif self.type is dict:
                converted = _parse_mapping(value)
            elif self.type is tuple:
                converted = _parse_tuple(value)
            elif self.type is float and isinstance(value, bool):
                raise ValueError(value)
            else:
                converted = self.type(value)
        except (TypeError, ValueError):
            raise ExperimentError(
                f"{where}: parameter {self.name}={value!r} is not a {self.type.__name__}"
                + (f" ({self.unit})" if self.unit else "")) from None
        if self.minimum is not None and converted < self.minimum:
            raise ExperimentError(f"{where}: parameter {self.name}={converted} is below "
                                  f"{self.minimum}{' ' + self.unit if self.unit else ''}")
        if self.maximum is not None and converted > self.maximum:
            raise ExperimentError(f"{where}: parameter {self.name}={converted} is above "
                                  f"{self.maximum}{' ' + self.unit if self.unit else ''}")
        if self.choices is not None and converted not in self.choices:
            raise ExperimentError(f"{where}: parameter {self.name}={converted!r} is not one of "
                                  f"{', '.join(map(str, self.choices))}")
        return converted


def _parse_mapping(value: Any) -> dict[str, str]:
    """``{'red': 'd'}`` or the command-line form ``red:d,green:f``."""
    if isinstance(value, Mapping):
        return {str(k): str(v) for k, v in value.items()}
    pairs = [part.strip() for part in str(value).split(",") if part.strip()]
    mapping = {}
    for pair in pairs:
        key, sep, val = pair.partition(":")
        if not sep or not key.strip() or not val.strip():
            raise ValueError(value)
        mapping[key.strip()] = val.strip()
    return mapping


def _parse_tuple(value: Any) -> tuple:
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return tuple(part.strip() for part in str(value).split(",") if part.strip())


def resolve_parameters(declared: Iterable[Parameter], overrides: Mapping[str, Any] | None,
                       *, task: str) -> dict[str, Any]:
    """Defaults of ``declared`` with ``overrides`` applied; unknown names are refused."""
    by_name = {parameter.name: parameter for parameter in declared}
    resolved = {name: parameter.default for name, parameter in by_name.items()}
    for name, value in (overrides or {}).items():
        if name not in by_name:
            raise ExperimentError(
                f"task {task}: unknown parameter {name!r} (known: {', '.join(sorted(by_name))})")
        resolved[name] = by_name[name].convert(value, f"task {task}")
    return resolved


def parse_param_options(options: Iterable[str]) -> dict[str, str]:
    """``['iti_ms=500', 'key_map=red:d,green:f']`` from ``--param`` into a dict of strings."""
    parsed: dict[str, str] = {}
    for option in options:
        name, sep, value = option.partition("=")
        if not sep or not name.strip():
            raise ExperimentError(f"--param {option!r}: expected NAME=VALUE, e.g. iti_ms=500")
        parsed[name.strip()] = value.strip()
    return parsed


def describe(declared: Iterable[Parameter]) -> str:
    """A plain-text table of the parameters (for ``--list-params`` and the docs)."""
    lines = []
    for parameter in declared:
        unit = f" {parameter.unit}" if parameter.unit else ""
        source = f" [{parameter.source}]" if parameter.source else ""
        lines.append(f"  {parameter.name} = {parameter.default!r}{unit}: {parameter.doc}{source}")
    return "\n".join(lines)
