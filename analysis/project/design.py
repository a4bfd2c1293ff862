"""What a replication estimates: one fixed effect of the preregistered mixed model.

Two shapes cover the four targets: a **contrast** between two conditions (Stroop interference:
incongruent − congruent; picture–word semantic interference: related − unrelated) and a
**slope** over a numeric predictor (cumulative semantic interference: ms per ordinal
position). The predictor is coded so that the fixed effect *is* the effect: 0/1 for a
contrast, the raw position for a slope.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

KINDS = ("contrast", "slope")


@dataclass(frozen=True)
class EffectDesign:
    """``kind`` contrast: ``levels = (reference, treatment)`` of ``predictor``; kind slope:
    ``levels`` are the predictor's numeric values (e.g. ordinal positions 1–5)."""

    kind: str
    predictor: str
    levels: tuple[Any, ...]
    where: tuple[tuple[str, Any], ...] = ()

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"effect kind {self.kind!r} is not one of {KINDS}")
        if self.kind == "contrast" and len(self.levels) != 2:
            raise ValueError("a contrast has exactly two levels (reference, treatment)")
        if self.kind == "slope" and len(self.levels) < 2:
            raise ValueError("a slope needs at least two predictor values")

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> "EffectDesign":
        return cls(kind=str(data["kind"]), predictor=str(data["predictor"]),
                   levels=tuple(data["levels"]),
                   where=tuple(sorted((str(k), v) for k, v in dict(data.get("where", {})).items())))

    def to_mapping(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "predictor": self.predictor,
                                "levels": list(self.levels)}
        if self.where:
            data["where"] = dict(self.where)
        return data

    def x_values(self):
        """The coded predictor value of each level (0/1, or the numeric levels)."""
        import numpy as np

        if self.kind == "contrast":
            return np.array([0.0, 1.0])
        return np.asarray(self.levels, dtype=float)

    def coded(self, values):
        """The coded predictor of raw column values (NaN where a value is not a level)."""
        import pandas as pd

        series = pd.Series(values)
        if self.kind == "contrast":
            mapping = {self.levels[0]: 0.0, self.levels[1]: 1.0}
            return series.map(mapping).astype(float).to_numpy()
        numeric = pd.to_numeric(series, errors="coerce").astype(float)
        return numeric.where(numeric.isin([float(v) for v in self.levels])).to_numpy()
