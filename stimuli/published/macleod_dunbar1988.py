"""MacLeod & Dunbar (1988): practice on a new naming task and the direction of Stroop-like
interference — the pattern that Cohen, Dunbar & McClelland (1990) simulated as practice.

MacLeod, C. M., & Dunbar, K. (1988). Training and Stroop-like interference: Evidence for a
continuum of automaticity. Journal of Experimental Psychology: Learning, Memory, and Cognition,
14(1), 126–135. People learned to name four novel shapes with the names of four colours and were
tested after 2 h (Exp. 1), 5 h (Exp. 2) and 20 h (Exp. 3) of shape-naming practice: naming the
colour of a coloured shape (the practised task, here ``practised_task``) and naming the shape of
a coloured shape (the new task, ``new_task``). The abstract (p. 126) states the outcome in
words; the table records those directions only — no magnitudes were transcribed, so readers must
not treat the rows as values. In mirrorlab's simulation (``models.pdp.practice``) the colour
pathway is the one being practised (the new task) and the word pathway the practised one.
"""

from stimuli.published import PublishedTable

TABLES = (
    PublishedTable(
        key="macleod-dunbar1988-practice-pattern",
        task="stroop",
        citation=("MacLeod & Dunbar (1988), JEP:LMC 14(1), 126-135, abstract p. 126 (Exps. 1-3); "
                  "simulated by Cohen, Dunbar & McClelland (1990), Psych. Rev. 97, 332-361"),
        measure=("direction of interference after h hours of practice on the new task: "
                 "'present' / 'absent' in the new task (shape naming, interfered with by colour) "
                 "and the practised task (colour naming, interfered with by shape); "
                 "new_task_speed relative to the practised task"),
        tag="SRC",
        kind="human",
        rows=(
            {"training_hours": 2, "new_task_interference": "present",
             "practised_task_interference": "absent", "new_task_speed": "slower"},
            {"training_hours": 5, "new_task_interference": "present",
             "practised_task_interference": "present", "new_task_speed": "slower"},
            {"training_hours": 20, "new_task_interference": "absent",
             "practised_task_interference": "present", "new_task_speed": "equal"},
        ),
        note=("Directions as the abstract states them: 2 h, interference only in shape naming; "
              "5 h, symmetrical interference; 20 h, interference only in colour naming, "
              "'reversing the original asymmetry'. Qualitative only."),
    ),
)
