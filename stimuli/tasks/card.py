"""``TaskCard``: everything mirrorlab knows about one task, declared once.

A card says what a task's stimulus sets contain (columns, conditions, roles, design options),
how a set becomes a trial list (the generator in ``stimuli/generators/``), how its items and
fixed trial lists are checked, how the simulated participant answers it, how it is analysed
(mixed-model formulas, condition cells, the curves the report draws) and which published
tables (keys of ``stimuli.published``) are its human targets. Experiments, models, analysis
and the report look the card up (``stimuli.tasks.task_card(name)``); none of them switches on
a task name. Adding a task = one card (registered with ``register_card``) + its PsychoPy
presentation (``experiments.tasks``).

This module imports nothing heavy: ``stimuli`` never imports psychopy, torch or statsmodels.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

LANGUAGES = ("en", "ja")
ROLE_PRACTICE = "practice"
ROLE_EXPERIMENTAL = "experimental"
ROLE_FILLER = "filler"
RESPONSE_MODES = ("keyboard", "voice")


@dataclass(frozen=True)
class Factor:
    """A categorical predictor made from a numeric trial column (e.g. ``soa`` from ``soa_ms``):
    one level per distinct value, written ``f"{value:g}"``; missing values become ``missing``.
    A factor with a single level in the data is left out of the model (with its interactions)."""

    name: str
    column: str
    missing: float = 0.0


@dataclass(frozen=True)
class NumericPredictor:
    """A numeric predictor computed as ``column + offset`` (e.g. ``preceding_members`` =
    ``ordinal_position − 1``). Rows without a value in ``column`` are not analysed."""

    name: str
    column: str
    offset: float = 0.0


@dataclass(frozen=True)
class Curve:
    """A curve the report draws, one line per source (people, each model, published).

    ``measure="effect"``: RT(condition) − RT(baseline) per ``x`` value and subset, from the
    condition means (``baseline``: the conditions tried as baseline, the first present wins);
    one panel per condition in ``panels``. ``measure="rt"``: mean RT per ``x`` value.
    ``targets``: published-table keys drawn as the third series (their rows carry ``x`` and
    ``effect_ms`` or ``rt_ms``; an ``instruction`` column is matched to the subset).
    """

    name: str
    x: str
    title: str
    x_label: str
    measure: str = "rt"
    baseline: tuple[str, ...] = ()
    panels: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()

    def __post_init__(self):
        if self.measure not in ("rt", "effect"):
            raise ValueError(f"curve {self.name}: measure must be 'rt' or 'effect'")
        if self.measure == "effect" and not self.baseline:
            raise ValueError(f"curve {self.name}: an effect curve needs a baseline condition")


@dataclass(frozen=True)
class AnalysisDesign:
    """How a task is analysed.

    ``condition_levels``: contrast and display order (the first level present is the
    reference). ``cell_columns``: the columns one cell of the condition means is defined by.
    ``fixed_effects``: the right-hand side of the mixed models as formula text (terms joined by
    ``+``, interactions ``a:b``); a term is ``condition``, a ``Factor`` or a
    ``NumericPredictor`` name. ``random_slopes``: the terms with by-participant slopes (the
    maximal structure; the analysis simplifies by its documented rule).
    ``analysed_conditions``: only these conditions' trials are analysed (None: all).
    ``numeric_columns``: trial columns read as numbers (cells and curves).
    ``cell_targets``: a published table whose ``rt_ms`` is shown beside each cell (matched
    on the cell columns it has; its ``instruction`` matched to the subset).
    """

    condition_levels: tuple[str, ...]
    cell_columns: tuple[str, ...] = ("condition",)
    fixed_effects: str = "condition"
    random_slopes: tuple[str, ...] = ("condition",)
    factors: tuple[Factor, ...] = ()
    numeric_predictors: tuple[NumericPredictor, ...] = ()
    analysed_conditions: tuple[str, ...] | None = None
    numeric_columns: tuple[str, ...] = ()
    curves: tuple[Curve, ...] = ()
    condition_means_figure: bool = True
    choice_agreement: bool = False
    cell_targets: str | None = None

    def terms(self) -> list[str]:
        return [term.strip() for term in self.fixed_effects.split("+") if term.strip()]

    def formulas(self) -> dict[str, str]:
        """The maximal mixed models as lme4 formula text (what the analysis starts from)."""
        slopes = " + ".join(self.random_slopes)
        random = f"(1 + {slopes} | participant) + (1 | item)" if slopes else \
            "(1 | participant) + (1 | item)"
        return {"rt": f"rt_ms ~ {self.fixed_effects} + {random}",
                "accuracy": f"correct ~ {self.fixed_effects} + {random}  (binomial)"}


def _never(trial: Mapping[str, Any]) -> bool:
    return False


@dataclass(frozen=True)
class TaskCard:
    """One task, declared once (see the module docstring).

    Stimulus sets: ``required_columns`` / ``optional_columns`` of ``items.csv``,
    ``conditions`` (as written in sets and trial lists), ``baseline`` (the condition effects
    are measured against, or None), ``instructions`` (the first is the default), ``roles``,
    ``design_defaults`` (``set.toml`` ``[design]`` options and their defaults; the default's
    type is the type required). Trial lists: ``stimulus_columns`` (the task's columns of the
    trial list, besides the shared ones), ``trial_list`` (the generator), ``fixed_rows``
    (rows of a set's fixed ``trials.csv``), ``fixed_required`` (extra columns that file
    needs), ``item_condition`` (the condition an item implies, or None). Checks:
    ``check_items`` (validates ``items.csv`` rows, returns the picture sources),
    ``check_metadata`` and ``metadata_from_items`` (task keys of ``set.toml``, guessed for a
    lone CSV). Running: ``response_modes``, ``default_stimulus_set``; the simulated
    participant's mean RT (``simulated_mean_ms(trial, effect_scale)``) and its conflict trials
    (``conflict_trial(trial)``, answered with the higher error rate). ``analysis``: the
    ``AnalysisDesign``. ``human_targets``: keys of ``stimuli.published`` tables of people's
    data for this task.
    """

    name: str
    title: str
    required_columns: tuple[str, ...]
    conditions: tuple[str, ...]
    instructions: tuple[str, ...]
    stimulus_columns: tuple[str, ...]
    trial_list: Callable[..., Any]
    check_items: Callable[..., dict]
    analysis: AnalysisDesign
    simulated_mean_ms: Callable[[Mapping[str, Any], float], float]
    default_stimulus_set: str
    optional_columns: tuple[str, ...] = ("role", "notes")
    baseline: str | None = None
    roles: tuple[str, ...] = (ROLE_EXPERIMENTAL, ROLE_PRACTICE)
    design_defaults: dict[str, Any] = field(default_factory=dict)
    fixed_rows: Callable[..., list] | None = None
    fixed_required: tuple[str, ...] = ()
    item_condition: Callable[[Mapping[str, Any]], str | None] | None = None
    check_metadata: Callable[[dict, Any], None] | None = None
    metadata_from_items: Callable[[Any], dict] | None = None
    response_modes: tuple[str, ...] = RESPONSE_MODES
    conflict_trial: Callable[[Mapping[str, Any]], bool] = _never
    human_targets: tuple[str, ...] = ()
    #: True when a person's responses depend on the order of the trials they saw (continuous
    #: naming): models are then run on each person's own sequence (``fit --own-sequences``).
    order_matters: bool = False

    def __post_init__(self):
        unknown = set(self.analysis.condition_levels) - set(self.conditions)
        if unknown:
            raise ValueError(f"task card {self.name}: analysis levels {sorted(unknown)} are not "
                             f"conditions ({', '.join(self.conditions)})")
        if self.baseline is not None and self.baseline not in self.conditions:
            raise ValueError(f"task card {self.name}: baseline {self.baseline!r} is not a condition")
        for mode in self.response_modes:
            if mode not in RESPONSE_MODES:
                raise ValueError(f"task card {self.name}: response mode {mode!r} is not one of "
                                 f"{RESPONSE_MODES}")

    def targets(self):
        """The published human-target tables of this task (``stimuli.published``)."""
        from stimuli.published import published_table

        return [published_table(key) for key in self.human_targets]

    def citation(self) -> str:
        """The citations of this task's human targets, once each, in order."""
        seen: list[str] = []
        for table in self.targets():
            if table.citation not in seen:
                seen.append(table.citation)
        return "; ".join(seen)
