"""Maximum-likelihood fitting per participant and pooled (BADS), and recovery studies.
See ``docs/models/fitting.md``."""

from models.fitting.ml import (FitResult, build_model, fit_participant, fit_per_participant,
                               fit_pooled, parse_model_spec, store_fit)
from models.fitting.parameters import FreeParameter, declared_parameters, default_free, parse_free

__all__ = ["FitResult", "build_model", "fit_participant", "fit_per_participant", "fit_pooled",
           "parse_model_spec", "store_fit", "FreeParameter", "declared_parameters",
           "default_free", "parse_free"]
