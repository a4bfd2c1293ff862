"""Roelofs, Piai, Garrido Rodriguez & Chwilla (2016): the printed output of their WEAVER++ program.

Roelofs, A., Piai, V., Garrido Rodriguez, G., & Chwilla, D. J. (2016). Electrophysiology of
cross-language interference and facilitation in picture naming. Cortex, 76, 1–16 (Fig. 5, 6).
Program ``ERP_bilingual_lemret.c`` (Ardi Roelofs), transcribed with its printed output in the
public notebook ``notebooks/2021Roelofs_ERP_bilingual_lemret.ipynb`` of
github.com/project-ccap/project-ccap.github.io. The program prints ``(int) E[T]``, i.e. the
expected lemma retrieval time truncated to whole ms: 213 (related; E[T] = 213.57, so 214 when
rounded), 162, 130, 158. Picture HORSE named in English (L2) with Dutch (L1) distractors at
SOA 0: EEND (duck, related), STOEL (chair, unrelated), PAARD (horse, translation), none
(control). ``lemma_activation`` holds the lemma activations the program prints for Fig. 6.
"""

from stimuli.published import PublishedTable

_CITATION = ("Roelofs, Piai, Garrido Rodriguez & Chwilla (2016), Cortex 76, 1-16, Fig. 5; "
             "program ERP_bilingual_lemret.c (transcribed: project-ccap/project-ccap.github.io, "
             "notebooks/2021Roelofs_ERP_bilingual_lemret.ipynb)")

#: Time (ms, printed after that step's update) → activation of (distractor lemma,
#: English competitor lemma, English target lemma HORSE); translation: (PAARD, HORSE).
LEMMA_ACTIVATION = {
    "related": ((0, 4.91, 0.00, 0.00), (25, 6.88, 0.00, 0.45), (50, 8.06, 0.20, 1.27),
                (75, 9.14, 0.58, 1.95), (100, 5.25, 1.03, 2.54), (125, 4.28, 1.50, 3.08),
                (150, 4.29, 1.89, 3.58), (175, 4.71, 2.25, 4.04), (200, 5.31, 2.61, 4.47),
                (225, 5.99, 2.98, 4.87), (250, 6.69, 3.34, 5.25)),
    "unrelated": ((0, 4.91, 0.00, 0.00), (25, 6.88, 0.00, 0.45), (50, 7.83, 0.08, 1.27),
                  (75, 8.35, 0.18, 1.93), (100, 3.75, 0.28, 2.48), (125, 2.01, 0.37, 2.97),
                  (150, 1.23, 0.36, 3.41), (175, 0.86, 0.33, 3.83), (200, 0.68, 0.30, 4.24),
                  (225, 0.59, 0.28, 4.63), (250, 0.54, 0.26, 5.01)),
    "translation": ((0, 4.91, None, 0.00), (25, 7.79, None, 0.45), (50, 10.38, None, 1.36),
                    (75, 12.21, None, 2.12), (100, 8.71, None, 2.76), (125, 7.94, None, 3.33),
                    (150, 8.05, None, 3.77), (175, 8.53, None, 4.16), (200, 9.16, None, 4.54),
                    (225, 9.85, None, 4.91), (250, 10.56, None, 5.27)),
}

TABLES = (
    PublishedTable(
        key="roelofs2016-bilingual-program",
        task="picture-word",
        citation=_CITATION,
        measure="printed (int) expected lemma retrieval time, ms from picture onset",
        tag="MODEL",
        kind="model",
        rows=(
            {"condition": "related", "distractor": "eend", "soa_ms": 0.0, "retrieval_ms": 213},
            {"condition": "unrelated", "distractor": "stoel", "soa_ms": 0.0, "retrieval_ms": 162},
            {"condition": "translation", "distractor": "paard", "soa_ms": 0.0,
             "retrieval_ms": 130},
            {"condition": "control", "distractor": "", "soa_ms": 0.0, "retrieval_ms": 158},
        ),
        note="Semantic effect 51 ms, translation effect −32 ms (program output).",
        extras={"lemma_activation": LEMMA_ACTIVATION},
    ),
)
