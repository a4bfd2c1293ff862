"""Choosing and fitting the random-effects structure, with a documented simplification rule.

Rule (stated in the report and docs/analysis.md):

1. Start from the richest structure the engine can express for the design — ``maximal``
   ``(1 + slopes | participant) + (1 | item)`` on mixedlm, ``zero_correlation``
   ``(1 + slopes || participant) + (1 | item)`` on statsmodels — or from the one asked for.
   Designs without a within-participant predictor start at crossed intercepts.
2. Accept the first fit that converged (the engine's flag *and* its gradient check) and is
   not singular.
3. Otherwise drop one level — maximal → zero-correlation → crossed intercepts — and refit.
4. Crossed intercepts are kept even when singular (a zero item or participant variance is
   a boundary estimate, as in lme4) and flagged as such.

Binomial models use crossed intercepts (the structure both engines and the measurement
support); a by-participant slope GLMM is available on mixedlm with ``structure``.
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
        n_participants=frame["participant"].nunique(), n_items=frame["item"].nunique(), cpu_s=0.0,
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
    frame = spec.model_frame(data)
    if frame["participant"].nunique() < 2:
        raise AnalysisInputError(
            f"mixed model of {spec.response}: only one participant — participants cannot be a random effect")
    if frame["item"].nunique() < 2:
        raise AnalysisInputError(
            f"mixed model of {spec.response}: only one item — items cannot be a random effect")
    if spec.family == "binomial":
        first = structure if structure in STRUCTURES and spec.slopes else "crossed_intercepts"
        if engine == "statsmodels":
            first = "crossed_intercepts"
    else:
        first = starting_structure(spec, engine, structure)
    order = list(STRUCTURES[STRUCTURES.index(first):])
    attempts: list[FitResult] = []
    for index, level in enumerate(order):
        result = fit_one(spec.with_structure(level), frame, engine)
        attempts.append(result)
        last = index == len(order) - 1
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


def chosen(attempts: list[FitResult]) -> FitResult | None:
    return next((a for a in attempts if a.chosen), None)
