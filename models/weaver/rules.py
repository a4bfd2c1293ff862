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
Stroop trials read ``soa_ms`` too (word onset − ink onset; 0 when the column is absent).

As in Roelofs' own programs (2016 ``ERP_bilingual_lemret.c``, 2018 ``CONCEPTUAL BIAS.C``):

* a written *word* puts its external input directly on its lemma (``word_entry="lemma"``); the
  earlier input-form route (input form → lemma at the form rate) is ``word_entry="input_form"``.
  Nonwords, which have no lemma, enter their input form in both;
* naming a picture or a colour: once the rule has flagged the target concept (one 25-ms
  verification after the stimulus appears), the concept gets a second dose of the external input
  every step while the stimulus is there (goal-referenced enhancement, rule P1 of Roelofs 2003,
  p. 100; ``enhancement`` = 1 × the external input);
* the target node can be selected only after the verifications that flag it: concept and lemma in
  naming (2 × 25 ms), the lemma or form in reading (1), concept, superordinate concept and its
  lemma in categorising (3);
* superordinate lemmas are in the network (they get and spread activation) but do not compete:
  neither the critical difference nor the Luce ratio counts them, exactly as the programs' hazard
  lists only the basic-level cohort. In categorising the roles swap: the category lemmas compete.
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
WORD_ENTRIES = ("lemma", "input_form")
COLOUR_CATEGORY = "colour"
#: Verifications (each ``verification_ms``) before the rules have flagged the target node.
VERIFICATIONS = {PICTURE_NAMING: 2, COLOUR_NAMING: 2, WORD_READING: 1,
                 PICTURE_CATEGORISING: 3, WORD_CATEGORISING: 3}


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
    # The defaults below are mirrorlab's earlier behaviour; Weaver.step_rates always sets them
    # (to Roelofs' programs' values unless told otherwise).
    #: extra input per step on the flagged target concept (0 = no enhancement)
    enhancement: float = 0.0
    verification_ms: float = 0.0
    word_entry: str = "input_form"
    superordinates_compete: bool = True
    #: input per step on a distractor word after its first ``distractor_duration_ms`` for as
    #: long as it stays on screen (0 = the word's input stops, as in the programs)
    sustained_distractor_input: float = 0.0


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
        self.basic_lemmas: set[int] = set()
        self.superordinate_lemmas: set[int] = set()

    def lexical_entry(self, word: str, category: str) -> None:
        """Concept, lemma and output form of ``word``; IS-A link to its superordinate."""
        if word in self._lexical:
            return
        self._lexical.add(word)
        r = self.rates
        concept = self.net.node(word, "concept")
        lemma = self.net.node(word, "lemma")
        form = self.net.node(word, "output_form")
        self.basic_lemmas.add(lemma)
        self.net.link(concept, lemma, r.concept_lemma, both_ways=True)
        self.net.link(lemma, form, r.lemma_form)
        if category:
            self._categories[word] = category
            if r.include_superordinates and category not in self._lexical:
                self._lexical.add(category)
                sup = self.net.node(category, "concept")
                sup_lemma = self.net.node(category, "lemma")
                self.superordinate_lemmas.add(sup_lemma)
                if not r.superordinates_compete:
                    self.net.non_competitors.add(sup_lemma)
                self.net.link(sup, sup_lemma, r.concept_lemma, both_ways=True)
                self.net.link(sup_lemma, self.net.node(category, "output_form"), r.lemma_form)
            if r.include_superordinates:
                self.net.link(concept, self.net.node(category, "concept"), r.conceptual,
                              both_ways=True)

    def written_form(self, text: str, is_word: bool) -> int:
        """The node a written string's external input enters. A word of the lexicon enters its
        lemma directly (``word_entry="lemma"``, the programs); otherwise the orthographic input
        form, which reaches the word's lemma (route a) and output form (route b)."""
        if is_word and self.rates.word_entry == "lemma" and self.net.has(text, "lemma"):
            return self.net.node(text, "lemma")
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
        if not relevant and r.sustained_distractor_input and duration is not None:
            self.net.add_input(node, onset_ms + duration, None, r.sustained_distractor_input)

    def target_concept(self, node: int, instruction: str) -> None:
        """Input of the relevant stimulus on concept ``node`` from t = 0, and the rule's
        enhancement once the concept is flagged (one verification later), in naming tasks."""
        r = self.rates
        self.stimulus(node, 0.0, relevant=True)
        if r.enhancement and instruction in (PICTURE_NAMING, COLOUR_NAMING):
            duration = None if r.picture_duration_ms is None else max(
                0.0, r.picture_duration_ms - r.verification_ms)
            self.net.add_input(node, r.verification_ms, duration, r.enhancement)

    def flag(self, target: int, response: str, instruction: str) -> None:
        """The rule's goal node, when it can be selected, and who competes with it."""
        net = self.net
        net.target, net.response = target, response
        net.selection_onset_ms = VERIFICATIONS.get(instruction, 1) * self.rates.verification_ms
        if instruction in (PICTURE_CATEGORISING, WORD_CATEGORISING):
            net.non_competitors = set(self.basic_lemmas) - {target}


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
        w.target_concept(picture_concept, instruction)
        if written is not None:
            w.stimulus(written, soa, relevant=False)
        if instruction == PICTURE_NAMING:
            w.flag(net.node(picture, "lemma"), picture, instruction)
        else:
            w.flag(net.node(category, "lemma"), category, instruction)
    elif instruction in (WORD_READING, WORD_CATEGORISING):
        if written is None:
            raise ValueError("word reading needs a distractor word to read")
        w.stimulus(written, 0.0, relevant=True)
        w.stimulus(picture_concept, -soa, relevant=False)
        if instruction == WORD_CATEGORISING:
            w.flag(net.node(word_category, "lemma"), word_category, instruction)
        else:
            _flag_reading_target(w, word, is_word, route)
    else:
        raise ValueError(f"instruction {instruction!r} is not a picture–word task")
    return net


