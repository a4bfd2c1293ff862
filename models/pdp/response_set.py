"""The Stroop response-set effect in the 1990 PDP model: colour words that are possible
responses interfere more than colour words that are not (Klein 1964; about twice as much, as
Lamers, Roelofs & Rabeling-Keus 2010 summarise it: ``stimuli/published/lamers2010.py``).

How the network represents a colour word outside the response set — a choice, documented in
``docs/models/pdp-stroop.md``: the word was learned in reading like any colour word, so it has
its own input and hidden unit in the word pathway with the Fig. 3 pattern (+2.6 to its own
hidden unit, −2.6 to the others) and sends −2.5 to every response unit of the task; its own
response unit is not part of the task (the accumulators compete only among the response set),
so it has no +2.5 to give. A response-set word excites a competing response *and* inhibits the
target; an outside word can only inhibit all responses alike. Everything else is the model's
own cascade and parameters.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from models.pdp.weights import FIG3_COLOUR, FIG3_WORD, StroopWeights, same_other

CONDITIONS = ("congruent", "neutral", "incongruent_response_set", "incongruent_outside_set")


def response_set_weights(n_response: int, n_outside: int) -> StroopWeights:
    """Fig. 3 weights for ``n_response`` colours with responses plus ``n_outside`` colour words
    without: units 0…n_response−1 are the response set, then the outside colours, then the
    neutral unit; only the response set's response units exist."""
    size = n_response + n_outside + 1
    colour_out = same_other(size, size - 1, FIG3_COLOUR[1])[:, :n_response]
    word_out = same_other(size, size - 1, FIG3_WORD[1])[:, :n_response]
    colour_out[size - 1] = 0.0
    word_out[size - 1] = 0.0
    return StroopWeights(colour_in=same_other(size, size, FIG3_COLOUR[0]),
                         word_in=same_other(size, size, FIG3_WORD[0]),
                         colour_out=colour_out, word_out=word_out)


def response_set_trials(response_set: Sequence[str] = ("red", "green"),
                        outside: Sequence[str] = ("blue", "yellow")) -> pd.DataFrame:
    """Colour naming with inks from the response set: congruent, neutral (XXXX), incongruent
    with another response-set word, incongruent with a colour word outside the set."""
    rows = []
    for ink in response_set:
        words = [(ink, "congruent"), ("", "neutral")]
        words += [(w, "incongruent_response_set") for w in response_set if w != ink]
        words += [(w, "incongruent_outside_set") for w in outside]
        for word, condition in words:
            rows.append({"task": "stroop", "instruction": "colour_naming", "ink": ink,
                         "word": word.upper() or "XXXX", "word_colour": word, "condition": condition,
                         "item_id": f"{ink}_{word or 'XXXX'}", "soa_ms": 0.0, "language": "en",
                         "expected_response": ink})
    return pd.DataFrame(rows)


def pdp_response_set_effect(model=None, *, n: int = 400, seed: int = 0,
                            response_set: Sequence[str] = ("red", "green"),
                            outside: Sequence[str] = ("blue", "yellow")) -> pd.DataFrame:
    """Mean RT (ms on the model's RT line, correct trials), accuracy and effect vs neutral per
    condition of ``response_set_trials``, from ``model`` (a ``Cohen1990``; default parameters
    if None) with ``response_set_weights``."""
    from models.pdp.cohen1990 import Cohen1990, run_cascade
    from models.pdp.stimuli import encode_trials

    model = model or Cohen1990()
    trials = response_set_trials(response_set, outside)
    encoded = encode_trials(trials, tuple(response_set) + tuple(outside), model.name)
    weights = response_set_weights(len(response_set), len(outside))
    result = run_cascade(
        weights, encoded, rate=float(model.rate), noise_sd=float(model.noise_sd),
        accumulator_rate=float(model.accumulator_rate),
        accumulator_noise_sd=float(model.accumulator_noise_sd), threshold=float(model.threshold),
        settle_cycles=int(model.settle_cycles), max_cycles=int(model.max_cycles),
        ms_per_cycle=float(model.soa_ms_per_cycle), rng=np.random.default_rng(seed), repeats=n)
    frame = pd.DataFrame({"condition": np.tile(trials["condition"].to_numpy(), n),
                          "correct": result.response_unit == np.tile(encoded.correct_unit, n),
                          "rt_ms": model.rt_mapping().to_ms(result.rt_cycles)})
    means = frame[frame["correct"]].groupby("condition")["rt_ms"].mean()
    accuracy = frame.groupby("condition")["correct"].mean()
    out = pd.DataFrame({"condition": list(CONDITIONS),
                        "rt_ms": [float(means[c]) for c in CONDITIONS],
                        "accuracy": [float(accuracy[c]) for c in CONDITIONS]})
    out["effect_vs_neutral_ms"] = out["rt_ms"] - float(means["neutral"])
    out["source"] = f"model:{model.name}"
    return out
