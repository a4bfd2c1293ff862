"""lme4-style model formulas, taken apart and put back together.

``lVOT ~ PosOr.cont*session*group + (PosOr.cont+session|subject) + (1|category)`` is a
response, a fixed part (passed on to the engine unchanged) and random terms, each a grouping
factor with the model terms that vary over it, correlated (``|``) or not (``||``). The
simplification rule (``analysis.mixed.simplify``) edits random terms one model term at a time,
so they are kept here as data, not as text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from analysis.errors import AnalysisInputError

_NAME = re.compile(r"[A-Za-z_.][A-Za-z0-9_.]*")


@dataclass(frozen=True)
class RandomTerm:
    """``(1 + a + b | group)``: the model terms ``a``, ``b`` (and the intercept) vary over ``group``."""

    group: str
    terms: tuple[str, ...]
    intercept: bool = True
    correlated: bool = True

    def text(self) -> str:
        parts = (["1"] if self.intercept else ["0"]) + list(self.terms)
        bar = "|" if self.correlated else "||"
        return f"({' + '.join(parts)} {bar} {self.group})"

    def labels(self) -> list[str]:
        """The model terms of this random term, ``(Intercept)`` first when present."""
        return (["(Intercept)"] if self.intercept else []) + list(self.terms)

    def without(self, term: str) -> "RandomTerm | None":
        """This random term less one model term; None when nothing would be left."""
        if term == "(Intercept)":
            remaining = replace(self, intercept=False)
        else:
            remaining = replace(self, terms=tuple(t for t in self.terms if t != term))
        if not remaining.intercept and not remaining.terms:
            return None
        return remaining

    @property
    def n_terms(self) -> int:
        return int(self.intercept) + len(self.terms)


@dataclass(frozen=True)
class Formula:
    """A mixed model formula: ``response ~ fixed + random terms``."""

    response: str
    fixed: str
    random: tuple[RandomTerm, ...]

    def text(self) -> str:
        pieces = [self.fixed] + [term.text() for term in self.random]
        return f"{self.response} ~ {' + '.join(pieces)}"

    def __str__(self) -> str:
        return self.text()

    def groups(self) -> list[str]:
        return [term.group for term in self.random]

    def fixed_variables(self) -> list[str]:
        return _variables(self.fixed)

    def variables(self) -> list[str]:
        """Every data column the formula names (response, predictors, grouping factors)."""
        names = [self.response, *self.fixed_variables()]
        for term in self.random:
            names += [name for t in term.terms for name in _variables(t)] + [term.group]
        return list(dict.fromkeys(names))

    def with_random(self, random) -> "Formula":
        return replace(self, random=tuple(random))


def _split_top_level(text: str, separator: str = "+") -> list[str]:
    parts, depth, current = [], 0, []
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                raise AnalysisInputError(f"formula: unbalanced ')' in {text!r}")
        if char == separator and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    if depth != 0:
        raise AnalysisInputError(f"formula: unbalanced '(' in {text!r}")
    parts.append("".join(current).strip())
    return parts


def _variables(expression: str) -> list[str]:
    """Column names in a fixed-effects expression (numbers and ``I``/function names skipped)."""
    names = []
    for match in _NAME.finditer(expression):
        name = match.group(0)
        after = expression[match.end():].lstrip()[:1]
        if after == "(" or re.fullmatch(r"\.?\d*", name):
            continue
        names.append(name)
    return list(dict.fromkeys(names))


def _random_term(inside: str, formula: str) -> RandomTerm:
    correlated = "||" not in inside
    left, _, group = inside.partition("||" if not correlated else "|")
    group = group.strip()
    if not _NAME.fullmatch(group):
        raise AnalysisInputError(
            f"formula: grouping factor {group!r} in ({inside}) is not a column name (in {formula!r})")
    intercept = True
    terms = []
    for part in _split_top_level(left):
        if part in ("1", ""):
            continue
        if part == "0" or part == "-1":
            intercept = False
            continue
        terms.append(part)
    return RandomTerm(group, tuple(dict.fromkeys(terms)), intercept, correlated)


def parse_formula(text: str) -> Formula:
    """``"y ~ a*b + (1 + a | participant)"`` → Formula; a malformed formula is a one-line error."""
    if not isinstance(text, str) or text.count("~") != 1:
        raise AnalysisInputError(f"formula {text!r}: write it as 'response ~ predictors + (1 | group)'")
    response, rhs = (side.strip() for side in text.split("~"))
    if not _NAME.fullmatch(response):
        raise AnalysisInputError(f"formula {text!r}: the response {response!r} is not a column name")
    fixed_parts, random = [], []
    for part in _split_top_level(rhs):
        if not part:
            raise AnalysisInputError(f"formula {text!r}: an empty term (two '+' in a row?)")
        if part.startswith("(") and part.endswith(")") and "|" in part:
            random.append(_random_term(part[1:-1], text))
        else:
            fixed_parts.append(part)
    fixed = " + ".join(fixed_parts) if fixed_parts else "1"
    return Formula(response, fixed, tuple(random))
