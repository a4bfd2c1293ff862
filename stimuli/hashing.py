"""The content hash of a stimulus set, recorded with every session and model run.

Definition (stable across machines and operating systems):

* the files are ``set.toml``, ``items.csv``, ``trials.csv`` (those present) and every picture
  the items name — a local picture under its path relative to the set folder, an OpenMoji
  picture as ``openmoji/<CODE>.svg`` with the bytes of the installed SVG;
* text files (``.toml``, ``.csv``, ``.svg``) are read with line endings normalised to ``\\n``
  and a leading UTF-8 byte-order mark removed, so a set checked out on Windows hashes the same;
* the files are taken in order of their names; for each, ``name``, a NUL byte, the byte
  length, a NUL byte and the bytes go into one SHA-256; the hex digest is the hash.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

TEXT_SUFFIXES = (".toml", ".csv", ".svg", ".txt")


def normalised_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    if path.suffix.lower() in TEXT_SUFFIXES:
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return data


def content_hash(files: dict[str, Path]) -> str:
    """SHA-256 over ``{name in the hash: file on disk}`` as defined in the module docstring."""
    digest = hashlib.sha256()
    for name in sorted(files):
        data = normalised_bytes(files[name])
        digest.update(name.encode("utf-8") + b"\0" + str(len(data)).encode("ascii") + b"\0")
        digest.update(data)
    return digest.hexdigest()