def stroop_network(row: Mapping[str, Any], rates: StepRates, route: str,
                   co_member: str = "") -> TrialNetwork:
    """Colour–word Stroop trial (Roelofs 2003): ink → colour concept, word → its lemma (or input
    form). ``soa_ms`` (word onset − ink onset, negative = word first) times the irrelevant
    dimension as in picture–word interference.

    As for pictures, one other colour (``co_member``; the word's colour on incongruent trials)
    is in the network in every condition, so conditions differ only in the input they get.
    """
    instruction = _text(row.get("instruction")) or COLOUR_NAMING
    soa = 0.0 if _text(row.get("soa_ms")) == "" else float(row["soa_ms"])
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
        w.target_concept(net.node(ink, "concept"), instruction)
        w.stimulus(written, soa, relevant=False)
        w.flag(net.node(ink, "lemma"), ink, instruction)
    elif instruction == WORD_READING:
        w.stimulus(written, 0.0, relevant=True)
        if ink:
            w.stimulus(net.node(ink, "concept"), -soa, relevant=False)
        _flag_reading_target(w, text, bool(word_colour), route)
    else:
        raise ValueError(f"instruction {instruction!r} is not a Stroop task")
    return net


def _flag_reading_target(w: NetworkWriter, word: str, is_word: bool, route: str) -> None:
    net = w.net
    if route == "lemma" and is_word:
        net.selection_kind = "lemma"
        w.flag(net.node(word, "lemma"), word, WORD_READING)
    else:  # direct route (b); also the only route a nonword has
        net.selection_kind = "output_form"
        w.flag(net.node(word, "output_form"), word, WORD_READING)


CATEGORISING_RESPONSES = ("button", "lemma")


def picture_naming_network(picture: str, category: str, co_members: list[str] | tuple[str, ...],
                           biased: list[str] | tuple[str, ...], rates: StepRates,
                           bias_amount: float, bias_duration_ms: float | None,
                           instruction: str = PICTURE_NAMING,
                           categorising_response: str = "button") -> TrialNetwork:
    """Continuous-naming trial: the picture, its category co-members in the lexicon (all linked
    with each other and, with superordinates, with the category concept), and Roelofs' (2018)
    conceptual bias: an extra input of ``bias_amount`` per step on the concepts of the
    co-members in ``biased`` (those named before), from trial onset for ``bias_duration_ms``
    (None: the whole trial, as in ``CONCEPTUAL BIAS.C``).

    ``instruction="picture_categorising"`` is the program's picture classification: the
    category concept feeds a response button (concept–lemma rate), a second button stands for
    the other category, and the hazard is 1 once the category's button leads the other by the
    critical difference (``categorising_response="button"``); ``"lemma"`` selects the category
    lemma by the Luce ratio instead (vocal categorising)."""
    w = NetworkWriter(rates)
    w.lexical_entry(picture, category)
    for member in co_members:
        w.lexical_entry(member, category)
    w.link_co_members()
    net = w.net
    w.target_concept(net.node(picture, "concept"), instruction)
    if bias_amount:
        for member in biased:
            net.add_input(net.node(member, "concept"), 0.0, bias_duration_ms, bias_amount)
    if instruction == PICTURE_NAMING:
        w.flag(net.node(picture, "lemma"), picture, PICTURE_NAMING)
    elif instruction == PICTURE_CATEGORISING and categorising_response == "button":
        button = net.node(category, "button")
        net.link(net.node(category, "concept"), button, rates.concept_lemma)
        net.node(f"not {category}", "button")
        net.selection_kind, net.luce_selection = "button", False
        w.flag(button, category, PICTURE_CATEGORISING)
    elif instruction == PICTURE_CATEGORISING:
        w.flag(net.node(category, "lemma"), category, PICTURE_CATEGORISING)
    else:
        raise ValueError(f"instruction {instruction!r} is not a continuous-naming task")
    return net
