"""Statistics of replication projects: the effect a project replicates, its variance
components from a bundled original dataset, simulated power of the preregistered mixed model,
per-group and pooled estimates on a class's data, and replication verdicts.

Modules: ``design`` (what the effect is: a two-condition contrast or a slope), ``variance``
(method-of-moments components from people's data), ``power`` (vectorised simulation),
``effects`` (exclusions and estimates on class data), ``verdict`` (small telescopes, TOST).
"""
