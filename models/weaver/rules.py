"""Goal-referenced condition–action rules: which network a trial gets and which node is the goal.

In WEAVER++ (Roelofs 1992, 2003) a production rule of the form

    IF the goal is to name the picture AND concept(X) is the picture's concept
    THEN flag lemma(X) as the target

decides what may be selected; the irrelevant stimulus still spreads activation and competes, but
its node is never flagged. One function per task here turns a trial row into a
:class:`~models.weaver.network.TrialNetwork`: it adds the nodes the stimuli reach, the external
inputs with their timing, and flags the target node.

Tasks (``instruction`` values):

* ``picture_naming`` — picture → concept → flagged lemma (picture–word interference, continuous
  naming);
* ``word_reading`` — the written word is the target. Roelofs (2003, Fig. 7) has two routes:
  (a) input form → lemma → output form, selection at the lemma; (b) input form → output form
  directly, selection at the output form. ``word_reading_route`` picks ``"direct"`` (b, default),
  ``"lemma"`` (a) or ``"race"`` (both; whichever selects first);
* ``colour_naming`` — Stroop: the ink's colour concept is the target concept (like a picture);
* ``picture_categorising`` / ``word_categorising`` — the superordinate lemma of the picture's (or
  word's) concept is flagged (Glaser & Düngelhoff's categorising tasks).

Timing: the target stimulus gives input from t = 0 for as long as the trial lasts (or
``picture_duration_ms``); the irrelevant stimulus gives input from t = SOA for the distractor
duration (100 ms). ``soa_ms`` follows the trial list and the experiment (word onset − picture
onset, negative = word first) in both tasks, so the irrelevant stimulus starts at ``soa_ms``
in picture naming and at ``−soa_ms`` in word reading. (Glaser & Düngelhoff's SOA axis is the
irrelevant stimulus relative to the target; ``stimuli/published/glaser1984.py`` converts it to
``soa_ms`` once, so the fit report compares on one axis.)
Stroop words and inks appear together (SOA 0).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

from models.weaver.network import TrialNetwork

PICTURE_NAMING = "picture_naming"
WORD_READING = "word_reading"
COLOUR_NAMING = "colour_naming"
PICTURE_CATEGORISING = "picture_categorising"
WORD_CATEGORISING = "word_categorising"
INSTRUCTIONS = (PICTURE_NAMING, WORD_READING, COLOUR_NAMING, PICTURE_CATEGORISING,
                WORD_CATEGORISING)
READING_ROUTES = ("direct", "lemma", "race")
COLOUR_CATEGORY = "colour"


@dataclass(frozen=True)
class StepRates:
    """Per-step (Δt) rates and inputs derived from the published per-ms values."""

    conceptual: float
    concept_lemma: float
    form: float
    lemma_form: float
    external_input: float
    distractor_duration_ms: float
    picture_duration_ms: float | None
    include_superordinates: bool
    link_weights: Mapping[tuple[str, str], float] | None


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


class NetworkWriter:
    """Adds words to a trial network following WEAVER++'s strata (concept, lemma, forms)."""

    def __init__(self, rates: StepRates):
        self.rates = rates
        self.net = TrialNetwork()
        self._lexical: set[str] = set()
        self._categories: dict[str, str] = {}

    def lexical_entry(self, word: str, category: str) -> None:
        """Concept, lemma and output form of ``word``; IS-A link to its superordinate."""
        if word in self._lexical:
            return
        self._lexical.add(word)
        r = self.rates
        concept = self.net.node(word, "concept")
        lemma = self.net.node(word, "lemma")
        form = self.net.node(word, "output_form")
        self.net.link(concept, lemma, r.concept_lemma, both_ways=True)
        self.net.link(lemma, form, r.lemma_form)
        if category:
            self._categories[word] = category
            if r.include_superordinates and category not in self._lexical:
                self._lexical.add(category)
                sup = self.net.node(category, "concept")
                sup_lemma = self.net.node(category, "lemma")
                self.net.link(sup, sup_lemma, r.concept_lemma, both_ways=True)
                self.net.link(sup_lemma, self.net.node(category, "output_form"), r.lemma_form)
            if r.include_superordinates:
                self.net.link(concept, self.net.node(category, "concept"), r.conceptual,
                              both_ways=True)

    def written_form(self, text: str, is_word: bool) -> int:
        """Orthographic input form; a word's reaches its lemma (route a) and output form (b)."""
        node = self.net.node(text, "input_form")
        if not any(a == node for a, _, _ in self.net.links):
            out = self.net.node(text, "output_form")
            self.net.link(node, out, self.rates.form)
            if is_word and self.net.has(text, "lemma"):
                self.net.link(node, self.net.node(text, "lemma"), self.rates.form)
        return node

    def link_co_members(self) -> None:
        """Concept–concept links between basic-level concepts: category co-members (weight 1,
        or the relatedness table's weight) and any pair the table lists."""
        words = [w for w in self._lexical if w in self._categories]
        table = self.rates.link_weights or {}
        for i, a in enumerate(words):
            for b in words[i + 1:]:
                weight = table.get((a, b), table.get((b, a)))
                if weight is None:
                    weight = 1.0 if self._categories[a] == self._categories[b] else 0.0
                self.net.link(self.net.node(a, "concept"), self.net.node(b, "concept"),
                              self.rates.conceptual * float(weight), both_ways=True)

    def stimulus(self, node: int, onset_ms: float, relevant: bool) -> None:
        r = self.rates
        duration = r.picture_duration_ms if relevant else r.distractor_duration_ms
        self.net.add_input(node, onset_ms, duration, r.external_input)


