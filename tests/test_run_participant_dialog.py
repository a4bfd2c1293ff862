"""Without ``--participant``, ``mirrorlab run`` asks for the code in PsychoPy's participant
dialog; typing a code there (real key events through XTEST) starts that participant's session."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from db.store import Store

pytestmark = pytest.mark.gui

DIALOG_TITLE = "mirrorlab"


def find_window(display, title):
    """The mapped top-level window called ``title`` (or None)."""
    from Xlib import X

    for window in display.screen().root.query_tree().children:
        try:
            if window.get_wm_name() == title and window.get_attributes().map_state == X.IsViewable:
                return window
        except Exception:  # noqa: BLE001 - windows may vanish while we look
            continue
    return None


def type_text(display, text):
    from Xlib import X, XK
    from Xlib.ext import xtest

    shift = display.keysym_to_keycode(XK.string_to_keysym("Shift_L"))
    for char in text:
        keysym = XK.string_to_keysym({"\n": "Return"}.get(char, char))
        code = display.keysym_to_keycode(keysym)
        if char.isupper():
            xtest.fake_input(display, X.KeyPress, shift)
        xtest.fake_input(display, X.KeyPress, code)
        xtest.fake_input(display, X.KeyRelease, code)
        if char.isupper():
            xtest.fake_input(display, X.KeyRelease, shift)
        display.sync()
        time.sleep(0.05)


def test_participant_dialog_asks_for_the_code(xvfb_display, sqlite_url, tmp_path):
    from Xlib import X
    from Xlib import display as xdisplay
    from Xlib.ext import xtest

    process = subprocess.Popen(
        [sys.executable, "-m", "mirrorlab", "run", "stroop", "--db", sqlite_url, "--windowed",
         "--simulate", "--max-trials", "2", "--no-practice", "--csv-dir", str(tmp_path),
         "--param", "iti_ms=100", "--sim-param", "screen_reading_ms=150"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    display = xdisplay.Display(xvfb_display)
    try:
        deadline = time.monotonic() + 60
        dialog = None
        while dialog is None:
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the participant dialog did not appear"
            time.sleep(0.2)
            dialog = find_window(display, DIALOG_TITLE)
        time.sleep(0.5)                                   # let Qt give the field its focus
        geometry = dialog.get_geometry()
        position = dialog.translate_coords(display.screen().root, 0, 0)
        x, y = -position.x + geometry.width // 2, -position.y + geometry.height // 2
        xtest.fake_input(display, X.MotionNotify, x=x, y=y)   # keys go where the pointer is
        display.sync()
        time.sleep(0.2)
        type_text(display, "D01\n")
        out, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
        display.close()
    assert process.returncode == 0, err
    assert "participant D01 session 1, completed, 2 trials stored" in out
    sessions = Store(sqlite_url).sessions_frame()
    assert sessions["participant"].tolist() == ["D01"]
