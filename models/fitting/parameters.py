"""Free parameters: bounds, plausible ranges and which ones a fit estimates.

Each model class declares, next to its parameters, a class attribute

    free_parameters = {name: (lower, upper, plausible_lower, plausible_upper), ...}
    default_free = ("name", ...)            # what ``fit`` estimates unless told otherwise

Hard bounds are where the model stops making sense (a rate above 1, a negative constant); the
plausible range is where BADS starts its search and where recovery studies draw true values.
The prior is uniform over the hard bounds, so a fit is maximum likelihood (= MAP under that
prior). The residual parameters (``models.likelihood.families.RESIDUAL_PARAMETERS``) are
declared once for every model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from models.base import ModelInputError


@dataclass(frozen=True)
class FreeParameter:
    name: str
    lower: float
    upper: float
    plausible_lower: float
    plausible_upper: float

    def check(self, model_name: str) -> None:
        if not (self.lower <= self.plausible_lower < self.plausible_upper <= self.upper):
            raise ModelInputError(f"model {model_name}: parameter {self.name} needs lower ≤ "
                                  "plausible lower < plausible upper ≤ upper")


def declared_parameters(model_cls) -> dict[str, FreeParameter]:
    """Every parameter the model can fit: its own declaration plus the residual parameters."""
    from models.likelihood.families import RESIDUAL_PARAMETERS

    table = {name: FreeParameter(name, *spec[1:]) for name, spec in RESIDUAL_PARAMETERS.items()}
    own = getattr(model_cls, "free_parameters", None) or {}
    for name, spec in own.items():
        table[name] = FreeParameter(name, *map(float, spec))
    for parameter in table.values():
        parameter.check(model_cls.name)
    return table


def default_free(model_cls) -> tuple[str, ...]:
    declared = getattr(model_cls, "default_free", None)
    if declared:
        return tuple(declared)
    return tuple(getattr(model_cls, "free_parameters", {}) or ()) + ("residual_sd_ms",
                                                                     "residual_tau_ms")


def parse_free(text: str | Sequence[str] | None, model_cls) -> list[FreeParameter]:
    """``"a,b"`` (or a list) → the declared parameters, in that order; None → the defaults."""
    table = declared_parameters(model_cls)
    if text is None:
        names: Iterable[str] = default_free(model_cls)
    elif isinstance(text, str):
        names = [n.strip() for n in text.split(",") if n.strip()]
    else:
        names = list(text)
    names = list(dict.fromkeys(names))
    if not names:
        raise ModelInputError(f"model {model_cls.name}: --free names no parameter")
    unknown = [n for n in names if n not in table]
    if unknown:
        raise ModelInputError(f"model {model_cls.name}: cannot fit {', '.join(unknown)}; "
                              f"fittable parameters: {', '.join(table)}")
    return [table[n] for n in names]
