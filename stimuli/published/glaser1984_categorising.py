"""Glaser & Düngelhoff (1984), Experiment 2: picture categorising with word distractors — direction.

Glaser, W. R., & Düngelhoff, F.-J. (1984). The time course of picture–word interference. JEP:HPP,
10(5), 640–654. In the categorising tasks a category-congruent (related) distractor word
*speeds* categorising a picture relative to an incongruent one — semantic facilitation, the
opposite of the interference in naming; Roelofs (1992, 2003) derives this from WEAVER++
(the related word primes the superordinate that is the categorising response). The per-SOA
values of Experiment 2 were not found for the project's reference file ([NOT FOUND] there), so
this table records only the direction of the related − unrelated difference; it holds no
magnitudes and is tagged as a secondary source.
"""

from stimuli.published import PublishedTable

TABLES = (
    PublishedTable(
        key="glaser1984-picture-categorising-direction",
        task="picture-word",
        citation=("Glaser & Düngelhoff (1984), JEP:HPP 10(5), 640-654, Experiment 2; direction as "
                  "modelled by Roelofs (1992, Cognition 42; 2003, Psych. Rev. 110)"),
        measure="picture categorising, related − unrelated distractor: direction of the effect",
        tag="2ND",
        kind="human",
        rows=({"instruction": "picture_categorising", "contrast": "related - unrelated",
               "direction": "facilitation"},),
        note="Magnitudes by SOA not found; do not compare numbers against this table.",
    ),
)
