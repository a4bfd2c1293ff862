"""The printable report: the HTML file printed to PDF by headless Chromium (``--pdf FILE``).

The report's print CSS unfolds ``<details>``, lets tables run their full length instead of
scrolling, starts each task on a new page and hides the figures' toolbars; Chromium runs the
report's own scripts first, so the figures are drawn (as vectors) before printing. The PDF is
written to a temporary file and renamed into place, so a failed print never leaves half a file
or overwrites a good one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from analysis.errors import AnalysisInputError

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
#: Flags that keep headless Chromium off the network and out of the user's profile.
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--no-pdf-header-footer")
PRINT_TIMEOUT_S = 300


def find_chromium() -> str:
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    raise AnalysisInputError("--pdf needs headless Chromium: install Debian's chromium package "
                             "(scripts/setup.sh does) or open the HTML report and print it")


def print_to_pdf(html_path, pdf_path) -> Path:
    """Print the HTML report ``html_path`` to ``pdf_path`` with headless Chromium."""
    html_path = Path(html_path).resolve()
    pdf_path = Path(pdf_path)
    if not html_path.is_file():
        raise AnalysisInputError(f"--pdf: no HTML report at {html_path}")
    if pdf_path.exists() and pdf_path.is_dir():
        raise AnalysisInputError(f"--pdf: {pdf_path} is a folder, not a file name")
    chromium = find_chromium()
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    temporary = pdf_path.with_name(f".{pdf_path.name}.{os.getpid()}.tmp")
    with tempfile.TemporaryDirectory(prefix="mirrorlab-chromium-") as profile:
        try:
            done = subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                                   f"--print-to-pdf={temporary}", html_path.as_uri()],
                                  capture_output=True, text=True, timeout=PRINT_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            temporary.unlink(missing_ok=True)
            raise AnalysisInputError(f"--pdf: Chromium did not finish printing {html_path} in "
                                     f"{PRINT_TIMEOUT_S} s") from None
    if not temporary.is_file() or temporary.stat().st_size == 0 or \
            not temporary.read_bytes()[:5] == b"%PDF-":
        temporary.unlink(missing_ok=True)
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise AnalysisInputError(f"--pdf: Chromium could not print {html_path} ({last})")
    temporary.replace(pdf_path)
    return pdf_path
