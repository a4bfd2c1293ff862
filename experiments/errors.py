"""Errors of a session that are the experimenter's to fix (unknown task, bad parameter,
missing picture, nothing left to resume). ``user_facing = True`` makes the command line print
the message as one line, without a traceback, and exit with status 2."""

from __future__ import annotations


class ExperimentError(Exception):
    """A problem with how a session was asked for, explained in one line."""

    user_facing = True


class SessionAborted(Exception):
    """Raised inside the runner when the experimenter confirms Escape; not an error."""
