"""The ASGI app of ``mirrorlab serve`` (Starlette on uvicorn).

Participant routes take the link token in the path and act on that link's session only:

- ``GET /s/{token}``: the page (jsPsych 8 and ``mirrorlab-online.js``, all from this server);
- ``GET /api/s/{token}/session``: what is left of the session, as ``timeline.session_timeline``;
- ``POST /api/s/{token}/trials``: one trial's measurements; answered 200 only after the row is
  committed (a repeat of a stored trial is answered 200 with ``duplicate: true``);
- ``POST /api/s/{token}/recordings/{t|p}{trial_index}``: a voice trial's recording (the body is
  the file, ``Content-Type: audio/webm`` …; 415 for other types, 422 if it does not decode,
  413 over ``audio.MAX_AUDIO_BYTES``), kept as a WAV; the trial's POST then runs the lab's
  voice key on it (409 ``recording_missing`` when it has not arrived: the page uploads again);
- ``POST /api/s/{token}/browser`` (refresh estimate, window size), ``POST .../finish``;
- ``GET /api/s/{token}/picture/{t|p}{trial_index}/{which}``: a picture of one of its trials.

An unknown token, or the token of a completed session, gets 403 and changes nothing. The
experimenter's progress view is ``GET /experimenter/{secret}`` (and ``.../progress.json``),
behind a secret that is not a participant token. No route lists or returns another link's
trials. ``guards.GuardMiddleware`` adds body limits, rate limits, closed CORS and headers.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import math
import mimetypes
from pathlib import Path
from typing import Any

from experiments.online.guards import GuardMiddleware, RateLimiter

STATIC_DIR = Path(__file__).with_name("static")
NODE_MODULES = Path(__file__).with_name("node_modules")
#: served name -> file under node_modules (installed by ``npm ci`` in scripts/setup.sh)
VENDOR_FILES = {
    "jspsych/jspsych.js": "jspsych/dist/index.browser.min.js",
    "jspsych/jspsych.css": "jspsych/css/jspsych.css",
    "jspsych/plugin-html-keyboard-response.js":
        "@jspsych/plugin-html-keyboard-response/dist/index.browser.min.js",
}
DEFAULT_ABANDON_AFTER_S = 30 * 60


class OnlineError(Exception):
    user_facing = True


def vendor_files() -> dict[str, bytes]:
    """jsPsych's files from node_modules, with their source-map comments removed (they point
    at a CDN, and a browser's developer tools would fetch them from there)."""
    missing = [p for p in VENDOR_FILES.values() if not (NODE_MODULES / p).is_file()]
    if missing:
        raise OnlineError(f"jsPsych is not installed in {NODE_MODULES} (missing {missing[0]}): "
                          "run scripts/setup.sh, or `npm ci` in experiments/online")
    files = {}
    for served, relative in VENDOR_FILES.items():
        text = (NODE_MODULES / relative).read_text(encoding="utf-8")
        lines = [line for line in text.splitlines() if not line.startswith("//# sourceMappingURL=")
                 and not line.startswith("/*# sourceMappingURL=")]
        files[served] = ("\n".join(lines) + "\n").encode("utf-8")
    for path in STATIC_DIR.iterdir():
        if path.is_file():
            files[path.name] = path.read_bytes()
    return files


PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mirrorlab</title>
<link rel="stylesheet" href="/static/jspsych/jspsych.css">
<script src="/static/jspsych/jspsych.js"></script>
<script src="/static/jspsych/plugin-html-keyboard-response.js"></script>
</head><body data-token="{token}" data-response="{response}">
<div id="mirrorlab-target"></div>
<div id="mirrorlab-note" style="position:fixed;top:8px;left:0;right:0;text-align:center;color:#fff"></div>
<div id="mirrorlab-attribution" style="position:fixed;bottom:6px;left:0;right:0;text-align:center;font-size:11px;color:#ddd"></div>
<script src="/static/mirrorlab-online.js"></script>
</body></html>
"""


def _finite(value, name: str, *, allow_none: bool = True):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number")
    return float(value)


def parse_trial_post(payload: Any) -> dict[str, Any]:
    """Check a trial POST's fields (types, finiteness, sizes); ValueError says which."""
    if not isinstance(payload, dict):
        raise ValueError("the body must be a JSON object")
    index = payload.get("trial_index")
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise ValueError("trial_index must be a whole number ≥ 0")
    key = payload.get("key")
    if key is not None and (not isinstance(key, str) or len(key) > 20):
        raise ValueError("key must be a short string or null")
    measured = {"trial_index": index, "is_practice": bool(payload.get("is_practice")), "key": key}
    for name in ("target_onset_ms", "key_time_ms", "fixation_onset_ms", "refresh_interval_ms",
                 "onset_frame_interval_ms"):
        measured[name] = _finite(payload.get(name), name)
    for name in ("onsets_ms", "offsets_ms"):
        stamps = payload.get(name) or {}
        if not isinstance(stamps, dict) or len(stamps) > 10:
            raise ValueError(f"{name} must be an object of at most 10 stamps")
        measured[name] = {str(k)[:30]: _finite(v, name, allow_none=False) for k, v in stamps.items()}
    for name in ("recording_start_ms", "recording_stop_ms"):
        measured[name] = _finite(payload.get(name), name)
    recording_type = payload.get("recording_type")
    if recording_type is not None and (not isinstance(recording_type, str) or len(recording_type) > 80):
        raise ValueError("recording_type must be a short string or null")
    measured["recording_type"] = recording_type
    attempt = payload.get("attempt")
    measured["attempt"] = int(attempt) if isinstance(attempt, int) and not isinstance(attempt, bool) else None
    measured["after_resume"] = bool(payload.get("after_resume"))
    return measured


