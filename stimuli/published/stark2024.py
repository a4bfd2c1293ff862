"""Stark et al. (2024), people with aphasia and matched controls show stable cumulative
semantic interference in web-based continuous picture naming [SRC]: the authors' own printed
analysis output (``db/datasets/stark2024_csi_aphasia/scripts/04_analysis_output.txt``, "Ordinal
position effect": mean increase of voice-onset latency per ordinal position, correct trials,
fillers excluded, both groups and all three sessions, 21.94 ms). 40 participants (20 with
aphasia, 20 controls). The trial data themselves are bundled in ``db/datasets``.
"""

from stimuli.published import PublishedTable

CITATION = ("Stark, K. et al. (2024). People with aphasia show stable cumulative semantic "
            "interference (CSI) when tested repeatedly in a web-based paradigm. Humboldt-"
            "Universität zu Berlin (kirstenstark/CSI_online_aphasia, analysis output)")

TABLES = (
    PublishedTable(
        key="stark2024-csi-per-position", task="continuous-naming", citation=CITATION,
        measure="mean increase of naming latency (VOT, ms) per ordinal position within category",
        tag="SRC", kind="human", rows=({"effect_ms_per_position": 21.94},), n_participants=40,
        note="Rmisc::summarySEwithin over subjects; correct trials, fillers excluded"),
)