def picture_word_network(row: Mapping[str, Any], rates: StepRates, route: str,
                         co_member: str = "") -> TrialNetwork:
    """Picture–word interference trial (picture naming, word reading or categorising).

    ``co_member`` is a category co-member of the picture that is part of the network in every
    condition (Roelofs 1992 used one network per item and varied only which word gets input):
    in the related condition it is the distractor itself. Without it the related condition's
    network would hold one more competitor than the others even when the word comes too late to
    matter, and the semantic effect could never return to zero at long SOAs.
    """
    instruction = _text(row.get("instruction")) or PICTURE_NAMING
    picture, category = _text(row.get("picture")), _text(row.get("category"))
    word, word_category = _text(row.get("distractor")), _text(row.get("distractor_category"))
    condition = _text(row.get("condition"))
    soa = float(row.get("soa_ms") or 0.0)
    if isinstance(row.get("soa_ms"), float) and math.isnan(row.get("soa_ms")):
        soa = 0.0
    is_word = condition != "nonword" and bool(word)
    if condition == "identical":
        word, word_category = picture, category
    w = NetworkWriter(rates)
    w.lexical_entry(picture, category)
    if co_member and co_member != picture:
        w.lexical_entry(co_member, category)
    if is_word:
        w.lexical_entry(word, word_category)
    w.link_co_members()
    picture_concept = w.net.node(picture, "concept")
    written = w.written_form(word, is_word) if word else None
    net = w.net
    if instruction in (PICTURE_NAMING, PICTURE_CATEGORISING):
        w.stimulus(picture_concept, 0.0, relevant=True)
        if written is not None:
            w.stimulus(written, soa, relevant=False)
        if instruction == PICTURE_NAMING:
            net.target, net.response = net.node(picture, "lemma"), picture
        else:
            net.target, net.response = net.node(category, "lemma"), category
    elif instruction in (WORD_READING, WORD_CATEGORISING):
        if written is None:
            raise ValueError("word reading needs a distractor word to read")
        w.stimulus(written, 0.0, relevant=True)
        w.stimulus(picture_concept, -soa, relevant=False)
        if instruction == WORD_CATEGORISING:
            net.target, net.response = net.node(word_category, "lemma"), word_category
        else:
            _flag_reading_target(net, word, is_word, route)
    else:
        raise ValueError(f"instruction {instruction!r} is not a picture–word task")
    return net


def stroop_network(row: Mapping[str, Any], rates: StepRates, route: str,
                   co_member: str = "") -> TrialNetwork:
    """Colour–word Stroop trial (Roelofs 2003): ink → colour concept, word → input form.

    As for pictures, one other colour (``co_member``; the word's colour on incongruent trials)
    is in the network in every condition, so conditions differ only in the input they get.
    """
    instruction = _text(row.get("instruction")) or COLOUR_NAMING
    ink = _text(row.get("ink"))
    word_colour = _text(row.get("word_colour"))
    text = word_colour or _text(row.get("word")) or "XXXX"
    if instruction == COLOUR_NAMING and not ink:
        raise ValueError("colour naming needs an ink colour")
    w = NetworkWriter(rates)
    if ink:  # word reading may show a word in plain (no colour) ink
        w.lexical_entry(ink, COLOUR_CATEGORY)
    if co_member and co_member != ink and not (word_colour and word_colour != ink):
        w.lexical_entry(co_member, COLOUR_CATEGORY)
    if word_colour:
        w.lexical_entry(word_colour, COLOUR_CATEGORY)
    w.link_co_members()
    written = w.written_form(text, is_word=bool(word_colour))
    net = w.net
    if instruction == COLOUR_NAMING:
        w.stimulus(net.node(ink, "concept"), 0.0, relevant=True)
        w.stimulus(written, 0.0, relevant=False)
        net.target, net.response = net.node(ink, "lemma"), ink
    elif instruction == WORD_READING:
        w.stimulus(written, 0.0, relevant=True)
        if ink:
            w.stimulus(net.node(ink, "concept"), 0.0, relevant=False)
        _flag_reading_target(net, text, bool(word_colour), route)
    else:
        raise ValueError(f"instruction {instruction!r} is not a Stroop task")
    return net


def _flag_reading_target(net: TrialNetwork, word: str, is_word: bool, route: str) -> None:
    net.response = word
    if route == "lemma" and is_word:
        net.target, net.selection_kind = net.node(word, "lemma"), "lemma"
    else:  # direct route (b); also the only route a nonword has
        net.target, net.selection_kind = net.node(word, "output_form"), "output_form"


def picture_naming_network(picture: str, category: str, co_members: list[str] | tuple[str, ...],
                           biased: list[str] | tuple[str, ...], rates: StepRates,
                           bias_amount: float, bias_duration_ms: float | None) -> TrialNetwork:
    """Continuous-naming trial: the picture, its category co-members in the lexicon (all linked
    with each other), and Roelofs' (2018) conceptual bias: an extra input of ``bias_amount`` per
    step on the concepts of the co-members in ``biased`` (those named before), from trial onset
    for ``bias_duration_ms`` (None: the whole trial)."""
    w = NetworkWriter(rates)
    w.lexical_entry(picture, category)
    for member in co_members:
        w.lexical_entry(member, category)
    w.link_co_members()
    net = w.net
    w.stimulus(net.node(picture, "concept"), 0.0, relevant=True)
    if bias_amount:
        for member in biased:
            net.add_input(net.node(member, "concept"), 0.0, bias_duration_ms, bias_amount)
    net.target, net.response = net.node(picture, "lemma"), picture
    return net
