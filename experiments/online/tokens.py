"""Link tokens and experimenter secrets: unguessable, shown once, stored only as SHA-256.

A token is 32 random bytes (``secrets.token_urlsafe``), so guessing one is hopeless; the
database keeps its hash, so a copy of the database does not give anyone the links.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

TOKEN_BYTES = 32
#: what a token looks like (url-safe base64 of 32 bytes); anything else is refused unread
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{40,64}$")


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def looks_like_token(text: str) -> bool:
    return bool(TOKEN_PATTERN.match(text or ""))


def same_secret(given: str | None, expected: str) -> bool:
    """Constant-time comparison of an experimenter secret."""
    if not given:
        return False
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8"))
