"""Real components for the online-session tests: a ``mirrorlab serve`` process, Debian's
headless Chromium driven over the DevTools protocol (websockets), and a scripted participant
that presses keys at planned times after the page's measured target onsets."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--window-size=1024,768"]
REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``python -m mirrorlab serve`` as a real process on 127.0.0.1."""

    def __init__(self, db_url: str, port: int | None = None, secret: str = "experimenter-secret-for-tests",
                 extra_args=()):
        self.db_url, self.port, self.secret = db_url, port or free_port(), secret
        self.extra_args = list(extra_args)
        self.process = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 60.0) -> "Server":
        env = dict(os.environ, MIRRORLAB_EXPERIMENTER_SECRET=self.secret)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mirrorlab", "serve", "--port", str(self.port), "--db",
             self.db_url, *self.extra_args], env=env, cwd=REPO, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"serve exited: {self.process.stderr.read()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("serve did not start")

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, as a crash or a pulled plug."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


def make_links(db_url: str, *args: str) -> list[dict]:
    """Run ``mirrorlab links`` and parse its table."""
    result = subprocess.run([sys.executable, "-m", "mirrorlab", "links", "--db", db_url, *args],
                            capture_output=True, text=True, timeout=120, cwd=REPO)
    assert result.returncode == 0, result.stderr
    rows = []
    for line in result.stdout.splitlines()[1:]:
        slot, code, task, link = line.split("\t")
        rows.append({"slot": int(slot), "code": code, "task": task, "link": link,
                     "token": link.rsplit("/", 1)[1]})
    return rows


class Chromium:
    """Headless Chromium with one page, driven over the DevTools protocol."""

    def __init__(self, profile_dir: Path, extra_flags=()):
        if not Path(CHROMIUM).exists():
            raise RuntimeError("chromium not found: apt-get install -y chromium (scripts/setup.sh)")
        profile_dir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [CHROMIUM, *CHROMIUM_FLAGS, *extra_flags, f"--user-data-dir={profile_dir}",
             "--remote-debugging-port=0", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = profile_dir / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not port_file.exists() or not port_file.read_text().strip():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError("chromium did not start its DevTools endpoint")
            time.sleep(0.05)
        port = int(port_file.read_text().split()[0])
        targets = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list",
                                                    timeout=10).read())
        page = next(t for t in targets if t["type"] == "page")
        from websockets.sync.client import connect

        self._connection = connect(page["webSocketDebuggerUrl"], max_size=None, open_timeout=10)
        self.ws = self._connection.__enter__()
        self._next_id = 0
        self.requests: list[str] = []
        self.console: list[str] = []
        self.send("Network.enable")
        self.send("Page.enable")
        self.send("Runtime.enable")

    def _handle_event(self, message: dict) -> None:
        method = message.get("method")
        if method == "Network.requestWillBeSent":
            self.requests.append(message["params"]["request"]["url"])
        elif method == "Runtime.exceptionThrown":
            self.console.append(json.dumps(message["params"]["exceptionDetails"])[:500])

    def send(self, method: str, params: dict | None = None, timeout_s: float = 60.0) -> dict:
        self._next_id += 1
        ident = self._next_id
        self.ws.send(json.dumps({"id": ident, "method": method, "params": params or {}}))
        deadline = time.monotonic() + timeout_s
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{method}: no answer in {timeout_s} s")
            message = json.loads(self.ws.recv(timeout=remaining))
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self._handle_event(message)

    def evaluate(self, expression: str, *, await_promise: bool = False, timeout_s: float = 60.0):
        result = self.send("Runtime.evaluate", {"expression": expression, "awaitPromise": await_promise,
                                                "returnByValue": True}, timeout_s=timeout_s)
        if "exceptionDetails" in result:
            raise RuntimeError(f"page error: {result['exceptionDetails']}")
        return result["result"].get("value")

    def navigate(self, url: str) -> None:
        self.send("Page.navigate", {"url": url})

    def reload(self) -> None:
        self.send("Page.reload", {"ignoreCache": True})

    def press(self, key: str, timestamp_s: float | None = None) -> None:
        """One key press (down, up) as the page sees a real one. ``timestamp_s`` (seconds since
        the epoch) is the event's time, as an operating system stamps a hardware key; without
        it the browser stamps the event when it handles it."""
        if key in (" ", "space"):
            fields = {"key": " ", "code": "Space", "text": " ", "windowsVirtualKeyCode": 32}
        elif len(key) == 1:
            fields = {"key": key, "code": f"Key{key.upper()}" if key.isalpha() else f"Digit{key}",
                      "text": key, "windowsVirtualKeyCode": ord(key.upper())}
        else:
            codes = {"ArrowLeft": 37, "ArrowUp": 38, "ArrowRight": 39, "ArrowDown": 40}
            fields = {"key": key, "code": key, "windowsVirtualKeyCode": codes.get(key, 0)}
        if timestamp_s is not None:
            fields["timestamp"] = timestamp_s
        self.send("Input.dispatchKeyEvent", {"type": "keyDown", **fields})
        up = {k: v for k, v in fields.items() if k != "text"}
        if timestamp_s is not None:
            up["timestamp"] = timestamp_s + 0.08
        self.send("Input.dispatchKeyEvent", {"type": "keyUp", **up})

    def clock_offset_ms(self, n: int = 15) -> float:
        """page performance.now() − this process's perf_counter (ms), from the round trip
        with the smallest delay."""
        best = None
        for _ in range(n):
            t0 = time.perf_counter()
            page_ms = self.evaluate("performance.now()")
            t1 = time.perf_counter()
            rtt = t1 - t0
            if best is None or rtt < best[0]:
                best = (rtt, page_ms - (t0 + t1) / 2 * 1000.0)
        return best[1]

    def close(self) -> None:
        try:
            self.ws.close()
        except Exception:  # noqa: BLE001
            pass
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


