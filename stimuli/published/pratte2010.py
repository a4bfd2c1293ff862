"""Pratte, Rouder, Morey & Feng (2010), Experiment 1, Stroop part — the bundled
``db/datasets/pratte2010_stroop/``. Its folder documents no printed result (no condition
means, effects or model fits): only the columns (``si_documentation.txt``) and the trial
selection "as proposed in Pratte et al., 2010" in ``cleaning.R.orig.txt``, written down here
so an analysis can reproduce the authors' selection:

    dat <- dat[dat$rt > .2 & dat$rt < 2, ]             # RT in seconds, strict bounds
    dat <- subset(dat, acc == 1 & cond != 2 & exp == 1)  # correct, no neutral, Stroop only
    dat <- dat[!(dat$trial %in% 0:4), ]                # the first 5 trials of every block
"""

from __future__ import annotations

from stimuli.published import PublishedTable

TABLES = (
    PublishedTable(
        key="pratte2010-trial-selection",
        task="stroop",
        citation="Pratte, Rouder, Morey & Feng (2010), Attention, Perception, & Psychophysics "
                 "72(7), 2013–2025, Exp. 1; selection from cleaning.R in "
                 "PerceptionCognitionLab/data0 (db/datasets/pratte2010_stroop/cleaning.R.orig.txt)",
        measure="the authors' trial selection for the Stroop analysis (not a result)",
        tag="SRC",
        kind="human",
        rows=({"rt_above_ms": 200.0, "rt_below_ms": 2000.0, "bounds": "strict",
               "correct_only": True, "conditions": ("congruent", "incongruent"),
               "first_trials_dropped_per_block": 5},),
        n_participants=38,
        note="No printed means or effects are bundled with this dataset.",
        extras={"dataset": "pratte2010",
                "source_file": "db/datasets/pratte2010_stroop/cleaning.R.orig.txt"},
    ),
)
