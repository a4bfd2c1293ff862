"""Errors of the store that are the user's to fix (wrong URL, duplicate participant, bad
import mapping). ``user_facing = True`` tells the command line to print the message as one
line instead of a traceback."""


class StoreError(Exception):
    """A problem with the database or with data going into it, explained in one line."""

    user_facing = True


class DatabaseUnreachableError(StoreError):
    pass


class SessionExistsError(StoreError):
    pass


class ImportMappingError(StoreError):
    pass


class SessionBusyError(StoreError):
    """The session is owned by another running process (its lease is alive)."""


class SessionLeaseLost(StoreError):
    """This process's lease on a session expired and another process took the session."""


class DatabaseBusyError(StoreError):
    """Another writer held the database's lock for longer than this writer could wait."""
