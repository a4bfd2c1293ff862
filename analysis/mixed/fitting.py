"""Choosing and fitting the random-effects structure, with a documented simplification rule.

Rule (stated in the report and docs/analysis.md; Bates et al. 2015, Matuschek et al. 2017):

1. Start from the richest structure the engine can express for the design — ``maximal``
   ``(1 + slopes | participant) + (1 | item)`` on mixedlm, ``zero_correlation``
   ``(1 + slopes || participant) + (1 | item)`` on statsmodels — or fit exactly the one asked
   for (a requested structure is fitted as requested, singular or not, and flagged).
2. Accept the first fit that converged (the engine's flag *and* its gradient check) and is
   not singular.
3. A singular fit is simplified only where it is on the boundary. When the only (near-)zero
   variance is the item intercept, the fit is kept: a zero item variance removes nothing
   from the participant terms, and this fit *is* the participant-only model (same
   likelihood, same fixed effects and SEs) — a supported by-participant slope is never
   dropped because an item term is empty.
4. Otherwise (a participant variance at zero or a correlation at ±1) drop one level —
   maximal → zero-correlation → crossed intercepts — and refit.
5. Crossed intercepts are kept even when singular (a boundary estimate, as in lme4) and
   flagged as such.
6. Data with no items (no item column, or a single item) get the participant-only model —
   the same structures without ``(1 | item)`` — instead of no model.

Binomial models use crossed intercepts (the structure both engines and the measurement
support); a by-participant slope GLMM is available on mixedlm with ``structure``. Formulas of
any design, with the general form of this rule, are fitted by ``analysis.fit``.
"""

from __future__ import annotations

import pandas as pd

from analysis.errors import AnalysisInputError, EngineCapabilityError
from analysis.mixed.spec import STRUCTURES, FitResult, ModelSpec, random_effects_frame

ENGINES = ("statsmodels", "mixedlm")


def check_engine(engine: str) -> str:
    if engine not in ENGINES:
        raise AnalysisInputError(f"unknown engine {engine!r}; choose one of: {', '.join(ENGINES)}")
    return engine


def starting_structure(spec: ModelSpec, engine: str, requested: str = "auto") -> str:
    if requested not in ("auto", *STRUCTURES):
        raise AnalysisInputError(
            f"unknown random-effects structure {requested!r}; choose auto, {', '.join(STRUCTURES)}")
    if requested == "maximal" and engine == "statsmodels":
        raise EngineCapabilityError(
            "engine statsmodels cannot fit the maximal structure (correlated by-participant "
            "slopes); use --engine mixedlm, or --structure zero_correlation")
    if not spec.slopes:
        return "crossed_intercepts"
    if requested != "auto":
        return requested
    return "maximal" if engine == "mixedlm" else "zero_correlation"


def _failed(spec: ModelSpec, engine: str, frame: pd.DataFrame, error: Exception) -> FitResult:
    return FitResult(
        engine=engine, family=spec.family, structure=spec.structure, formula=spec.lme4_formula(),
        fixed_effects=pd.DataFrame(columns=["term", "estimate", "se", "statistic", "statistic_name"]),
        random_effects=random_effects_frame([]), log_likelihood=None, reml=spec.family == "gaussian",
        converged=False, singular=False, optimum_check=None, n_obs=len(frame),
        n_participants=frame["participant"].nunique(), n_items=frame["item"].nunique() if spec.item_effects else 0, cpu_s=0.0,
        error=f"{type(error).__name__}: {error}".splitlines()[0])


def fit_one(spec: ModelSpec, frame: pd.DataFrame, engine: str) -> FitResult:
    """Fit one structure on one engine; an engine failure becomes a FitResult with ``error``."""
    if engine == "mixedlm":
        from analysis.mixed import mixedlm_engine as module
    else:
        from analysis.mixed import statsmodels_engine as module
    try:
        if spec.family == "binomial":
            return module.fit_binomial(spec, frame)
        return module.fit_lmm(spec, frame)
    except AnalysisInputError:
        raise
    except Exception as exc:  # noqa: BLE001 - numerical failures are reported, then simplified
        return _failed(spec, engine, frame, exc)


