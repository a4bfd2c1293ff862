"""Online sessions: the same tasks, trial lists and database, in the participant's browser.

``mirrorlab links`` creates participant slots (one unguessable link each); ``mirrorlab
serve`` runs the ASGI app (``experiments.online.app``) that shows each slot's session as a
jsPsych 8 timeline (``experiments.online.timeline``) and commits every trial as it ends.
Everything that touches the session plan and the store goes through one adapter module,
``experiments.online.session_adapter``. See ``docs/online.md``.
"""
