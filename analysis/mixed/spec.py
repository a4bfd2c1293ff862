"""What a mixed model is (response, predictors, random-effects structure) and what a fit returns,
independent of the engine that fits it.

Names of fixed effects are the same for every engine: ``(Intercept)``, ``condition[neutral]``
(treatment contrast of level *neutral* against the first level), ``preceding_members`` for a
numeric predictor, ``condition[related]:soa_ms[100]`` for an interaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from analysis.errors import AnalysisInputError

#: Random-effects structures, richest first (the simplification order).
STRUCTURES = ("maximal", "zero_correlation", "crossed_intercepts")

STRUCTURE_LABELS = {
    "maximal": "maximal: (1 + slopes | participant) + (1 | item)",
    "zero_correlation": "zero-correlation (||): (1 + slopes || participant) + (1 | item)",
    "crossed_intercepts": "crossed intercepts: (1 | participant) + (1 | item)",
}


@dataclass(frozen=True)
class Predictor:
    """A fixed-effect predictor: categorical with ordered ``levels`` (first = reference) or numeric."""

    name: str
    levels: tuple[str, ...] | None = None

    @property
    def categorical(self) -> bool:
        return self.levels is not None

    def contrast_labels(self) -> list[str]:
        if not self.categorical:
            return [self.name]
        return [f"{self.name}[{level}]" for level in self.levels[1:]]


@dataclass(frozen=True)
class ModelSpec:
    """One mixed model: ``response ~ predictors (+ interactions)`` with participants and items
    crossed — or participants only (``item_effects=False``), the one model data without items
    (or with a single item) support."""

    response: str
    predictors: tuple[Predictor, ...]
    family: str = "gaussian"                      # or "binomial"
    interactions: tuple[tuple[str, str], ...] = ()
    slopes: tuple[str, ...] = ()                  # predictors with by-participant slopes
    structure: str = "crossed_intercepts"
    item_effects: bool = True                     # False: participants are the only random factor

    def with_structure(self, structure: str) -> "ModelSpec":
        return replace(self, structure=structure)

    def without_items(self) -> "ModelSpec":
        return replace(self, item_effects=False)

    def random_part(self, slope_terms: str) -> str:
        """The random-effects terms of this structure; ``slope_terms`` as the engine writes them."""
        participant = {
            "maximal": f"(1 + {slope_terms} | participant)",
            "zero_correlation": f"(1 + {slope_terms} || participant)",
            "crossed_intercepts": "(1 | participant)",
        }[self.structure]
        return participant + (" + (1 | item)" if self.item_effects else "")

    def predictor(self, name: str) -> Predictor:
        return next(p for p in self.predictors if p.name == name)

    def fixed_rhs(self) -> str:
        terms = [p.name for p in self.predictors] + [f"{a}:{b}" for a, b in self.interactions]
        return " + ".join(terms) if terms else "1"

    def slope_labels(self) -> list[str]:
        return [label for name in self.slopes for label in self.predictor(name).contrast_labels()]

    def lme4_formula(self) -> str:
        """The model as R's lme4 would write it (what the report shows)."""
        return f"{self.response} ~ {self.fixed_rhs()} + {self.random_part(' + '.join(self.slopes))}"

    def model_frame(self, data: pd.DataFrame) -> pd.DataFrame:
        """Columns ``y``, ``participant``, ``item`` and the predictors, typed for both engines."""
        needed = (self.response, "participant", *(["item"] if self.item_effects else []),
                  *[p.name for p in self.predictors])
        missing = [c for c in needed if c not in data.columns]
        if missing:
            raise AnalysisInputError(f"mixed model: data lack column(s) {', '.join(missing)}")
        frame = pd.DataFrame({
            self.response: pd.to_numeric(data[self.response], errors="coerce").astype(float),
            "participant": data["participant"].astype(str),
            # rows without an item drop out of an item-crossed model; unused otherwise
            "item": data["item"].astype(str).where(data["item"].notna()) if self.item_effects else "",
        })
        for p in self.predictors:
            if p.categorical:
                values = data[p.name].astype(str)
                unknown = sorted(set(values) - set(p.levels))
                if unknown:
                    raise AnalysisInputError(
                        f"mixed model: {p.name} has level(s) {', '.join(unknown)} outside {', '.join(p.levels)}")
                frame[p.name] = pd.Categorical(values, categories=list(p.levels))
            else:
                frame[p.name] = pd.to_numeric(data[p.name], errors="coerce").astype(float)
        frame = frame.dropna().reset_index(drop=True)
        if frame.empty:
            raise AnalysisInputError(f"mixed model: no complete rows for {self.response}")
        # numeric 0/1 (or numeric) columns for slopes written with ||, named slope_0, slope_1, ...
        for index, (name, label) in enumerate(self.slope_columns()):
            p = self.predictor(name)
            if p.categorical:
                level = label[len(name) + 1:-1]
                frame[f"slope_{index}"] = (frame[name].astype(str) == level).astype(float)
            else:
                frame[f"slope_{index}"] = frame[name]
        return frame

    def slope_columns(self) -> list[tuple[str, str]]:
        """(predictor, contrast label) of each by-participant slope column, in order."""
        return [(name, label) for name in self.slopes for label in self.predictor(name).contrast_labels()]


