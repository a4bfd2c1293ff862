"""What each task's analysis looks like: its conditions, the cells condition means are taken
over, the fixed effects of its mixed models and which of them vary within participants.

A "subset" is fitted separately (Stroop colour naming and word reading are different tasks
with different RT scales); imported data without an instruction form one subset.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.errors import AnalysisInputError
from analysis.mixed.spec import ModelSpec, Predictor

TASKS = ("stroop", "picture-word", "association", "continuous-naming")


@dataclass(frozen=True)
class TaskDesign:
    task: str
    #: condition levels in the order used for contrasts (first present level = reference)
    condition_levels: tuple[str, ...]
    #: columns that define one cell of the condition means
    cell_columns: tuple[str, ...]
    #: rows analysed (e.g. only experimental trials in continuous naming)
    analysed_conditions: tuple[str, ...] | None = None
    numeric_predictor: str | None = None       # continuous naming: preceding category members

    def analysis_rows(self, trials: pd.DataFrame) -> pd.DataFrame:
        """Rows and derived columns this task's analyses use (``participant``, ``item``, ``subset``)."""
        frame = trials.copy()
        if self.analysed_conditions is not None:
            frame = frame[frame["condition"].isin(self.analysed_conditions)]
        frame["participant"] = frame["agent"].astype(str)
        frame["item"] = frame["item_id"].astype(str)
        frame["subset"] = frame["instruction"].astype(object).where(frame["instruction"].notna(), "all")
        frame["subset"] = frame["subset"].replace("", "all")
        if self.task == "picture-word":
            frame["soa_ms"] = pd.to_numeric(frame["soa_ms"], errors="coerce").fillna(0.0)
            frame["soa"] = frame["soa_ms"].map(lambda v: f"{v:g}")
        if self.task == "continuous-naming":
            frame["ordinal_position"] = pd.to_numeric(frame["ordinal_position"], errors="coerce")
            frame["lag"] = pd.to_numeric(frame["lag"], errors="coerce")
            frame = frame[frame["ordinal_position"].notna()]
            frame["preceding_members"] = frame["ordinal_position"] - 1
        return frame

    def levels_present(self, human: pd.DataFrame) -> tuple[str, ...]:
        present = set(human["condition"].dropna().astype(str))
        known = [c for c in self.condition_levels if c in present]
        return tuple(known + sorted(present - set(known)))

    def rt_spec(self, human: pd.DataFrame, response: str = "rt_ms", family: str = "gaussian") -> ModelSpec | None:
        """The mixed model of one subset's human data, or None if there is nothing to contrast."""
        if self.numeric_predictor:
            if human[self.numeric_predictor].nunique() < 2:
                return None
            predictor = Predictor(self.numeric_predictor)
            return ModelSpec(response, (predictor,), family, slopes=(predictor.name,))
        levels = self.levels_present(human)
        if len(levels) < 2:
            return None
        condition = Predictor("condition", levels)
        predictors = [condition]
        interactions: tuple[tuple[str, str], ...] = ()
        if self.task == "picture-word" and human["soa"].nunique() > 1:
            soas = tuple(f"{v:g}" for v in sorted(human["soa_ms"].unique()))
            predictors.append(Predictor("soa", soas))
            interactions = (("condition", "soa"),)
        return ModelSpec(response, tuple(predictors), family, interactions=interactions,
                         slopes=("condition",))


DESIGNS = {
    "stroop": TaskDesign("stroop", ("congruent", "neutral", "incongruent"), ("condition",)),
    "picture-word": TaskDesign("picture-word", ("unrelated", "related", "identical", "nonword"),
                               ("condition", "soa_ms")),
    "association": TaskDesign("association", ("words", "pictures"), ("condition",)),
    "continuous-naming": TaskDesign("continuous-naming", ("experimental",), ("ordinal_position",),
                                    analysed_conditions=("experimental",),
                                    numeric_predictor="preceding_members"),
}


def design_for(task: str) -> TaskDesign:
    if task not in DESIGNS:
        raise AnalysisInputError(f"unknown task {task!r}; known tasks: {', '.join(TASKS)}")
    return DESIGNS[task]


def describe_levels(values) -> str:
    values = [v for v in values if v is not None and not (isinstance(v, float) and np.isnan(v))]
    return ", ".join(str(v) for v in values)
