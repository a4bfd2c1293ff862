"""A task's analysis, read from its task card (``stimuli.tasks``): the rows analysed, the cells
condition means are taken over, and the mixed models of its design.

The card declares the design once (``TaskCard.analysis``: condition order, cell columns, the
fixed effects as formula text, by-participant slopes, factors and numeric predictors made from
trial columns); this module turns it into ``ModelSpec``s for the data at hand, dropping the
terms the data cannot support (a factor with one level, a condition with one level).

A "subset" is fitted separately (Stroop colour naming and word reading are different tasks
with different RT scales); imported data without an instruction form one subset.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.errors import AnalysisInputError
from analysis.mixed.spec import ModelSpec, Predictor
from stimuli.tasks import AnalysisDesign, TaskCard, UnknownTaskError, task_card


@dataclass(frozen=True)
class TaskDesign:
    """The card's ``AnalysisDesign`` applied to trial frames."""

    task: str
    card: TaskCard

    @property
    def analysis(self) -> AnalysisDesign:
        return self.card.analysis

    @property
    def condition_levels(self) -> tuple[str, ...]:
        """Condition levels in contrast and display order (first present level = reference)."""
        return self.analysis.condition_levels

    @property
    def cell_columns(self) -> tuple[str, ...]:
        return self.analysis.cell_columns

    def analysis_rows(self, trials: pd.DataFrame) -> pd.DataFrame:
        """Rows and derived columns this task's analyses use (``participant``, ``item``,
        ``subset``, the card's factors and numeric predictors)."""
        design = self.analysis
        frame = trials.copy()
        if design.analysed_conditions is not None:
            frame = frame[frame["condition"].isin(design.analysed_conditions)]
        frame["participant"] = frame["agent"].astype(str)
        frame["item"] = frame["item_id"].astype(str)
        frame["subset"] = frame["instruction"].astype(object).where(frame["instruction"].notna(), "all")
        frame["subset"] = frame["subset"].replace("", "all")
        for factor in design.factors:
            frame[factor.column] = pd.to_numeric(frame[factor.column], errors="coerce").fillna(factor.missing)
            frame[factor.name] = frame[factor.column].map(lambda v: f"{v:g}")
        for column in design.numeric_columns:
            frame[column] = pd.to_numeric(frame[column], errors="coerce")
        for predictor in design.numeric_predictors:
            values = pd.to_numeric(frame[predictor.column], errors="coerce")
            frame = frame[values.notna()]
            frame[predictor.name] = values[values.notna()] + predictor.offset
        return frame

    def levels_present(self, human: pd.DataFrame) -> tuple[str, ...]:
        present = set(human["condition"].dropna().astype(str))
        known = [c for c in self.condition_levels if c in present]
        return tuple(known + sorted(present - set(known)))

    def rt_spec(self, human: pd.DataFrame, response: str = "rt_ms", family: str = "gaussian") -> ModelSpec | None:
        """The mixed model of one subset's human data (the card's fixed effects, without the
        terms these data cannot support), or None if there is nothing to contrast."""
        design = self.analysis
        factors = {f.name: f for f in design.factors}
        numeric = {p.name for p in design.numeric_predictors}
        predictors: dict[str, Predictor] = {}
        interactions: list[tuple[str, str]] = []
        for term in design.terms():
            if ":" in term:
                interactions.append(tuple(part.strip() for part in term.split(":", 1)))
                continue
            if term == "condition":
                levels = self.levels_present(human)
                if len(levels) < 2:
                    return None
                predictors[term] = Predictor("condition", levels)
            elif term in factors:
                values = sorted(human[factors[term].column].unique())
                if len(values) > 1:
                    predictors[term] = Predictor(term, tuple(f"{v:g}" for v in values))
            elif term in numeric:
                if human[term].nunique() < 2:
                    return None
                predictors[term] = Predictor(term)
            else:
                raise AnalysisInputError(f"task {self.task}: the card's fixed effect {term!r} is not "
                                         "condition, a factor or a numeric predictor")
        if not predictors:
            return None
        kept = tuple((a, b) for a, b in interactions if a in predictors and b in predictors)
        slopes = tuple(name for name in design.random_slopes if name in predictors)
        return ModelSpec(response, tuple(predictors.values()), family, interactions=kept, slopes=slopes)


def design_for(task: str) -> TaskDesign:
    """The analysis design of ``task``'s card; an unknown task names the known ones."""
    try:
        return TaskDesign(task, task_card(task))
    except UnknownTaskError as error:
        raise AnalysisInputError(str(error)) from None


def describe_levels(values) -> str:
    values = [v for v in values if v is not None and not (isinstance(v, float) and np.isnan(v))]
    return ", ".join(str(v) for v in values)
