"""Which language a text is in, and the guard that keeps a model away from text it cannot read.

Why a guard: all-MiniLM-L6-v2's uncased WordPiece vocabulary strips the dakuten from kana
(バ→ハ) and maps most kanji to ``[UNK]``, so Japanese words come out as near-identical
vectors and their cosines are meaningless — without any error. The guard refuses such input
in one line (``ModelInputError``) unless the caller forces it.

Detection is by script, which is all the association and naming sets need: any kana or CJK
ideograph makes a text Japanese (``ja``); anything else is taken as English (``en``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from models.base import ModelInputError

_JAPANESE = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")

#: Marker in ``EmbeddingBackend.languages`` for a model that reads (practically) any language.
ANY_LANGUAGE = "*"


def detect_language(text: str) -> str:
    """``ja`` when the text has kana or kanji, else ``en``."""
    return "ja" if _JAPANESE.search(str(text)) else "en"


def reads_language(languages: Iterable[str], language: str) -> bool:
    languages = tuple(languages)
    return ANY_LANGUAGE in languages or language in languages


def check_language(backend, texts: Iterable[str], *, declared_languages: Iterable[str] = (),
                   force: bool = False, where: str = "") -> None:
    """Refuse texts (or a declared trial-list language) the backend's model cannot read.

    ``declared_languages``: the ``language`` column of a trial list (``en``/``ja``), checked
    as well as the script of each text. ``force=True`` skips the check (for a user who knows
    what the cosines will mean). ``where`` names the input in the message.
    """
    if force:
        return
    place = f" in {where}" if where else ""
    for language in dict.fromkeys(str(x) for x in declared_languages if x):
        if not reads_language(backend.languages, language):
            raise ModelInputError(_refusal(backend, language, f"trials marked language={language}{place}"))
    for text in texts:
        language = detect_language(text)
        if not reads_language(backend.languages, language):
            raise ModelInputError(_refusal(backend, language, f"text {str(text)!r}{place}"))


def _refusal(backend, language: str, what: str) -> str:
    readable = "/".join(backend.languages) or "no declared language"
    from models.embeddings.registry import backends_for_language

    others = ", ".join(backends_for_language(language)) or "none installed"
    return (f"backend {backend.name} ({backend.model_name}) reads {readable} only and cannot read "
            f"{language} {what}; use a {language} backend ({others}) or force it "
            "(--param force_language=true / --force-language)")
