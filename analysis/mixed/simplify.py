"""The simplification rule for singular fits: remove what the data do not support, nothing else.

Standard practice (Bates, Kliegl, Vasishth & Baayen 2015; Matuschek, Kliegl, Vasishth, Baayen
& Bates 2017): when a fit is singular, the random-effects structure is too rich *in the
grouping factor that is on the boundary*. So, one step at a time:

1. in each singular group, remove the random-effect terms whose variance is (near) zero
   (relative SD below lme4's 1e-4) — a group left with nothing disappears, e.g. an item
   intercept of zero variance leaves a participant-only model;
2. if no term there has a zero variance (the covariance matrix is degenerate through a
   correlation of ±1), fit that group without correlations (``||``);
3. if it is still singular, remove that group's term with the smallest relative SD.

Groups that are not on the boundary are never touched: a supported by-participant slope is
not removed because an item term is empty. The rule stops at the first non-singular fit, or
keeps the last fit (flagged singular) when only one random term with one model term is left.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from analysis.mixed.formula import Formula, RandomTerm

#: lme4's isSingular tolerance, on SDs relative to the residual SD.
ZERO_RELATIVE_SD = 1e-4


@dataclass(frozen=True)
class Step:
    formula: Formula
    reason: str


def labels_of(term: str, factor_columns: dict[str, list[str]]) -> list[str]:
    """The random-effect labels a formula term makes: ``session`` → ``session2``, ``session3``."""
    if term == "(Intercept)":
        return ["(Intercept)"]
    if term in factor_columns:
        return [term + column for column in factor_columns[term]]
    return [term]


def next_step(formula: Formula, relative_sd: dict[tuple[str, str], float],
              singular_groups: list[str], factor_columns: dict[str, list[str]]) -> Step | None:
    """The simpler formula the rule fits next, or None when there is nothing left to remove."""
    random = list(formula.random)
    total_terms = sum(term.n_terms for term in random)
    for position, term in enumerate(random):
        if term.group not in singular_groups:
            continue
        zero = [t for t in term.labels()
                if all(relative_sd.get((term.group, label), 1.0) < ZERO_RELATIVE_SD
                       for label in labels_of(t, factor_columns))]
        if zero and total_terms - len(zero) >= 1:
            remaining: RandomTerm | None = term
            for t in zero:
                remaining = remaining.without(t) if remaining is not None else None
            names = ", ".join(zero)
            if remaining is None:
                new = random[:position] + random[position + 1:]
                reason = f"{term.text()}: variance (near) zero — term removed"
            else:
                new = random[:position] + [remaining] + random[position + 1:]
                reason = f"{term.text()}: variance of {names} (near) zero — removed"
            return Step(formula.with_random(new), reason)
    for position, term in enumerate(random):
        if term.group in singular_groups and term.correlated and term.n_terms > 1:
            new = random[:position] + [replace(term, correlated=False)] + random[position + 1:]
            return Step(formula.with_random(new),
                        f"{term.text()}: degenerate covariance (correlation ±1), no zero variance "
                        "— correlations removed")
    for position, term in enumerate(random):
        if term.group in singular_groups and total_terms > 1:
            smallest = min(term.labels(), key=lambda t: min(
                relative_sd.get((term.group, label), 1.0) for label in labels_of(t, factor_columns)))
            remaining = term.without(smallest)
            new = random[:position] + ([remaining] if remaining else []) + random[position + 1:]
            return Step(formula.with_random(new),
                        f"{term.text()}: still singular — smallest term {smallest} removed")
    return None
