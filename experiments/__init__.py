"""PsychoPy experiments with people: the tasks, the session runner and the voice key.

Heavy imports (psychopy, psychtoolbox) happen inside the modules that need them, so that
importing this package (and ``mirrorlab --help``) stays fast.
"""
