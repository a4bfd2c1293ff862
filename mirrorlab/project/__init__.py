"""Replication projects for instructors: ``mirrorlab project new | power | merge | report``.

``targets`` (the effects a class can replicate), ``config`` (``project.toml``), ``scaffold``
(``project new``: the folder and the students' README in English and Japanese), ``planning``
(``project power``), ``store_adapter`` (the one place that touches the trial database and the
run/simulate APIs, so their owners can re-point it), ``merge`` (``project merge``) and
``report`` (``project report``). The statistics live in ``analysis.project``.
"""