@dataclass
class PressLog:
    """What the scripted participant did: per trial, the key and the planned delay."""

    planned: dict = field(default_factory=dict)        # (trial_index, is_practice) -> (key, delay_ms)
    late_ms: dict = field(default_factory=dict)        # how late this script sent the key
    events: list = field(default_factory=list)


def drive_session(browser: Chromium, plan_key, log: PressLog, *, stop_when=None,
                  timeout_s: float = 300.0, start: int = 0) -> str:
    """Answer the page until it ends (returns 'end') or ``stop_when(event, log)`` is true
    (returns 'stopped'). ``plan_key(event)`` gives (browser key or None, delay_ms) for a target
    onset; the key is pressed ``delay_ms`` after the onset on the page's clock. ``start``: the
    first page event to wait for (to go on with the same page after a stop)."""
    n = start
    offset = browser.clock_offset_ms()
    time_origin_ms = browser.evaluate("performance.timeOrigin")
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        event = browser.evaluate(f"window.mirrorlabOnline ? mirrorlabOnline.waitEvent({n}) : "
                                 f"new Promise(r => setTimeout(() => r(null), 200))",
                                 await_promise=True, timeout_s=120)
        if event is None:
            continue
        n += 1
        log.events.append(event)
        kind = event["type"]
        if kind == "fatal":
            raise RuntimeError(f"page failed: {event['message']}")
        if kind == "ready":
            offset = browser.clock_offset_ms()
            time_origin_ms = browser.evaluate("performance.timeOrigin")
        if kind == "screen":
            time.sleep(0.05)
            browser.press(" ")
        elif kind == "onset":
            key, delay_ms = plan_key(event)
            ident = (event["trial_index"], event["is_practice"])
            log.planned[ident] = (key, delay_ms)
            if key is not None:
                due_s = (event["onset_ms"] + delay_ms - offset) / 1000.0
                if due_s - time.perf_counter() > 0.003:
                    time.sleep(due_s - time.perf_counter() - 0.003)
                while time.perf_counter() < due_s:      # the last 3 ms: spin, not sleep
                    pass
                log.late_ms[ident] = (time.perf_counter() - due_s) * 1000.0
                # the key's event time is the planned one, on the page's own clock
                browser.press(key, timestamp_s=(time_origin_ms + event["onset_ms"] + delay_ms) / 1000.0)
        elif kind == "end":
            return "end"
        if stop_when is not None and stop_when(event, log):
            return "stopped"
    raise TimeoutError("the session did not end in time")


def hosts_of(urls) -> set[str]:
    return {urlsplit(u).hostname or urlsplit(u).scheme for u in urls}


# ---------------------------------------------------------------------------- load
def simulated_trial_body(index: int, rng) -> dict:
    """What a page POSTs for one trial: a Stroop key at a drawn latency."""
    rt_ms = rng.uniform(400.0, 900.0)
    onset = rng.uniform(1000.0, 100000.0)
    return {"trial_index": index, "is_practice": False, "key": rng.choice("dfjk"),
            "target_onset_ms": onset, "key_time_ms": onset + rt_ms,
            "fixation_onset_ms": onset - 500.0, "onsets_ms": {"word": onset},
            "refresh_interval_ms": 16.7, "attempt": 1}


def post_trials_concurrently(base: str, tokens: list[str], *, trials_per_participant: int,
                             max_in_flight: int = 100, seed: int = 0,
                             one_at_a_time: bool = False) -> dict:
    """Open every token's session, then POST ``trials_per_participant`` trials of every
    participant at once (all requests started together, at most ``max_in_flight`` on the
    wire), or with ``one_at_a_time`` as pages do (each participant posts its next trial when
    the last is committed; all participants at once). Returns status codes, per-request
    latency (request sent → committed answer) and the wall time of the whole burst."""
    import asyncio
    import random

    import httpx

    rng = random.Random(seed)

    async def burst():
        limits = httpx.Limits(max_connections=max_in_flight, max_keepalive_connections=max_in_flight)
        async with httpx.AsyncClient(limits=limits, timeout=120) as client:
            indices = {}
            for token in tokens:
                reply = await client.get(f"{base}/api/s/{token}/session")
                reply.raise_for_status()
                indices[token] = [t["trial_index"] for t in reply.json()["trials"]
                                  if not t["is_practice"]][:trials_per_participant]
            gate = asyncio.Semaphore(max_in_flight)

            async def one(token, index):
                body = simulated_trial_body(index, rng)
                async with gate:
                    start = time.perf_counter()
                    reply = await client.post(f"{base}/api/s/{token}/trials", json=body)
                    return reply.status_code, (time.perf_counter() - start) * 1000.0, token, index

            async def participant(token):
                return [await one(token, index) for index in indices[token]]

            started = time.perf_counter()
            if one_at_a_time:
                results = [r for rs in await asyncio.gather(*map(participant, tokens)) for r in rs]
            else:
                results = await asyncio.gather(*[one(token, index) for token in tokens
                                                 for index in indices[token]])
            return results, time.perf_counter() - started, indices

    results, wall_s, indices = asyncio.run(burst())
    latencies = sorted(r[1] for r in results)

    def pct(p):
        return latencies[min(len(latencies) - 1, int(round(p / 100 * (len(latencies) - 1))))]

    return {"statuses": [r[0] for r in results], "n": len(results), "wall_s": wall_s,
            "trials_per_s": len(results) / wall_s, "p50_ms": pct(50), "p99_ms": pct(99),
            "max_ms": latencies[-1], "indices": indices}
