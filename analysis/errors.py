"""Errors in the data or options given to the analysis that the user can fix.

``user_facing = True`` makes the command line print the one-line message (what and where)
instead of a traceback.
"""


class AnalysisInputError(ValueError):
    """Data or options the analysis cannot use: no trials, unknown task/model/engine, a model
    structure the chosen engine cannot express."""

    user_facing = True


class EngineCapabilityError(AnalysisInputError):
    """The chosen engine cannot express the requested model; the message names the one that can."""
