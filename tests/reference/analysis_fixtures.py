"""Builders of real stores with known data for the analysis tests: human sessions and model runs
written through ``db.store.Store`` exactly as experiments and models write them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from db.provenance import software_versions
from db.store import Store

STROOP_EFFECTS_MS = {"congruent": 0.0, "neutral": 25.0, "incongruent": 90.0}
INKS = ("red", "green", "blue", "yellow")


def stroop_items() -> pd.DataFrame:
    rows = []
    for ink in INKS:
        rows.append({"item_id": f"con-{ink}", "condition": "congruent", "ink": ink, "word": ink.upper()})
        rows.append({"item_id": f"neu-{ink}", "condition": "neutral", "ink": ink, "word": "XXXX"})
        other = INKS[(INKS.index(ink) + 1) % 4]
        rows.append({"item_id": f"inc-{ink}", "condition": "incongruent", "ink": ink, "word": other.upper()})
    return pd.DataFrame(rows)


def human_stroop_rows(participant: str, rng, n_repetitions: int = 3, base_ms: float = 650.0,
                      conditions=("congruent", "neutral", "incongruent")) -> list[dict]:
    items = stroop_items()
    items = items[items["condition"].isin(conditions)]
    shift = rng.normal(0, 60)
    rows = []
    index = 0
    for _ in range(n_repetitions):
        for _, item in items.iterrows():
            rt = base_ms + shift + STROOP_EFFECTS_MS[item["condition"]] + rng.normal(0, 80)
            correct = bool(rng.random() < (0.97 if item["condition"] != "incongruent" else 0.88))
            rows.append({"task": "stroop", "instruction": "colour_naming", "item_id": item["item_id"],
                         "condition": item["condition"], "ink": item["ink"], "word": item["word"],
                         "expected_response": item["ink"],
                         "response": item["ink"] if correct else "other", "correct": correct,
                         "rt_ms": float(rt), "source": "human", "agent": participant,
                         "block": 1, "trial_index": index})
            index += 1
    return rows


def add_human_stroop(store: Store, participants: list[str], seed: int = 1, **kwargs) -> None:
    rng = np.random.default_rng(seed)
    for number, code in enumerate(participants):
        session = store.start_session(participant_code=code, task="stroop", seed=seed + number,
                                      stimulus_set="stroop-test", stimulus_set_hash="abc123" * 6,
                                      software_versions=software_versions())
        store.add_trials(human_stroop_rows(code, rng, **kwargs), session_id=session)
        store.finish_session(session)


def add_model_stroop(store: Store, model: str, means_ms: dict[str, float], *, n_agents: int = 3,
                     seed: int = 7, fit: dict | None = None, instruction: str = "colour_naming",
                     conditions=("congruent", "neutral", "incongruent")) -> int:
    """A model run whose agents answer each item with the given condition mean + small noise."""
    rng = np.random.default_rng(seed)
    run_id = store.start_model_run(model=model, model_version="test", task="stroop",
                                   parameters={"means_ms": means_ms}, seed=seed, n_simulated=n_agents,
                                   stimulus_set="stroop-test", stimulus_set_hash="abc123" * 6,
                                   software_versions=software_versions())
    items = stroop_items()
    rows = []
    for agent in range(n_agents):
        for _, item in items[items["condition"].isin(conditions)].iterrows():
            rows.append({"task": "stroop", "instruction": instruction, "item_id": item["item_id"],
                         "condition": item["condition"], "ink": item["ink"], "word": item["word"],
                         "response": item["ink"], "correct": True,
                         "rt_ms": means_ms[item["condition"]] + float(rng.normal(0, 5)),
                         "source": f"model:{model}", "agent": f"{model}#{run_id}/sim-{agent + 1:03d}",
                         "extras": {"cycles": 10}})
    store.add_trials(rows, model_run_id=run_id)
    store.finish_model_run(run_id, fit=fit)
    return run_id
