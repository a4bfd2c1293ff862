"""Mixed-effects models with participants and items crossed, on two engines (statsmodels,
mixedlm), with the same names and the same result object for both."""

from analysis.mixed.fitting import ENGINES, chosen, fit_one, fit_with_simplification
from analysis.mixed.spec import STRUCTURES, FitResult, ModelSpec, Predictor

__all__ = ["ENGINES", "STRUCTURES", "FitResult", "ModelSpec", "Predictor", "chosen", "fit_one",
           "fit_with_simplification"]