def create_app(store, *, experimenter_secret: str, abandon_after_s: float = DEFAULT_ABANDON_AFTER_S,
               sweep_every_s: float | None = None, rate_per_s: float = 20.0, burst: float = 60.0,
               audio_root=None, max_recording_bytes: int | None = None):
    """The ASGI application on an open ``db.store.Store``. Voice sessions keep their
    recordings under ``audio_root`` (default: ``data/`` beside an SQLite file, else ./data)."""
    from anyio import to_thread
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import HTMLResponse, JSONResponse, Response
    from starlette.routing import Route

    from experiments.errors import ExperimentError
    from experiments.online.audio import AudioUploadError
    from experiments.online.session_adapter import OnlineSessions, RecordingMissing, SlotClosed
    from experiments.online.timeline import picture_paths, session_timeline
    from experiments.tasks import task_class
    from experiments.online.tokens import same_secret

    sessions = OnlineSessions(store, audio_root=audio_root)
    static = vendor_files()
    unknown_tokens = RateLimiter(20.0, 100.0)

    def refuse(status: int, message: str):
        return JSONResponse({"error": message}, status_code=status)

    async def run(fn, *args):
        return await to_thread.run_sync(fn, *args)

    known_slots: dict[str, Any] = {}           # token → Slot (a slot's link never changes)
    slot_locks: dict[int, asyncio.Lock] = {}   # one request of a link at a time, off the threads

    async def slot_of(request: Request):
        token = request.path_params["token"]
        slot = known_slots.get(token)
        if slot is None:
            slot = await run(sessions.slot_for_token, token)
            if slot is not None:
                known_slots[token] = slot
        if slot is None and not unknown_tokens.allow("unknown"):
            return None, refuse(429, "too many requests with unknown links")
        if slot is None:
            return None, refuse(403, "this link is not valid")
        return slot, None

    async def page(request: Request):
        slot, refused = await slot_of(request)
        if refused is not None:
            return HTMLResponse("<!doctype html><p>This link is not valid.</p>",
                                status_code=refused.status_code)
        return HTMLResponse(PAGE.format(
            lang=html.escape(slot.language or "en"), token=html.escape(request.path_params["token"]),
            response=html.escape(str(slot.options.get("response") or "keyboard"))))

    async def session_view(request: Request):
        slot, refused = await slot_of(request)
        if refused is not None:
            return refused
        try:
            opened = await run(sessions.open, slot)
        except SlotClosed:
            return refuse(403, "this link's session is finished; thank you")
        except ExperimentError as exc:
            return refuse(409, str(exc))
        token = request.path_params["token"]

        def picture_url(record, which):
            kind = "p" if record.get("is_practice") else "t"
            return f"/api/s/{token}/picture/{kind}{int(record['trial_index'])}/{which}"

        return JSONResponse(session_timeline(opened, picture_url))

    async def read_json(request: Request):
        body = await request.body()
        try:
            return json.loads(body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise ValueError("the body is not JSON") from None

    async def post_trial(request: Request):
        slot, refused = await slot_of(request)
        if refused is not None:
            return refused
        try:
            measured = parse_trial_post(await read_json(request))
        except ValueError as exc:
            return refuse(400, str(exc))
        lock = slot_locks.setdefault(slot.id, asyncio.Lock())
        try:
            async with lock:
                result = await run(sessions.store_trial, slot, measured)
        except SlotClosed:
            return refuse(403, "this link's session is finished")
        except RecordingMissing as exc:
            return JSONResponse({"error": str(exc), "recording_missing": True}, status_code=409)
        except ExperimentError as exc:
            return refuse(409, str(exc))
        return JSONResponse(result)

    async def post_recording(request: Request):
        slot, refused = await slot_of(request)
        if refused is not None:
            return refused
        trial_ref = request.path_params["trial"]
        if len(trial_ref) < 2 or trial_ref[0] not in "pt" or not trial_ref[1:].isdigit():
            return refuse(404, "no such trial")
        key = (int(trial_ref[1:]), trial_ref[0] == "p")
        content_type = request.headers.get("content-type")
        try:
            from experiments.online.audio import accepted_content_type

            accepted_content_type(content_type)             # 415 before the body is read
            data = await request.body()
            lock = slot_locks.setdefault(slot.id, asyncio.Lock())
            async with lock:
                result = await run(sessions.store_recording, slot, key, data, content_type)
        except AudioUploadError as exc:
            return refuse(exc.status, str(exc))
        except SlotClosed:
            return refuse(403, "this link's session is finished")
        except ExperimentError as exc:
            return refuse(409, str(exc))
        return JSONResponse(result)

    async def post_browser(request: Request):
        slot, refused = await slot_of(request)
        if refused is not None:
            return refused
        try:
            payload = await read_json(request)
        except ValueError as exc:
            return refuse(400, str(exc))
        browser = {}
        try:
            browser["refresh_interval_ms"] = _finite(payload.get("refresh_interval_ms"), "refresh")
            window = payload.get("window_px") or []
            browser["window_px"] = [int(v) for v in window[:2]]
            browser["device_pixel_ratio"] = _finite(payload.get("device_pixel_ratio"), "dpr")
        except (ValueError, TypeError) as exc:
            return refuse(400, str(exc))
        await run(sessions.record_browser, slot, browser)
        return JSONResponse({"ok": True})

    async def post_finish(request: Request):
        slot, refused = await slot_of(request)
        if refused is not None:
            return refused
        try:
            status = await run(sessions.finish, slot)
        except ExperimentError as exc:
            return refuse(409, str(exc))
        return JSONResponse({"status": status})

    async def picture(request: Request):
        slot, refused = await slot_of(request)
        if refused is not None:
            return refused
        trial_ref, which = request.path_params["trial"], request.path_params["which"]
        if len(trial_ref) < 2 or trial_ref[0] not in "pt" or not trial_ref[1:].isdigit():
            return refuse(404, "no such picture")
        key = (int(trial_ref[1:]), trial_ref[0] == "p")

        def find():
            session_id = sessions._session_id(slot)
            if session_id is None:
                return None
            records = store.get_session(session_id).trial_list or []
            record = next((r for r in records if (int(r["trial_index"]),
                                                  bool(r.get("is_practice"))) == key), None)
            return None if record is None else picture_paths(task_class(slot.task), record).get(which)

        path = await run(find)
        if path is None or not Path(path).is_file():
            return refuse(404, "no such picture")
        media = mimetypes.guess_type(path)[0] or "application/octet-stream"
        if not media.startswith("image/"):
            return refuse(404, "no such picture")
        data = await run(Path(path).read_bytes)
        return Response(data, media_type=media, headers={"cache-control": "private, max-age=3600"})

    async def static_file(request: Request):
        name = request.path_params["name"]
        data = static.get(name)
        if data is None:
            return refuse(404, "not found")
        media = "text/css" if name.endswith(".css") else "text/javascript"
        return Response(data, media_type=f"{media}; charset=utf-8")

    def experimenter_ok(request: Request) -> bool:
        return same_secret(request.path_params.get("secret"), experimenter_secret)

    async def progress_json(request: Request):
        if not experimenter_ok(request):
            return refuse(403, "not allowed")
        return JSONResponse({"slots": await run(sessions.progress)})

    async def progress_page(request: Request):
        if not experimenter_ok(request):
            return HTMLResponse("<!doctype html><p>Not allowed.</p>", status_code=403)
        rows = await run(sessions.progress)
        cells = "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(row[c]) if row[c] is not None else '')}</td>"
                             for c in ("study", "slot", "participant", "task", "status",
                                       "n_stored", "n_planned", "last_seen_at")) + "</tr>"
            for row in rows)
        return HTMLResponse(
            "<!doctype html><html><head><meta charset='utf-8'><title>mirrorlab progress</title>"
            "</head><body><h1>Online slots</h1><table border='1' cellpadding='4'>"
            "<tr><th>study</th><th>slot</th><th>participant</th><th>task</th><th>status</th>"
            "<th>trials stored</th><th>trials planned</th><th>last seen (UTC)</th></tr>"
            f"{cells}</table></body></html>")

    async def not_found(request: Request):
        return refuse(404, "not found")

    @contextlib.asynccontextmanager
    async def lifespan(app):
        async def sweep():
            every = sweep_every_s or max(1.0, min(60.0, abandon_after_s / 4))
            while True:
                await asyncio.sleep(every)
                with contextlib.suppress(Exception):
                    await run(sessions.abort_abandoned, abandon_after_s)

        task = asyncio.create_task(sweep())
        try:
            yield
        finally:
            task.cancel()

    routes = [
        Route("/s/{token}", page),
        Route("/api/s/{token}/session", session_view),
        Route("/api/s/{token}/trials", post_trial, methods=["POST"]),
        Route("/api/s/{token}/recordings/{trial}", post_recording, methods=["POST"]),
        Route("/api/s/{token}/browser", post_browser, methods=["POST"]),
        Route("/api/s/{token}/finish", post_finish, methods=["POST"]),
        Route("/api/s/{token}/picture/{trial}/{which}", picture),
        Route("/static/{name:path}", static_file),
        Route("/experimenter/{secret}", progress_page),
        Route("/experimenter/{secret}/progress.json", progress_json),
        Route("/", not_found),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.sessions = sessions
    return GuardMiddleware(app, rate_per_s=rate_per_s, burst=burst,
                           max_recording_bytes=max_recording_bytes)
