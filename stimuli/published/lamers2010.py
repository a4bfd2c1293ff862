"""The Stroop response-set effect: colour words that are possible responses interfere about twice
as much as colour words that are not (Klein 1964), as Lamers, Roelofs & Rabeling-Keus (2010)
summarise it.

Lamers, M. J. M., Roelofs, A., & Rabeling-Keus, I. M. (2010). Selective attention and response
set in the Stroop task. Memory & Cognition, 38(7), 893–904; introduction, p. 893: colour words
"that were eligible responses produced approximately two times more interference than did color
words that were not used as responses in the experiment" (e.g. with red and green inks, GREEN in
red ink slows naming much more than BLUE in red ink). The ratio is a secondary source's round
number for Klein's (1964) card data, not a measured value of this paper (tag ``2ND``); Lamers et
al. conclude that the effect comes from selective attention to eligible responses.
"""

from stimuli.published import PublishedTable

TABLES = (
    PublishedTable(
        key="lamers2010-response-set",
        task="stroop",
        citation=("Lamers, Roelofs & Rabeling-Keus (2010), Memory & Cognition 38(7), 893-904, "
                  "p. 893, summarising Klein (1964), Am. J. Psychol. 77, 576-588"),
        measure=("colour naming: interference (incongruent − neutral) from response-set colour "
                 "words ÷ interference from colour words outside the response set, approximate"),
        tag="2ND",
        kind="human",
        rows=({"instruction": "colour_naming",
               "contrast": "incongruent_response_set / incongruent_outside_set",
               "interference_ratio": 2.0, "approximate": True},),
        note="'approximately two times': a direction and rough size, not a measured mean.",
    ),
)
