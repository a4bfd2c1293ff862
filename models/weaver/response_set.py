"""The Stroop response-set effect in WEAVER++: colour words that are possible responses interfere
more than colour words that are not (Klein 1964; about twice as much, Lamers, Roelofs &
Rabeling-Keus 2010, ``stimuli/published/lamers2010.py``).

Every trial's network holds the whole lexicon of the design (the response-set colours and the
outside colours, all linked through the colour category), so the conditions differ only in which
word gets input. With four colours and their superordinate in one clique the published
conceptual rate makes activation grow without bound; as Roelofs (2018, ``CONCEPTUAL BIAS.C``:
"0.5 of default ... because of the increased size of conceptual network, cf. Roelofs 2003")
does for his larger network, the conceptual rate is halved (``conceptual_scale=0.5``) in every
condition. Two readings of the selection rule are computed on that network:

* ``"all_lemmas_compete"`` — mirrorlab's Stroop rule as it is (``models.weaver.rules``): every
  colour lemma is a candidate. A colour word outside the set is just another colour lemma and
  competes exactly like a response-set word, so this reading predicts **no** response-set
  effect (mirrorlab's own ``stroop_network`` gives the same: equal interference).
* ``"response_set_competes"`` — the condition–action rule makes the task's responses the
  candidates: only the response set's lemmas enter the Luce ratio and the critical-difference
  test (as Roelofs' programs list only the task's response cohort in the hazard and leave
  superordinate lemmas out; mirrorlab's ``non_competitors``). An outside word's lemma still
  gets the word's input and spreads activation to its concept and through the colour category,
  but can neither win nor block. This is the "selective allocation of attention to eligible
  responses" that Lamers et al. (2010) conclude for; the rule is mirrorlab's [CHOSEN] reading,
  not a transcription of Roelofs' (2003) response-set simulation, whose code is not public.

Both use the model's published parameters; nothing is fitted. E[T] is analytic.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

import numpy as np
import pandas as pd

from models.pdp.response_set import CONDITIONS, response_set_trials
from models.weaver.rules import COLOUR_CATEGORY, COLOUR_NAMING, NetworkWriter

READINGS = ("all_lemmas_compete", "response_set_competes")


def response_set_network(row: dict, rates, response_set: Sequence[str], outside: Sequence[str],
                         reading: str):
    """One colour-naming trial's network over the whole design lexicon (see the module doc)."""
    ink, word = row["ink"], row["word_colour"]
    w = NetworkWriter(rates)
    for colour in (*response_set, *outside):
        w.lexical_entry(colour, COLOUR_CATEGORY)
    w.link_co_members()
    written = w.written_form(word or "XXXX", is_word=bool(word))
    net = w.net
    w.target_concept(net.node(ink, "concept"), COLOUR_NAMING)
    w.stimulus(written, float(row.get("soa_ms") or 0.0), relevant=False)
    w.flag(net.node(ink, "lemma"), ink, COLOUR_NAMING)
    if reading == "response_set_competes":
        net.non_competitors.update(net.node(c, "lemma") for c in outside)
    return net


def weaver_response_set_effect(model=None, reading: str = "response_set_competes", *,
                               response_set: Sequence[str] = ("red", "green"),
                               outside: Sequence[str] = ("blue", "yellow"),
                               conceptual_scale: float = 0.5) -> pd.DataFrame:
    """E[T] (ms from ink onset) and effect vs neutral per condition for one ``reading``."""
    from models.base import ModelInputError
    from models.weaver.hazard import expected_latency_ms
    from models.weaver.model import Weaver

    if reading not in READINGS:
        raise ModelInputError(f"response set: reading must be one of {', '.join(READINGS)}, "
                              f"not {reading!r}")
    model = model or Weaver()
    trials = response_set_trials(response_set, outside)
    rates = model.step_rates(trials)
    rates = replace(rates, conceptual=rates.conceptual * float(conceptual_scale))
    networks = [response_set_network(row, rates, tuple(response_set), tuple(outside), reading)
                for row in trials.to_dict("records")]
    # the model's own batched dynamics, stability check and hazard (one array, loop over steps)
    latency = expected_latency_ms(model._network_hazard(networks), model.step_ms, model.truncation)
    frame = pd.DataFrame({"condition": trials["condition"], "retrieval_ms": np.asarray(latency)})
    means = frame.groupby("condition")["retrieval_ms"].mean()
    out = pd.DataFrame({"condition": list(CONDITIONS),
                        "retrieval_ms": [float(means[c]) for c in CONDITIONS]})
    out["effect_vs_neutral_ms"] = out["retrieval_ms"] - float(means["neutral"])
    out["source"] = f"model:{model.name}"
    out["reading"] = reading
    return out
