"""The keyboard stand-in for naming (picture naming, word reading, continuous naming).

Naming is spoken. With ``--response voice`` the voice key times the spoken answer. With the
keyboard we use a *categorisation-free naming proxy*: the participant names the picture
aloud and presses the space bar at the moment they start speaking. The key carries no
category or identity decision (unlike the categorisation tasks of Glaser & Düngelhoff 1984,
Exp. 2), so the lexical-selection stage being measured is the same as in naming; the key only
replaces the voice key as the RT trigger. A key press therefore cannot tell right from wrong:
it counts as correct (``extras.accuracy_source = 'assumed: naming proxy'``) and an omission
(no key by the deadline) counts as an error, as in voice-key studies where the experimenter
codes errors online.
"""

from __future__ import annotations

NAMING_KEY = "space"
NAMING_RESPONSE = "named"
ACCURACY_ASSUMED = "assumed: naming proxy"


def naming_key_map() -> dict[str, str]:
    return {NAMING_KEY: NAMING_RESPONSE}


def score_naming(response: str | None) -> bool:
    return response == NAMING_RESPONSE
