"""WEAVER++ for bilingual picture naming with other-language distractors (Roelofs et al. 2016).

Roelofs, Piai, Garrido Rodriguez & Chwilla (2016, Cortex 76) had Dutch–English bilinguals name
pictures in English (their second language) while ignoring Dutch distractor words: semantically
related words slow naming, the picture name's translation speeds it. Their simulation
(``ERP_bilingual_lemret.c``) rests on one claim: lemmas of both languages share the concepts but
*only target-language lemmas compete*. A Dutch distractor activates its concept, and through it
the English lemma of that concept: a related distractor (``eend``, duck) primes an English
competitor, the translation (``paard``, horse) primes the target.

The network (per trial, built by :func:`bilingual_network`): for every concept of the lexicon
(the categories of the trial, with their superordinate concept), one target-language lemma
linked at ``target_language_link_weight`` (0.5 in the program: the weaker second language) ×
the concept–lemma rate and one distractor-language lemma at ``distractor_language_link_weight``
(1.0). The picture gives input to its concept, enhanced after one verification; the distractor's
input goes straight to its lemma for ``distractor_duration_ms``; the target lemma may be selected
after two verifications, competing with the other basic-level target-language lemmas only.

Trial rows (task ``picture-word``): ``picture`` and ``category`` (target-language name),
``condition`` ∈ related / unrelated / translation / control, ``distractor`` (the
distractor-language word; empty for control), ``distractor_translation`` (its target-language
name; for translation trials the picture's name) and ``distractor_category``, ``soa_ms``.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar, Mapping

import numpy as np
import pandas as pd

from models.base import ModelInputError
from models.weaver.model import Weaver
from models.weaver.network import TrialNetwork
from models.weaver.rules import PICTURE_NAMING, NetworkWriter, StepRates

BILINGUAL_CONDITIONS = ("related", "unrelated", "translation", "control")
REQUIRED = ("picture", "category", "condition", "distractor", "distractor_translation",
            "distractor_category", "soa_ms")


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def bilingual_network(row: Mapping[str, Any], lexicon: Mapping[str, Mapping[str, str]],
                      rates: StepRates, target_weight: float,
                      distractor_weight: float) -> TrialNetwork:
    """One trial's network. ``lexicon`` maps category → {target-language word: its
    distractor-language translation}, categories' own names included as superordinates."""
    w = NetworkWriter(rates)
    net = w.net
    picture, condition = _text(row.get("picture")), _text(row.get("condition"))
    categories = [_text(row.get("category"))]
    if condition != "control" and _text(row.get("distractor_category")) not in categories:
        categories.append(_text(row.get("distractor_category")))
    for category in categories:
        members = dict(lexicon.get(category, {}))
        superordinate = category if category in members else None
        concepts = {word: net.node(word, "concept") for word in members}
        for word, translation in members.items():
            concept = concepts[word]
            target_lemma = net.node(word, "lemma")
            other_lemma = net.node(f"{translation}@distractor-language", "lemma")
            net.link(concept, target_lemma, rates.concept_lemma * target_weight, both_ways=True)
            net.link(concept, other_lemma, rates.concept_lemma * distractor_weight,
                     both_ways=True)
            net.non_competitors.add(other_lemma)
            if word == superordinate:
                w.superordinate_lemmas.add(target_lemma)
                net.non_competitors.add(target_lemma)
            else:
                w.basic_lemmas.add(target_lemma)
        words = list(members)
        for i, a in enumerate(words):
            for b in words[i + 1:]:
                net.link(concepts[a], concepts[b], rates.conceptual, both_ways=True)
    w.target_concept(net.node(picture, "concept"), PICTURE_NAMING)
    if condition != "control":
        translation = lexicon[_text(row.get("distractor_category"))][
            _text(row.get("distractor_translation"))]
        distractor = net.node(f"{translation}@distractor-language", "lemma")
        w.stimulus(distractor, float(row.get("soa_ms") or 0.0), relevant=False)
    w.flag(net.node(picture, "lemma"), picture, PICTURE_NAMING)
    return net


def lexicon_from_trials(trials: pd.DataFrame) -> dict[str, dict[str, str]]:
    """The categories' members met in the trial list: pictures and distractor translations
    (with the distractor word as translation where known; a picture's own translation is its
    translation-condition distractor), and each category's superordinate."""
    lexicon: dict[str, dict[str, str]] = {}
    for row in trials.to_dict("records"):
        category = _text(row.get("category"))
        members = lexicon.setdefault(category, {category: f"{category}~translation"})
        members.setdefault(_text(row["picture"]), f"{row['picture']}~translation")
        if _text(row.get("condition")) == "translation":
            members[_text(row["picture"])] = _text(row.get("distractor"))
        if _text(row.get("condition")) in ("related", "unrelated"):
            d_category = _text(row.get("distractor_category"))
            d_members = lexicon.setdefault(d_category, {d_category: f"{d_category}~translation"})
            d_members[_text(row["distractor_translation"])] = _text(row.get("distractor"))
    return lexicon


