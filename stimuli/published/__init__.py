"""Published targets: every number mirrorlab takes from a paper, written down once.

One module per source (``glaser1984.py``, ``howard2006.py``, ...). Each module defines
``TABLES``, a tuple of :class:`PublishedTable`; this package finds the modules itself, so
adding a source means adding one module and touching nothing else. Readers (the simulated
participant, the models' fit reports, the analysis and the report) look tables up by key:

>>> from stimuli.published import published_table
>>> published_table("glaser1984-picture-naming").frame()      # doctest: +SKIP

Conventions, converted once inside the source module where a paper uses another:

* ``soa_ms`` is always word (distractor) onset − picture (target) onset, so negative means
  the word came first. Glaser & Düngelhoff's word-reading SOA (picture − word) is negated
  where it is written down.
* Latencies are in ms in columns whose names end in ``_ms``; effects are RT(condition) −
  RT(baseline), positive = inhibition, and say their baseline in ``measure``.
* ``tag`` is how exact the numbers are: ``SRC`` (primary source or a faithful
  re-implementation), ``FIG`` (read off a figure, about ±2–3 ms), ``2ND`` (a secondary
  source, not checked against the paper), ``MODEL`` (a model's published output).
* ``kind`` says what the numbers are: ``human`` (people's data, as aggregates) or ``model``
  (a published simulation). Published human aggregates are stored and analysed with
  ``source="published"``, never as ``human`` trials.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

TAGS = ("SRC", "FIG", "2ND", "MODEL")
KINDS = ("human", "model")


class UnknownTargetError(KeyError):
    """A published-target key that no source module defines."""


@dataclass(frozen=True)
class PublishedTable:
    """One published table: its rows (one dict each) and what they are.

    ``rows`` use mirrorlab's column names (``instruction``, ``condition``, ``soa_ms``,
    ``ordinal_position``, ``lag``, ``rt_ms``, ``effect_ms``, ...). ``n_participants`` and
    ``sd_columns`` say what a reader needs to weigh the numbers, where the paper gives them.
    """

    key: str
    task: str
    citation: str
    measure: str
    tag: str
    kind: str
    rows: tuple[dict[str, Any], ...]
    n_participants: int | None = None
    note: str = ""
    extras: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        if self.tag not in TAGS:
            raise ValueError(f"published table {self.key}: tag {self.tag!r} is not one of {TAGS}")
        if self.kind not in KINDS:
            raise ValueError(f"published table {self.key}: kind {self.kind!r} is not one of {KINDS}")
        if not self.rows:
            raise ValueError(f"published table {self.key} has no rows")

    def frame(self):
        """The rows as a DataFrame (pandas is imported only here)."""
        import pandas as pd

        return pd.DataFrame(list(self.rows))

    def mapping(self, key_column: str, value_column: str, **where: Any) -> dict[Any, Any]:
        """``{row[key_column]: row[value_column]}`` over the rows matching ``where``
        (e.g. ``mapping("condition", "rt_ms", instruction="word_reading")``)."""
        return {row[key_column]: row[value_column] for row in self.rows
                if all(row.get(k) == v for k, v in where.items())}


@lru_cache(maxsize=1)
def all_tables() -> dict[str, PublishedTable]:
    """Every table of every source module in this package, by key."""
    tables: dict[str, PublishedTable] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for table in getattr(module, "TABLES", ()):
            if table.key in tables:
                raise ValueError(f"published table {table.key} is defined twice "
                                 f"({info.name} and another source module)")
            tables[table.key] = table
    return tables


def published_table(key: str) -> PublishedTable:
    """The table with this key; an unknown key names the known ones."""
    tables = all_tables()
    if key not in tables:
        raise UnknownTargetError(f"unknown published target {key!r}; known: {', '.join(sorted(tables))}")
    return tables[key]


def tables_for_task(task: str) -> list[PublishedTable]:
    """Every published table of one task, in key order."""
    return [t for k, t in sorted(all_tables().items()) if t.task == task]