class FittedEffects:
    """What a fitted model answers about itself (needs ``fixed_effects``, ``error`` and
    ``converged``): shared by the engines' :class:`FitResult` and the formula engine's fit."""

    @property
    def ok(self) -> bool:
        return self.error is None and self.converged

    def fixed(self, term: str, column: str = "estimate") -> float:
        row = self.fixed_effects.loc[self.fixed_effects["term"] == term]
        if row.empty:
            raise KeyError(term)
        return float(row[column].iloc[0])


@dataclass
class FitResult(FittedEffects):
    """What every engine returns for one fitted model (also for one that failed)."""

    engine: str
    family: str
    structure: str
    formula: str
    fixed_effects: pd.DataFrame          # term, estimate, se, statistic
    random_effects: pd.DataFrame         # group, term, term2, variance, sd, corr
    log_likelihood: float | None
    reml: bool
    converged: bool
    singular: bool
    optimum_check: float | None          # mixedlm: gradient norm; statsmodels: Newton-predicted log-lik gain
    n_obs: int
    n_participants: int
    n_items: int
    cpu_s: float
    se_definition: str = ""
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    chosen: bool = False
    why: str = ""

    def variance(self, group: str, term: str = "(Intercept)") -> float:
        rows = self.random_effects
        row = rows.loc[(rows["group"] == group) & (rows["term"] == term) & rows["term2"].isna()]
        if row.empty:
            raise KeyError((group, term))
        return float(row["variance"].iloc[0])

    def summary_row(self) -> dict[str, Any]:
        return {
            "engine": self.engine, "family": self.family, "structure": self.structure,
            "structure_label": STRUCTURE_LABELS.get(self.structure, self.structure),
            "formula": self.formula, "chosen": self.chosen, "why": self.why,
            "converged": self.converged, "singular": self.singular,
            "log_likelihood": self.log_likelihood, "reml": self.reml, "optimum_check": self.optimum_check,
            "n_obs": self.n_obs, "n_participants": self.n_participants, "n_items": self.n_items,
            "cpu_s": round(self.cpu_s, 3), "se_definition": self.se_definition,
            "notes": " ".join(self.notes), "error": self.error,
        }


RANDOM_COLUMNS = ["group", "term", "term2", "variance", "sd", "corr"]


def random_effects_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=RANDOM_COLUMNS)
    frame["term2"] = frame["term2"].astype(object).where(frame["term2"].notna(), None)
    return frame


def fixed_effects_frame(terms: list[str], estimates, ses, statistic_name: str = "t") -> pd.DataFrame:
    estimates = np.asarray(estimates, dtype=float)
    ses = np.asarray(ses, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = estimates / ses
    return pd.DataFrame({"term": terms, "estimate": estimates, "se": ses, "statistic": statistic,
                         "statistic_name": statistic_name})
