"""ASGI guards of the online server: body-size limits (413), per-link rate limit (429),
closed CORS, and security headers on every response.

They are plain ASGI middleware (no framework state), keyed by what the URL carries (the link
token's hash), never by the client's IP address, which the server does not store or log.
"""

from __future__ import annotations

import json
import threading
import time
from urllib.parse import urlsplit

from experiments.online.tokens import token_hash

#: the largest request body the server reads (a trial POST is well under 4 kB)
MAX_BODY_BYTES = 64 * 1024
#: path segment of the one route that takes larger bodies: a voice trial's recording
RECORDING_ROUTE_SEGMENT = "recordings"

CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                           "img-src 'self'; connect-src 'self'; font-src 'self'; "
                           "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
]


async def _send_json(send, status: int, message: str, extra_headers=()) -> None:
    body = json.dumps({"error": message}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
               *SECURITY_HEADERS, *extra_headers]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class GuardMiddleware:
    """Everything a request passes before it reaches a route."""

    def __init__(self, app, *, max_body_bytes: int = MAX_BODY_BYTES,
                 max_recording_bytes: int | None = None,
                 rate_per_s: float = 20.0, burst: float = 60.0):
        from experiments.online.audio import MAX_AUDIO_BYTES

        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_recording_bytes = max_recording_bytes or MAX_AUDIO_BYTES
        self.limiter = RateLimiter(rate_per_s, burst)

    def body_limit(self, path: str) -> int:
        """A recording upload (``/api/s/<token>/recordings/<trial>``) may be larger than
        every other body."""
        parts = path.split("/")
        if len(parts) == 6 and parts[:3] == ["", "api", "s"] and parts[4] == RECORDING_ROUTE_SEGMENT:
            return self.max_recording_bytes
        return self.max_body_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        method = scope["method"]
        if method == "OPTIONS":              # no CORS preflight is ever granted
            return await _send_json(send, 405, "cross-origin requests are not allowed")
        origin = headers.get("origin")
        if origin and origin != "null" and urlsplit(origin).netloc != headers.get("host"):
            return await _send_json(send, 403, "cross-origin requests are not allowed")
        path = scope["path"]
        limit = self.body_limit(path)
        declared = headers.get("content-length")
        if declared is not None:
            try:
                too_big = int(declared) > limit
            except ValueError:
                return await _send_json(send, 400, "bad Content-Length")
            if too_big:
                return await _send_json(send, 413, f"request body over {limit} bytes")
        if path.startswith("/api/s/") or path.startswith("/s/"):
            parts = path.split("/")
            token = parts[3] if path.startswith("/api/s/") and len(parts) > 3 else (
                parts[2] if len(parts) > 2 else "")
            if not self.limiter.allow(token_hash(token)):
                return await _send_json(send, 429, "too many requests for this link; slow down",
                                        [(b"retry-after", b"1")])
        state = {"received": 0, "started": False}

        async def limited_receive():
            message = await receive()
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > limit:
                    # an HTTPException: the framework answers it (413) inside the route
                    from starlette.exceptions import HTTPException

                    raise HTTPException(413, f"request body over {limit} bytes")
            return message

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                state["started"] = True
                present = {k.lower() for k, _ in message.get("headers", [])}
                message = dict(message)
                message["headers"] = [*message.get("headers", []),
                                      *[h for h in SECURITY_HEADERS if h[0] not in present]]
            await send(message)

        await self.app(scope, limited_receive, send_with_headers)


class RateLimiter:
    """Token buckets by key (a link token's hash): ``rate_per_s`` sustained, ``burst`` at
    once. Buckets idle for a minute are dropped, so memory stays bounded."""

    def __init__(self, rate_per_s: float, burst: float):
        self.rate_per_s = rate_per_s
        self.burst = burst
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()
        self._last_sweep = time.monotonic()

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            level, stamp = self._buckets.get(key, (self.burst, now))
            level = min(self.burst, level + (now - stamp) * self.rate_per_s)
            allowed = level >= 1.0
            self._buckets[key] = (level - 1.0 if allowed else level, now)
            if now - self._last_sweep > 60.0:
                self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < 60.0}
                self._last_sweep = now
            return allowed
