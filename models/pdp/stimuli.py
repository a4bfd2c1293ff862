"""Stroop trial lists ↔ unit indices, shared by the PDP Stroop models (numpy only).

The PDP models have one input unit per colour in each pathway plus one *neutral* unit (XXXX,
neutral words) and one response unit per colour. A trial list names colours by key
(``ink``, ``word_colour``: ``red``, ``green``, …), so English and Japanese words reach the same
units. This module turns the trial list's columns into integer arrays the vectorised
simulations use, and turns simulated responses back into shared trial rows.

Conventions (documented in ``docs/models/pdp-stroop.md``):

* ``instruction`` ``colour_naming`` → task 0, ``word_reading`` → task 1; missing/None →
  colour naming (imported data sets often leave it empty).
* the colour vocabulary is the model's ``colours`` parameter, or, when that is ``None``, the
  colours of the trial list in canonical order (red, green, blue, yellow, then others sorted),
  always with at least red and green (the published two-colour network).
* ``soa_ms`` is the onset of the *irrelevant* dimension relative to the relevant one
  (negative: the irrelevant one comes first); missing/NaN = 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from models.base import ModelInputError

INSTRUCTIONS = ("colour_naming", "word_reading")
CONDITIONS = ("congruent", "neutral", "incongruent")
CANONICAL_COLOURS = ("red", "green", "blue", "yellow")
#: Words accepted as the neutral word when no ``word_colour`` column says so.
NEUTRAL_WORD_MARKERS = ("", "xxxx", "xxx", "xxxxx", "none", "nan")
#: Inks that drive the neutral colour unit (word reading's neutral condition: a colour word
#: printed in a non-colour).
NEUTRAL_INKS = ("", "none", "nan", "black", "grey", "gray", "white", "neutral")


def colour_vocabulary(trials: pd.DataFrame | None, colours: Sequence[str] | str | None) -> tuple[str, ...]:
    """The colours the network has units for (see the module docstring)."""
    if colours is not None:
        if isinstance(colours, str):
            colours = [c.strip() for c in colours.split(",") if c.strip()]
        vocabulary = tuple(str(c).lower() for c in colours)
        if len(vocabulary) < 2 or len(set(vocabulary)) != len(vocabulary):
            raise ModelInputError(f"colours must be at least two different colour keys, got {colours!r}")
        return vocabulary
    found: set[str] = {"red", "green"}
    if trials is not None:
        for column in ("ink", "word_colour"):
            if column in trials.columns:
                found |= {str(v).strip().lower() for v in trials[column].dropna()}
    found -= set(NEUTRAL_INKS) | set(NEUTRAL_WORD_MARKERS)
    canonical = [c for c in CANONICAL_COLOURS if c in found]
    return tuple(canonical + sorted(found - set(CANONICAL_COLOURS)))


@dataclass(frozen=True)
class EncodedTrials:
    """A trial list as unit indices (one entry per trial; neutral = ``n_colours``)."""

    task: np.ndarray          # 0 colour naming, 1 word reading
    ink: np.ndarray           # colour-input unit
    word: np.ndarray          # word-input unit
    soa_ms: np.ndarray        # onset of the irrelevant dimension relative to the relevant one
    colours: tuple[str, ...]

    @property
    def n_colours(self) -> int:
        return len(self.colours)

    @property
    def correct_unit(self) -> np.ndarray:
        """The response unit that is correct: the ink for colour naming, the word for reading."""
        return np.where(self.task == 0, self.ink, self.word)

    def onsets_cycles(self, ms_per_cycle: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Cycle of colour onset, word onset and relevant onset, counted from the first onset.

        k = round(soa_ms / ms_per_cycle) cycles between the two dimensions (the SOA).
        """
        soa_cycles = np.rint(self.soa_ms / float(ms_per_cycle)).astype(np.int64)
        irrelevant = np.maximum(soa_cycles, 0)
        relevant = np.maximum(-soa_cycles, 0)
        colour_onset = np.where(self.task == 0, relevant, irrelevant)
        word_onset = np.where(self.task == 0, irrelevant, relevant)
        return colour_onset, word_onset, relevant


def _keys(series: pd.Series | None, n: int) -> np.ndarray:
    """A column as stripped lower-case strings ('' for missing values)."""
    if series is None:
        return np.full(n, "", dtype=object)
    values = series.astype(object).where(series.notna(), "")
    return np.array([str(v).strip().lower() for v in values.tolist()], dtype=object)


