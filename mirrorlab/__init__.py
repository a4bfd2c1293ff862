"""mirrorlab: the same stimuli for people (PsychoPy) and models, one trial table, one comparison."""

__version__ = "0.1.0"
