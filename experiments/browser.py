"""The JSON pieces a browser trial is made of (``experiments/online``): text and image items
placed in px from the screen centre with y up (PsychoPy's ``units='pix'``), grouped into
components on the trial's time axis (zero = the target's onset, as in
``experiments.tasks.base.Component``). Each presentation class builds its trials from these
in ``browser_components``; the page (``experiments/online/static/mirrorlab-online.js``) draws
them.
"""

from __future__ import annotations

from typing import Any


def text_item(text: str, rgb, height_px: float, x_px: float = 0.0, y_px: float = 0.0,
              bold: bool = False) -> dict[str, Any]:
    return {"kind": "text", "text": str(text), "rgb": [int(v) for v in rgb],
            "height_px": float(height_px), "x_px": float(x_px), "y_px": float(y_px),
            "bold": bool(bold)}


def image_item(src: str, size_px: float, x_px: float = 0.0, y_px: float = 0.0) -> dict[str, Any]:
    return {"kind": "image", "src": src, "size_px": float(size_px), "x_px": float(x_px),
            "y_px": float(y_px)}


def component(name: str, items: list, start_ms: float, end_ms: float | None,
              is_target: bool = False) -> dict[str, Any]:
    return {"name": name, "items": items, "start_ms": float(start_ms),
            "end_ms": None if end_ms is None else float(end_ms), "is_target": bool(is_target)}
