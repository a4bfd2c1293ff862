"""Blocked-cyclic naming through WEAVER++'s conceptual bias (Roelofs 2018).

In blocked-cyclic naming a small set of pictures is named again and again (cycles), either all
from one category (homogeneous block) or each from a different one (heterogeneous block).
People are slower in homogeneous blocks from the second cycle on, by an amount that does not
grow over cycles (``stimuli/published/belke2017.py``).

Roelofs' ``CONCEPTUAL BIAS.C`` simulates it with the cumulative-interference network (five
category members and their superordinate in one clique at half the conceptual rate, the
enhancement of the flagged target concept): the conceptual bias a naming leaves behind is
"also present during the next cycle", so on cycle c every concept in play carries the
``PREV_BIAS`` of the earlier cycles, 2.5 · (c − 1), on top of the within-cycle bias of 2.5 on
each co-member named earlier in the cycle. The program's comment sets the rule
(``bias_rule="program"``, the default):

* homogeneous block, cycle c, position k: the target concept gets 2.5 · (c − 1); each of the
  k − 1 co-members named earlier in this cycle gets 2.5 · (c − 1) + 2.5; the co-members still to
  come in this cycle get nothing;
* heterogeneous block, cycle c: the target concept gets 2.5 · (c − 1) and no co-member is
  biased ("the effect of bias for the first ordinal position is the same for the homogeneous
  and the heterogeneous conditions");
* the blocking effect in cycle c is the mean over positions of the homogeneous latencies minus
  the heterogeneous latency ("the mean increase over ordinal positions relative to the first
  position").

``bias_rule="every_naming"`` is the literal reading of "the bias increase during a cycle is also
present during the next cycle" for every concept: each concept carries 2.5 per time it has been
named before in the block, co-members still to come in the cycle included (mirrorlab's
alternative, not the program's).

All networks of all cycles and both blocks are one batch through the model's own dynamics and
hazard (a loop over time steps only); E[T] is analytic. Nothing is fitted: the parameters are
``WeaverCumulative``'s, i.e. the program's.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from models.weaver.rules import PICTURE_CATEGORISING, PICTURE_NAMING, picture_naming_network

#: The program's category (Belke 2013's tableware set) and its members in naming order.
TABLEWARE = ("fork", "spoon", "cup", "glass", "knife")
BIAS_RULES = ("program", "every_naming")


def concept_biases(position: int, cycle: int, n_members: int, homogeneous: bool,
                   bias: float, rule: str) -> tuple[float, list[float]]:
    """(bias on the target concept, bias on each co-member in naming order) for the member at
    ``position`` (1-based) of ``cycle`` (1-based)."""
    earlier = bias * (cycle - 1)
    others = [j for j in range(1, n_members + 1) if j != position]
    if not homogeneous:
        return earlier, [0.0] * len(others)
    if rule == "program":
        return earlier, [earlier + bias if j < position else 0.0 for j in others]
    return earlier, [earlier + bias if j < position else earlier for j in others]


def blocked_cyclic_networks(model, members: Sequence[str], category: str, n_cycles: int,
                            rule: str, instruction: str = PICTURE_NAMING):
    """Networks and their (block, cycle, position) labels, homogeneous block first."""
    rates = model.step_rates()
    bias = float(model.conceptual_bias)
    networks, labels = [], []
    for block, homogeneous in (("homogeneous", True), ("heterogeneous", False)):
        for cycle in range(1, n_cycles + 1):
            for position, picture in enumerate(members, start=1):
                co_members = [m for m in members if m != picture]
                target_bias, member_bias = concept_biases(position, cycle, len(members),
                                                          homogeneous, bias, rule)
                net = picture_naming_network(picture, category, co_members, (), rates, 0.0,
                                             None, instruction, model.categorising_response)
                duration = model.conceptual_bias_duration_ms
                if target_bias:
                    net.add_input(net.node(picture, "concept"), 0.0, duration, target_bias)
                for member, amount in zip(co_members, member_bias):
                    if amount:
                        net.add_input(net.node(member, "concept"), 0.0, duration, amount)
                networks.append(net)
                labels.append((block, cycle, position))
    return networks, labels


def blocked_cyclic_naming(model=None, *, n_cycles: int = 6, bias_rule: str = "program",
                          members: Sequence[str] = TABLEWARE, category: str = "tableware",
                          instruction: str = PICTURE_NAMING) -> pd.DataFrame:
    """One row per cycle: mean E[T] in the homogeneous and heterogeneous block (ms from picture
    onset) and ``blocking_effect_ms`` (homogeneous − heterogeneous). ``model`` is a
    ``WeaverCumulative`` (the program's parameters if None). ``instruction=
    "picture_categorising"`` runs the program's picture classification (man-made vs natural
    button) on the same blocks, the bias working as in naming."""
    from models.base import ModelInputError
    from models.weaver.cumulative import WeaverCumulative
    from models.weaver.hazard import expected_latency_ms

    if bias_rule not in BIAS_RULES:
        raise ModelInputError(f"blocked-cyclic naming: bias_rule must be one of "
                              f"{', '.join(BIAS_RULES)}, not {bias_rule!r}")
    if instruction not in (PICTURE_NAMING, PICTURE_CATEGORISING):
        raise ModelInputError(f"blocked-cyclic naming: instruction must be {PICTURE_NAMING} or "
                              f"{PICTURE_CATEGORISING}, not {instruction!r}")
    if int(n_cycles) < 1 or len(members) < 2 or len(set(members)) != len(members):
        raise ModelInputError("blocked-cyclic naming needs at least one cycle and two different "
                              f"members (got {n_cycles} cycles, members {list(members)})")
    model = model or WeaverCumulative()
    networks, labels = blocked_cyclic_networks(model, tuple(members), category, int(n_cycles),
                                               bias_rule, instruction)
    latency = expected_latency_ms(model._network_hazard(networks), model.step_ms, model.truncation)
    frame = pd.DataFrame(labels, columns=["block", "cycle", "position"])
    frame["retrieval_ms"] = np.asarray(latency)
    if bias_rule == "program":
        # the program's heterogeneous latency: the first position's, the same for every position
        hetero = frame["block"] == "heterogeneous"
        first = frame[hetero & (frame["position"] == 1)].set_index("cycle")["retrieval_ms"]
        frame.loc[hetero, "retrieval_ms"] = frame.loc[hetero, "cycle"].map(first).to_numpy()
    means = frame.pivot_table(index="cycle", columns="block", values="retrieval_ms",
                              aggfunc="mean")
    out = pd.DataFrame({"cycle": means.index.astype(int),
                        "homogeneous_ms": means["homogeneous"].to_numpy(),
                        "heterogeneous_ms": means["heterogeneous"].to_numpy()})
    out["blocking_effect_ms"] = out["homogeneous_ms"] - out["heterogeneous_ms"]
    out["bias_rule"] = bias_rule
    out["instruction"] = instruction
    return out


def blocked_cyclic_positions(model=None, *, n_cycles: int = 6, bias_rule: str = "program",
                             members: Sequence[str] = TABLEWARE,
                             category: str = "tableware") -> pd.DataFrame:
    """E[T] of every homogeneous position in every cycle (what the program prints per cycle)."""
    from models.weaver.cumulative import WeaverCumulative
    from models.weaver.hazard import expected_latency_ms

    model = model or WeaverCumulative()
    networks, labels = blocked_cyclic_networks(model, tuple(members), category, int(n_cycles),
                                               bias_rule)
    latency = expected_latency_ms(model._network_hazard(networks), model.step_ms, model.truncation)
    frame = pd.DataFrame(labels, columns=["block", "cycle", "position"])
    frame["retrieval_ms"] = np.asarray(latency)
    return frame[frame["block"] == "homogeneous"].drop(columns="block").reset_index(drop=True)
