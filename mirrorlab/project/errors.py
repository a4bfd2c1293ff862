"""Errors a user can fix: printed by the CLI as one ``mirrorlab: error: …`` line (exit 2)."""


class ProjectError(ValueError):
    user_facing = True
