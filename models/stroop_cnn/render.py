"""Rendering Stroop stimuli as small RGB images for the Stroop CNN (PIL, no torch).

A stimulus is a word (English or Japanese) printed in an ink colour on a grey background, as
the Stroop task shows it. Each rendering draws a font (DejaVu Sans / Serif / Mono for Latin
text, Noto Sans / Serif CJK JP for Japanese), a size, a position and a slight ink and background
jitter from a seeded random generator, so the network sees the variety a reader sees and the
same seed gives the same pixels.
"""

from __future__ import annotations

import functools
import glob
import os
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from models.base import ModelInputError

#: Ink colours as the Stroop task shows them (experiments.tasks.stroop.DEFAULT_INK_RGB).
INK_RGB = {"red": (220, 30, 30), "green": (20, 170, 40), "blue": (40, 90, 255),
           "yellow": (235, 215, 0)}
#: Ink of word reading's neutral items (a colour word in a non-colour).
NEUTRAL_INK_RGB = (230, 230, 230)
BACKGROUND_RGB = (128, 128, 128)

LATIN_FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSerif.ttf",
                    "DejaVuSansMono.ttf", "DejaVuSansCondensed.ttf")
CJK_FONT_FILES = ("NotoSansCJK-Regular.ttc", "NotoSansCJK-Bold.ttc", "NotoSerifCJK-Regular.ttc")
FONT_FOLDERS = ("/usr/share/fonts", "/usr/local/share/fonts", os.path.expanduser("~/.fonts"))


@dataclass(frozen=True)
class FontFace:
    path: str
    index: int = 0      # face inside a .ttc collection (the JP face for Noto CJK)

    @property
    def name(self) -> str:
        return f"{os.path.basename(self.path)}#{self.index}"


def is_cjk(text: str) -> bool:
    return any(ord(ch) >= 0x2E80 for ch in text)


def _find(file_name: str) -> str | None:
    for folder in FONT_FOLDERS:
        hits = sorted(glob.glob(os.path.join(folder, "**", file_name), recursive=True))
        if hits:
            return hits[0]
    return None


def _japanese_face(path: str) -> int:
    """Index of the JP face in a Noto CJK collection (its faces are JP, KR, SC, TC, HK)."""
    from PIL import ImageFont

    for index in range(10):
        try:
            family, _ = ImageFont.truetype(path, 12, index=index).getname()
        except OSError:
            break
        if "JP" in family:
            return index
    return 0


@functools.lru_cache(maxsize=1)
def available_fonts() -> tuple[tuple[FontFace, ...], tuple[FontFace, ...]]:
    """(Latin faces, CJK faces) found on this machine; one-line error if either is missing."""
    latin = tuple(FontFace(p) for p in map(_find, LATIN_FONT_FILES) if p)
    cjk = tuple(FontFace(p, _japanese_face(p)) for p in map(_find, CJK_FONT_FILES) if p)
    if not latin:
        raise ModelInputError("stroop-cnn: no DejaVu fonts found under /usr/share/fonts "
                              "(install Debian's fonts-dejavu-core)")
    if not cjk:
        raise ModelInputError("stroop-cnn: no Noto CJK fonts found under /usr/share/fonts "
                              "(install Debian's fonts-noto-cjk)")
    return latin, cjk


@functools.lru_cache(maxsize=512)
def _font(face: FontFace, size: int):
    from PIL import ImageFont

    return ImageFont.truetype(face.path, size, index=face.index)


def ink_rgb(key: str) -> tuple[int, int, int]:
    """RGB of an ink key; unknown and neutral inks print in the neutral (light) ink."""
    return INK_RGB.get(key, NEUTRAL_INK_RGB)


def render_word(text: str, rgb: Sequence[int], rng: np.random.Generator, *, height: int = 32,
                width: int = 64, min_size: int = 11, max_size: int = 20, jitter: bool = True) -> np.ndarray:
    """One stimulus as a (height, width, 3) uint8 array."""
    from PIL import Image, ImageDraw

    latin, cjk = available_fonts()
    faces = cjk if is_cjk(text) else latin
    face = faces[int(rng.integers(len(faces)))] if jitter else faces[0]
    size = int(rng.integers(min_size, max_size + 1)) if jitter else (min_size + max_size) // 2
    while True:   # shrink until the word fits
        font = _font(face, size)
        left, top, right, bottom = font.getbbox(text)
        if (right - left <= width - 2 and bottom - top <= height - 2) or size <= 6:
            break
        size -= 1
    shade = np.array(BACKGROUND_RGB) + (rng.integers(-12, 13) if jitter else 0)
    ink = np.clip(np.array(rgb) + (rng.integers(-15, 16, size=3) if jitter else 0), 0, 255)
    image = Image.new("RGB", (width, height), tuple(int(v) for v in shade))
    draw = ImageDraw.Draw(image)
    spare_x = max(0, width - (right - left))
    spare_y = max(0, height - (bottom - top))
    x = int(rng.integers(0, spare_x + 1)) if jitter else spare_x // 2
    y = int(rng.integers(0, spare_y + 1)) if jitter else spare_y // 2
    draw.text((x - left, y - top), text, font=font, fill=tuple(int(v) for v in ink))
    return np.asarray(image, dtype=np.uint8)


def render_batch(texts: Sequence[str], rgbs: Sequence[Sequence[int]], rng: np.random.Generator,
                 **options) -> np.ndarray:
    """Many stimuli as an (N, 3, height, width) float32 array (channels first, as torch wants
    them), scaled to −0.5…0.5 so that the grey background is about 0 and only the ink drives
    the first convolution."""
    images = np.stack([render_word(t, c, rng, **options) for t, c in zip(texts, rgbs)])
    return (images.astype(np.float32) / 255.0 - 0.5).transpose(0, 3, 1, 2).copy()
