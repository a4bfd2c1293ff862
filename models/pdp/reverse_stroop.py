"""The reverse-Stroop asymmetry: an incongruent ink barely slows word reading, while an
incongruent word slows colour naming a lot (Cohen, Dunbar & McClelland 1990, simulation 1,
against Dunbar & MacLeod 1984).

In the 1990 model the asymmetry comes from the relative strength of the two pathways (the word
pathway's larger weights, Fig. 3), not from a fixed order of processing: with the pathways made
equally strong it disappears, and with colour naming practised past the word pathway it
reverses (``models.pdp.practice``). ``stroop_asymmetry`` measures it for any Stroop model that
simulates the balanced design (``cohen1990``, ``cohen-huston1994``) beside the people's means.
"""

from __future__ import annotations

from typing import Sequence

import pandas as pd

CONDITIONS = ("congruent", "neutral", "incongruent")


def effects_from_means(means: dict[str, float]) -> dict[str, float]:
    """Interference (incongruent − neutral) and facilitation (neutral − congruent), ms."""
    return {"interference_ms": means["incongruent"] - means["neutral"],
            "facilitation_ms": means["neutral"] - means["congruent"]}


def stroop_asymmetry(model, *, n: int = 400, seed: int = 0,
                     colours: Sequence[str] = ("red", "green")) -> pd.DataFrame:
    """One row per source (``published`` = Dunbar & MacLeod 1984; ``model:<name>``) and
    instruction: interference, facilitation, and ``interference_ratio`` = word-reading
    interference / colour-naming interference (the asymmetry: small means reading is immune)."""
    from models.pdp.stimuli import canonical_trials
    from stimuli.published import published_table

    table = published_table("dunbar-macleod1984")
    rows = []
    for instruction in ("colour_naming", "word_reading"):
        means = table.mapping("condition", "rt_ms", instruction=instruction)
        rows.append({"source": "published", "instruction": instruction, **effects_from_means(means)})
    out = model.simulate(canonical_trials(tuple(colours)), n=n, seed=seed)
    correct = out[out["correct"].astype(bool)]
    cell = correct.groupby(["instruction", "condition"])["rt_ms"].mean()
    accuracy = out.groupby(["instruction", "condition"])["correct"].mean()
    for instruction in ("colour_naming", "word_reading"):
        means = {c: float(cell[(instruction, c)]) for c in CONDITIONS}
        rows.append({"source": f"model:{model.name}", "instruction": instruction,
                     **effects_from_means(means),
                     "incongruent_accuracy": float(accuracy[(instruction, "incongruent")])})
    frame = pd.DataFrame(rows)
    ratio = {}
    for source, part in frame.groupby("source"):
        by = part.set_index("instruction")["interference_ms"]
        ratio[source] = float(by["word_reading"] / by["colour_naming"])
    frame["interference_ratio"] = frame["source"].map(ratio)
    return frame


def equal_pathways_effects(model, *, n: int = 400, seed: int = 0,
                           colours: Sequence[str] = ("red", "green")) -> dict[str, float]:
    """The 1990 network with the colour pathway given the word pathway's Fig. 3 weights (a
    control, not a published network): if the asymmetry comes from pathway strength, the two
    tasks now interfere with each other about equally. Interference and facilitation in ms
    (``models.pdp.practice.stroop_effects_ms``)."""
    from models.pdp.practice import stroop_effects_ms
    from models.pdp.weights import StroopWeights, fig3_weights

    published = fig3_weights(len(colours))
    equal = StroopWeights(colour_in=published.word_in.copy(), word_in=published.word_in.copy(),
                          colour_out=published.word_out.copy(), word_out=published.word_out.copy())
    return stroop_effects_ms(model, equal, n=n, seed=seed, colours=colours)
