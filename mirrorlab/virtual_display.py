"""A display for PsychoPy windows on machines without a screen (servers, CI, the demo):
when ``$DISPLAY`` does not answer, start a private Xvfb for the duration of a block."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator


def display_answers(display: str | None) -> bool:
    """Whether an X server answers at ``display`` (trusted as is when xdpyinfo is missing)."""
    if not display:
        return False
    if not shutil.which("xdpyinfo"):
        return True
    return subprocess.run(["xdpyinfo", "-display", display], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode == 0


def _die_with_parent() -> None:
    """In the Xvfb child: get SIGTERM when the parent process ends (Linux prctl)."""
    try:
        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def _start_xvfb(width: int, height: int) -> tuple[subprocess.Popen, str] | None:
    """A new Xvfb (with GLX and XTEST) and its display name, or None if it did not start."""
    read_fd, write_fd = os.pipe()
    process = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", f"{width}x{height}x24",
         "-nolisten", "tcp", "+extension", "GLX", "+extension", "XTEST"],
        pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        preexec_fn=_die_with_parent)
    os.close(write_fd)
    number = b""
    deadline = time.monotonic() + 20
    while not number.endswith(b"\n") and time.monotonic() < deadline:
        chunk = os.read(read_fd, 16)
        if not chunk:
            break
        number += chunk
    os.close(read_fd)
    if not number.strip():
        process.terminate()
        return None
    return process, f":{number.decode().strip()}"


def _stop_xvfb(process: subprocess.Popen) -> None:
    # psychtoolbox (PsychoPy's keyboard) keeps its own X connection for the life of the
    # process, and Xlib exits the process when that server goes away. Then Xvfb is left
    # to die with this process (see _die_with_parent) instead of being stopped here.
    if "psychtoolbox" not in sys.modules:
        process.terminate()
        process.wait(timeout=10)


@contextlib.contextmanager
def virtual_display_if_needed(width: int = 1280, height: int = 1024) -> Iterator[str | None]:
    """Yield a usable ``$DISPLAY`` (the existing one, or a new Xvfb); ``None`` if neither."""
    existing = os.environ.get("DISPLAY")
    if display_answers(existing):
        yield existing
        return
    started = _start_xvfb(width, height) if shutil.which("Xvfb") else None
    if started is None:
        yield None
        return
    process, display = started
    os.environ["DISPLAY"] = display
    try:
        yield display
    finally:
        _stop_xvfb(process)
        if existing is None:
            os.environ.pop("DISPLAY", None)
        else:
            os.environ["DISPLAY"] = existing


@contextlib.contextmanager
def private_displays(count: int, width: int = 1280, height: int = 1024) -> Iterator[list[str]]:
    """``count`` new Xvfb displays of their own (``$DISPLAY`` untouched), for sessions that
    run side by side: XTEST key presses go to the focused window of a display, so two
    PsychoPy windows on one display would take each other's keys. Yields fewer displays
    (possibly none) when Xvfb is missing or does not start."""
    servers = []
    try:
        for _ in range(count if shutil.which("Xvfb") else 0):
            started = _start_xvfb(width, height)
            if started is None:
                break
            servers.append(started)
        yield [display for _, display in servers]
    finally:
        for process, _ in servers:
            _stop_xvfb(process)
