"""Real key events sent to the X server (XTEST) at scheduled times, from a helper process.

Used by simulated and scripted participants: the key presses go through the X server and
PsychoPy's keyboard backend exactly as a person's would, so the whole response path (the
psychtoolbox queue, RT from the onset flip, storage) is exercised.

The presses are sent by a small child process (``python -m experiments.xtest_keys``), not a
thread: PsychoPy's frame loop holds Python's GIL for most of each frame (a buffer swap under
software OpenGL can take several ms), and a thread in the same interpreter woke up to 15 ms
late; a separate process keeps its own schedule. The parent gives times on psychopy's core
clock (e.g. measured onset + 640 ms); they are converted to wall-clock time, which both
processes share.
"""

from __future__ import annotations

import heapq
import subprocess
import sys
import threading
import time

from experiments.errors import ExperimentError

#: psychopy key names whose X keysym is spelled differently
_KEYSYMS = {"space": "space", "escape": "Escape", "return": "Return", "left": "Left",
            "right": "Right", "up": "Up", "down": "Down", "tab": "Tab",
            "backspace": "BackSpace"}
KEY_HOLD_MS = 60.0        # how long a simulated finger keeps the key down
SPIN_LAST_S = 0.002       # busy-wait the last 2 ms before a press for precision
READY_TIMEOUT_S = 20.0


class XTestKeySender:
    """Schedules key presses (core-clock times) in the helper process."""

    def __init__(self, display_name: str | None = None):
        from psychopy import core

        self._core = core
        command = [sys.executable, "-m", "experiments.xtest_keys"]
        if display_name:
            command.append(display_name)
        self._process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE, text=True, bufsize=1)
        ready = self._process.stdout.readline().strip()
        if ready != "ready":
            error = ready or self._process.stderr.read().strip().splitlines()[-1:]
            self._process.kill()
            raise ExperimentError(f"--simulate: cannot send XTEST key events ({error})")
        self.late_ms: dict[int, float] = {}   # press id -> how late the helper sent it
        self._next_id = 0
        self._reader = threading.Thread(target=self._read_reports, daemon=True)
        self._reader.start()

    def _wall_time(self, core_time_s: float) -> float:
        return core_time_s + (time.time() - self._core.getTime())

    def press_at(self, key: str, at_s: float) -> int:
        """Press ``key`` (a psychopy key name) at core-clock time ``at_s``; returns the
        press id under which ``lateness_ms`` reports how late it really went out."""
        self._next_id += 1
        self._send(f"press {self._next_id} {key} {self._wall_time(at_s):.6f}")
        return self._next_id

    def lateness_ms(self, press_id: int, wait_s: float = 0.25) -> float | None:
        """How many ms after its scheduled time the press was sent (None: not sent yet).

        On a loaded machine the helper itself can be late; the RT measured by PsychoPy
        must then match the time the key was really pressed, not the time asked for."""
        deadline = time.monotonic() + wait_s
        while press_id not in self.late_ms and time.monotonic() < deadline:
            time.sleep(0.002)
        return self.late_ms.get(press_id)

    def cancel_all(self) -> None:
        """Forget every press not yet sent (e.g. when Escape interrupts a trial)."""
        self._send("cancel")

    def close(self) -> None:
        if self._process.poll() is None:
            self._send("quit")
            try:
                self._process.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._reader.join(timeout=1)

    def _send(self, line: str) -> None:
        try:
            self._process.stdin.write(line + "\n")
            self._process.stdin.flush()
        except (BrokenPipeError, ValueError):
            raise ExperimentError("--simulate: the XTEST key helper process has stopped") from None

    def _read_reports(self) -> None:
        for line in self._process.stdout:
            parts = line.split()
            if len(parts) == 4 and parts[0] == "sent":
                self.late_ms[int(parts[1])] = float(parts[3])


# ---------------------------------------------------------------------------- helper process
def _keycode(display, key: str) -> int:
    from Xlib import XK

    return display.keysym_to_keycode(XK.string_to_keysym(_KEYSYMS.get(key, key)))


def _worker(display_name: str | None) -> int:
    from Xlib import X
    from Xlib import display as xdisplay
    from Xlib.ext import xtest

    try:
        display = xdisplay.Display(display_name)
        if not display.has_extension("XTEST"):
            raise RuntimeError("the X server has no XTEST extension")
    except Exception as exc:  # noqa: BLE001 - Xlib raises several unrelated types
        print(f"cannot open X display {display_name or ''}: {exc}", flush=True)
        return 1
    queue: list[tuple[float, int, str]] = []     # (wall time, press id, key)
    condition = threading.Condition()
    state = {"quit": False}

    def read_commands() -> None:
        for line in sys.stdin:
            parts = line.split()
            with condition:
                if parts[:1] == ["press"] and len(parts) == 4:
                    heapq.heappush(queue, (float(parts[3]), int(parts[1]), parts[2]))
                elif parts[:1] == ["cancel"]:
                    queue.clear()
                elif parts[:1] == ["quit"]:
                    break
                condition.notify()
        with condition:                      # quit or EOF (the parent died): stop
            state["quit"] = True
            condition.notify()

    threading.Thread(target=read_commands, daemon=True).start()
    print("ready", flush=True)
    while True:
        with condition:
            while not state["quit"] and not queue:
                condition.wait()
            if state["quit"]:
                break
            at, press_id, key = queue[0]
            wait_s = at - time.time()
            if wait_s > SPIN_LAST_S:
                condition.wait(timeout=wait_s - SPIN_LAST_S)
                continue                         # re-check: an earlier press may have come
            heapq.heappop(queue)
        while time.time() < at:
            pass
        code = _keycode(display, key)
        if not code:
            print(f"error {press_id} no-keycode {key}", flush=True)
            continue
        late_ms = (time.time() - at) * 1000.0      # taken just before the event goes out
        xtest.fake_input(display, X.KeyPress, code)
        display.sync()
        print(f"sent {press_id} {key} {late_ms:.3f}", flush=True)
        time.sleep(KEY_HOLD_MS / 1000.0)
        xtest.fake_input(display, X.KeyRelease, code)
        display.sync()
    display.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(_worker(sys.argv[1] if len(sys.argv) > 1 else None))
