"""Models by name, imported only when asked for (so ``mirrorlab --help`` stays fast)."""

from __future__ import annotations

import importlib

from models.base import Model, ModelInputError

#: name -> "module:Class". Each class follows ``models.base.Model``.
MODELS: dict[str, str] = {
    "cohen1990": "models.pdp.cohen1990:Cohen1990",
    "cohen-huston1994": "models.pdp.cohen_huston1994:CohenHuston1994",
    "stroop-cnn": "models.stroop_cnn.model:StroopCNN",
    "weaver": "models.weaver.model:Weaver",
    "weaver-cumulative": "models.weaver.cumulative:WeaverCumulative",
    "howard2006": "models.weaver.howard2006:Howard2006",
    "dark-side": "models.weaver.dark_side:DarkSide",
    "embedding": "models.embeddings.model:EmbeddingModel",
}

#: Descriptive yardsticks beside the process models (``models.yardsticks``): a per-condition
#: ex-Gaussian (the best a condition-means account can do) and a drift-diffusion model. They
#: have no published defaults — their parameters exist only once fitted to people — so they
#: are held to the likelihood protocol (``fit`` per participant, ``loglik``; tests/
#: test_likelihood_fit.py), not to the process models' (defaults, RT mapping, simulate unfitted).
YARDSTICKS: dict[str, str] = {
    "exgauss-conditions": "models.yardsticks.exgauss:ExGaussianYardstick",
    "ddm": "models.yardsticks.ddm:DriftDiffusionYardstick",
    "dummy-conditions": "models.yardsticks.dummy:DummyConditionsYardstick",
}


def model_class(name: str) -> type[Model]:
    known = {**MODELS, **YARDSTICKS}
    if name not in known:
        raise ModelInputError(f"unknown model {name!r}; known models: {', '.join(known)}")
    module_name, class_name = known[name].split(":")
    module = importlib.import_module(module_name)
    return getattr(module, class_name)


def make_model(name: str, **params) -> Model:
    cls = model_class(name)
    unknown = set(params) - set(cls.param_names())
    if unknown:
        raise ModelInputError(
            f"model {name}: unknown parameter(s) {', '.join(sorted(unknown))}; "
            f"known: {', '.join(cls.param_names())}")
    return cls(**params)
