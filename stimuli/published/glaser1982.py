"""Glaser & Glaser (1982): Stroop colour naming across word–colour SOAs — the pattern, not numbers.

Glaser, M. O., & Glaser, W. R. (1982). Time course analysis of the Stroop phenomenon. Journal of
Experimental Psychology: Human Perception and Performance, 8(6), 875–894. The irrelevant word
appeared −400…+400 ms around the colour. What mirrorlab can justify without the paper's
tables is the shape that Cohen, Dunbar & McClelland (1990, Figs. 5–6) and Roelofs (2003) compare
their models with, as the project's reference file records it [2ND]: interference in colour
naming comes from words that appear shortly before or together with the colour (about
−100…0 ms) and there is little from words that appear long after it (+200…+400 ms); words
presented even earlier do not produce ever larger interference (the 1990 model's known
failure). The rows therefore hold the *direction* of the effect per SOA band, not magnitudes:
``interference`` is ``"present"`` or ``"little"``; readers must not treat them as values.
"""

from stimuli.published import PublishedTable

TABLES = (
    PublishedTable(
        key="glaser1982-stroop-soa-pattern",
        task="stroop",
        citation=("Glaser & Glaser (1982), JEP:HPP 8(6), 875-894, as summarised by Cohen, Dunbar "
                  "& McClelland (1990, Psych. Rev. 97, Figs. 5-6) and Roelofs (2003)"),
        measure=("colour naming, incongruent − neutral (interference), direction by SOA band; "
                 "soa_ms = word onset − colour onset"),
        tag="2ND",
        kind="human",
        rows=(
            {"instruction": "colour_naming", "soa_ms_from": -100.0, "soa_ms_to": 0.0,
             "interference": "present"},
            {"instruction": "colour_naming", "soa_ms_from": 200.0, "soa_ms_to": 400.0,
             "interference": "little"},
        ),
        note=("Qualitative only: the magnitudes per SOA were not transcribed from the paper. "
              "Words well before the colour (−400 ms) do not interfere more than at 0 ms."),
    ),
)