def _first_bad(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def encode_trials(trials: pd.DataFrame, colours: tuple[str, ...], model_name: str) -> EncodedTrials:
    """Turn a Stroop trial list into unit indices; one-line ``ModelInputError`` on bad rows
    (the message names the first bad trial, counted from 0, and its value)."""
    if "ink" not in trials.columns:
        raise ModelInputError(f"model {model_name}: trial list has no 'ink' column "
                              f"(columns: {', '.join(map(str, trials.columns))})")
    if "expected_response" not in trials.columns:
        raise ModelInputError(f"model {model_name}: trial list has no 'expected_response' column")
    index = {c: i for i, c in enumerate(colours)}
    neutral = len(colours)
    n = len(trials)

    instruction = _keys(trials.get("instruction"), n)
    known_instruction = np.isin(instruction, ["", *INSTRUCTIONS])
    if not known_instruction.all():
        row = _first_bad(~known_instruction)
        raise ModelInputError(f"model {model_name}: trial {row}: instruction {instruction[row]!r} "
                              f"is not one of {', '.join(INSTRUCTIONS)}")
    task = (instruction == "word_reading").astype(np.int64)

    ink_key = _keys(trials["ink"], n)
    ink = np.array([index.get(k, -1) for k in ink_key], dtype=np.int64)
    neutral_ink = (ink < 0) & np.isin(ink_key, NEUTRAL_INKS) & (task == 1)
    ink[neutral_ink] = neutral
    if (ink < 0).any():
        row = _first_bad(ink < 0)
        raise ModelInputError(f"model {model_name}: trial {row}: ink {trials['ink'].iloc[row]!r} is not "
                              f"one of the model's colours ({', '.join(colours)})")

    if "word_colour" in trials.columns:
        word_key = _keys(trials["word_colour"], n)
    else:  # e.g. imported data: infer from the word text, else from the condition
        text = _keys(trials.get("word"), n)
        condition = _keys(trials.get("condition"), n)
        word_key = text.copy()
        congruent = ~np.isin(text, colours) & (condition == "congruent")
        word_key[congruent] = np.array(colours, dtype=object)[ink[congruent].clip(0, neutral - 1)]
        word_key[~np.isin(text, colours) & (condition == "neutral")] = ""
    word = np.array([neutral if k in NEUTRAL_WORD_MARKERS else index.get(k, -1) for k in word_key],
                    dtype=np.int64)
    if (word < 0).any():
        row = _first_bad(word < 0)
        raise ModelInputError(f"model {model_name}: trial {row}: the word names colour "
                              f"{word_key[row]!r}, not one of the model's colours ({', '.join(colours)}); "
                              "give a word_colour column")

    soa = trials.get("soa_ms")
    soa_ms = np.zeros(n) if soa is None else pd.to_numeric(soa, errors="coerce").fillna(0.0).to_numpy(float)
    return EncodedTrials(task=task, ink=ink, word=word, soa_ms=soa_ms, colours=colours)


def canonical_trials(colours: Sequence[str], instructions: Sequence[str] = INSTRUCTIONS,
                     soa_ms: float = 0.0) -> pd.DataFrame:
    """Every ink × word combination of the given colours for each instruction: a balanced
    Stroop design (congruent, neutral = XXXX, incongruent) used by ``fit`` and the tests."""
    rows = []
    for instruction in instructions:
        for relevant in colours:
            for irrelevant in [*colours, ""]:
                condition = ("neutral" if irrelevant == "" else
                             "congruent" if irrelevant == relevant else "incongruent")
                if instruction == "colour_naming":
                    ink, word = relevant, irrelevant
                else:   # word reading's neutral item: the word printed in a neutral (black) ink
                    ink, word = (irrelevant or "black"), relevant
                rows.append({"task": "stroop", "instruction": instruction,
                             "item_id": f"{ink}_{word or 'XXXX'}", "condition": condition,
                             "word": word.upper() or "XXXX", "ink": ink, "word_colour": word,
                             "soa_ms": soa_ms, "language": "en", "expected_response": relevant})
    return pd.DataFrame(rows)


def output_rows(model, trials: pd.DataFrame, n_agents: int, colours: tuple[str, ...],
                response_unit: np.ndarray, rt_cycles: np.ndarray, rt_ms: np.ndarray,
                extras: list[dict] | None = None) -> pd.DataFrame:
    """Shared trial rows (``model.shared_rows``) for each simulated agent with the model's
    answers; the RT in cycles is kept in ``extras["rt_cycles"]``.

    ``response_unit`` is -1 where the model did not respond within its cycle limit (then
    ``response`` is empty, ``correct`` False — no answer is an error — and the RT None).
    """
    from models.base import judge

    if "expected_response" not in trials.columns:
        raise ModelInputError(f"model {model.name}: trial list has no 'expected_response' column")
    labels = np.array([*colours, ""], dtype=object)
    responded = response_unit >= 0
    response = labels[np.where(responded, response_unit, len(colours))]
    expected = np.tile(trials["expected_response"].to_numpy(dtype=object), n_agents)
    cycles = np.where(responded, rt_cycles, np.nan)
    if extras is None:
        extras = [{} for _ in range(len(response))]
    extras = [{**extra, "rt_cycles": (None if np.isnan(c) else int(c))}
              for extra, c in zip(extras, cycles)]
    return model.shared_rows(trials, n_agents, response=response.tolist(),
                             correct=judge(response.tolist(), expected.tolist()),
                             rt_ms=np.where(responded, rt_ms, np.nan).tolist(), extras=extras)