def fit_with_simplification(spec: ModelSpec, data: pd.DataFrame, engine: str = "statsmodels",
                            structure: str = "auto") -> list[FitResult]:
    """Every attempt in order; exactly one has ``chosen = True`` (unless all failed)."""
    check_engine(engine)
    if spec.item_effects and ("item" not in data.columns or data["item"].dropna().nunique() < 2):
        # no items (or one): the participant-only model is the one these data support
        spec = spec.without_items()
    frame = spec.model_frame(data)
    if frame["participant"].nunique() < 2:
        raise AnalysisInputError(
            f"mixed model of {spec.response}: only one participant — participants cannot be a random effect")
    if spec.family == "binomial":
        first = structure if structure in STRUCTURES and spec.slopes else "crossed_intercepts"
        if engine == "statsmodels":
            if structure not in ("auto", "crossed_intercepts") and spec.slopes:
                raise EngineCapabilityError(
                    f"engine statsmodels fits binomial models with crossed intercepts only, not "
                    f"{structure}; use --engine mixedlm")
            first = "crossed_intercepts"
    else:
        first = starting_structure(spec, engine, structure)
    if structure != "auto":
        if engine == "statsmodels":
            say_statsmodels_cost(spec, frame, first)
        result = fit_one(spec.with_structure(first), frame, engine)
        if result.ok:
            result.chosen = True
            result.why = "requested structure, fitted as requested" + (
                " (singular: a boundary estimate, flagged)" if result.singular else "")
        return [result]
    if engine == "statsmodels":
        say_statsmodels_cost(spec, frame, first)
    order = list(STRUCTURES[STRUCTURES.index(first):])
    attempts: list[FitResult] = []
    for index, level in enumerate(order):
        result = fit_one(spec.with_structure(level), frame, engine)
        attempts.append(result)
        last = index == len(order) - 1
        if (result.ok and result.singular and not last and spec.item_effects
                and boundary_groups(result) == ["item"]):
            result.chosen = True
            result.why = ("singular only because the item variance is (near) zero: the item term "
                          "is empty, so this fit equals the participant-only model; the "
                          "by-participant terms are supported and kept")
            break
        if result.ok and (not result.singular or last):
            result.chosen = True
            reasons = [f"{a.structure}: " + ("failed (" + a.error + ")" if a.error else
                                              "did not converge" if not a.converged else "singular fit")
                       for a in attempts[:-1]]
            result.why = ("richest structure that converged without singularity"
                          if not result.singular else "simplest structure; boundary (singular) fit kept")
            if level == first and not reasons:
                result.why = ("starting structure for this engine and design: converged, not singular"
                              if not result.singular else result.why)
            if reasons:
                result.why += "; simplified because " + "; ".join(reasons)
            break
    return attempts


def say_statsmodels_cost(spec: ModelSpec, frame: pd.DataFrame, structure: str) -> None:
    """Say on stderr, before fitting, when a statsmodels fit is expected to be slow or large."""
    import sys

    from analysis.mixed.engine_cost import statsmodels_cost_note

    per_participant = 1 + (len(spec.slope_columns()) if structure != "crossed_intercepts" else 0)
    columns = (frame["participant"].nunique() * per_participant
               + (frame["item"].nunique() if spec.item_effects else 0))
    note = statsmodels_cost_note(len(frame), columns, 1 + per_participant)
    if note:
        print(f"mirrorlab: note: {note}", file=sys.stderr, flush=True)


#: lme4's singularity tolerance on SDs relative to the residual SD.
ZERO_RELATIVE_SD = 1e-4


def boundary_groups(result: FitResult) -> list[str]:
    """Groups whose variance is (near) zero or whose correlation is at ±1 in this fit."""
    rows = result.random_effects
    residual = rows.loc[rows["group"] == "Residual", "sd"]
    scale = float(residual.iloc[0]) if len(residual) and float(residual.iloc[0]) > 0 else 1.0
    terms = rows[(rows["group"] != "Residual") & rows["term2"].isna()]
    zero = set(terms.loc[terms["sd"] / scale < ZERO_RELATIVE_SD, "group"])
    pairs = rows[rows["term2"].notna()]
    ones = set(pairs.loc[pairs["corr"].abs() > 1 - 1e-4, "group"])
    return sorted(zero | ones)


def chosen(attempts: list[FitResult]) -> FitResult | None:
    return next((a for a in attempts if a.chosen), None)