class WeaverBilingual(Weaver):
    """WEAVER++ with language-specific lemmas (Roelofs et al. 2016): within-language competition."""

    name: ClassVar[str] = "weaver-bilingual"
    version: ClassVar[str] = "1.0"
    tasks: ClassVar[tuple[str, ...]] = ("picture-word",)
    summary: ClassVar[str] = ("WEAVER++ bilingual picture naming (Roelofs et al. 2016): "
                              "other-language distractors, competition within the target language")

    def __init__(self, step_ms: float = 25.0, conceptual_rate_per_ms: float = 0.0101,
                 concept_lemma_rate_per_ms: float = 0.0074, decay_per_ms: float = 0.0240,
                 external_input_per_ms: float = 0.1965, distractor_duration_ms: float = 100.0,
                 critical_difference: float = 1.6, max_latency_ms: float = 1000.0,
                 target_language_link_weight: float = 0.5,
                 distractor_language_link_weight: float = 1.0,
                 lexicon: Mapping[str, Mapping[str, str]] | None = None,
                 intercept_ms: float = 550.0, ms_per_unit: float = 1.0,
                 rt_mode: str = "sample", enhancement_ratio: float = 1.0,
                 verification_ms: float = 25.0, hazard_timing: str = "before_update",
                 truncation: str = "at_max"):
        super().__init__(step_ms=step_ms, conceptual_rate_per_ms=conceptual_rate_per_ms,
                         concept_lemma_rate_per_ms=concept_lemma_rate_per_ms,
                         decay_per_ms=decay_per_ms, external_input_per_ms=external_input_per_ms,
                         distractor_duration_ms=distractor_duration_ms,
                         critical_difference=critical_difference, max_latency_ms=max_latency_ms,
                         intercept_ms=intercept_ms, ms_per_unit=ms_per_unit, rt_mode=rt_mode,
                         enhancement_ratio=enhancement_ratio, verification_ms=verification_ms,
                         hazard_timing=hazard_timing, truncation=truncation)
        self.target_language_link_weight = target_language_link_weight
        self.distractor_language_link_weight = distractor_language_link_weight
        self.lexicon = lexicon

    def check_trials(self, trials: pd.DataFrame) -> None:
        self.check_task(trials)
        missing = [c for c in REQUIRED if c not in trials.columns]
        if missing:
            raise ModelInputError(f"model {self.name}: trial list lacks column(s) "
                                  f"{', '.join(missing)}")
        bad = sorted(set(trials["condition"].astype(str)) - set(BILINGUAL_CONDITIONS))
        if bad:
            raise ModelInputError(f"model {self.name}: unknown condition {bad[0]!r}; expected "
                                  f"one of {', '.join(BILINGUAL_CONDITIONS)}")
        if pd.to_numeric(trials["soa_ms"], errors="coerce").isna().any():
            raise ModelInputError(f"model {self.name}: soa_ms must be a number in every row")

    def hazard(self, trials: pd.DataFrame):
        self._check_params()
        self.check_trials(trials)
        lexicon = {k: dict(v) for k, v in (self.lexicon or lexicon_from_trials(trials)).items()}
        rates = self.step_rates()
        keys: dict[tuple, int] = {}
        networks: list[TrialNetwork] = []
        index = np.zeros(len(trials), dtype=np.int64)
        for i, row in enumerate(trials.to_dict("records")):
            key = tuple(_text(row.get(c)) for c in REQUIRED)
            if key not in keys:
                if row["condition"] != "control" and _text(row["distractor_translation"]) not in \
                        lexicon.get(_text(row["distractor_category"]), {}):
                    raise ModelInputError(f"model {self.name}: distractor translation "
                                          f"{row['distractor_translation']!r} (trial row {i}) "
                                          "is not in the lexicon")
                keys[key] = len(networks)
                networks.append(bilingual_network(row, lexicon, rates,
                                                  self.target_language_link_weight,
                                                  self.distractor_language_link_weight))
            index[i] = keys[key]
        return self._network_hazard(networks), index, networks


#: The 2016 program's design: English (target) names, Dutch distractors.
ROELOFS_2016_LEXICON = {
    "animal": {"animal": "dier", "duck": "eend", "horse": "paard"},
    "furniture": {"furniture": "meubel", "table": "tafel", "chair": "stoel"},
}


def roelofs_2016_trials() -> pd.DataFrame:
    """The four conditions of ``ERP_bilingual_lemret.c``: picture HORSE named in English with
    Dutch EEND (related), STOEL (unrelated), PAARD (translation) or no word (control)."""
    base = {"task": "picture-word", "instruction": "picture_naming", "picture": "horse",
            "category": "animal", "soa_ms": 0.0, "language": "en"}
    rows = [("related", "eend", "duck", "animal"), ("unrelated", "stoel", "chair", "furniture"),
            ("translation", "paard", "horse", "animal"), ("control", "", "", "")]
    return pd.DataFrame([{**base, "condition": c, "distractor": d, "distractor_translation": t,
                          "distractor_category": k} for c, d, t, k in rows])
