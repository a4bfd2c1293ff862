"""Japanese chiVe word vectors, as shipped in GiNZA's ``ja_ginza`` model.

chiVe (Works Applications) is word2vec trained on the NINJAL Web Japanese Corpus, tokenised
by Sudachi. ``ja_ginza`` 5.x ships a pruned table: 20,000 vectors of 300 dimensions with
480,443 keys, the words outside the 20,000 being mapped to the nearest kept vector (so
ヘルメット shares its row with プロテクター and フルフェイス). Only the spaCy ``Vocab`` is
loaded (``ja_ginza/ja_ginza-*/vocab``, about a second), not the parser.

Lookup, in order, so that spelling variants find the word (kana/kanji, okurigana):

1. the surface form (NFKC-normalised);
2. Sudachi's normalised form (かもめ → 鴎, 麦わら帽子 → 麦藁帽子);
3. the katakana reading (かもめ → カモメ), then the normalised form of the reading written in
   hiragana (スイカ → すいか → 西瓜: Sudachi leaves katakana スイカ as it is);
4. the mean of the vectors of its content tokens (Sudachi mode C, a token without a vector
   split again in mode A), particles and symbols left out; tokens without a vector are
   listed in ``missing_tokens``.

A text with no vector after all four is out of vocabulary (a NaN row), never a zero vector.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from models.embeddings.word_vectors import WordLookup, WordVectorBackend

#: Sudachi part-of-speech (first level) left out of the token mean: they carry no content.
_FUNCTION_POS = {"助詞", "助動詞", "補助記号", "空白", "記号"}


def ginza_vocab_folder() -> Path:
    from models.base import ModelInputError

    try:
        import ja_ginza
    except ImportError:
        raise ModelInputError("backend chive needs the ja-ginza package (pip install ja-ginza)") from None
    folders = sorted(Path(ja_ginza.__file__).parent.glob("ja_ginza-*/vocab"))
    if not folders:
        raise ModelInputError(f"backend chive: no vocab folder inside {Path(ja_ginza.__file__).parent}")
    return folders[-1]


def katakana_to_hiragana(text: str) -> str:
    """ァ-ヶ → ぁ-ゖ (other characters unchanged)."""
    return "".join(chr(ord(c) - 0x60) if "\u30a1" <= c <= "\u30f6" else c for c in text)


class ChiveBackend(WordVectorBackend):
    name = "chive"
    languages = ("ja",)

    def __init__(self, model_name: str | None = None):
        default = self.default_model_name()
        if model_name not in (None, default):
            from models.base import ModelInputError

            raise ModelInputError(f"backend chive has one table ({default}), not {model_name!r}")
        super().__init__(default)
        self._matrix: np.ndarray | None = None
        self._key2row: dict[int, int] = {}
        self._strings = None
        self._tokenizer = None

    @staticmethod
    def default_model_name() -> str:
        """``chive-ja_ginza-<version>`` (the table is the one that ja_ginza version ships)."""
        try:
            from importlib.metadata import version

            return f"chive-ja_ginza-{version('ja-ginza')}"
        except Exception:  # noqa: BLE001 - not installed: named anyway, load() explains
            return "chive-ja_ginza"

    def _load(self) -> None:
        from spacy.vocab import Vocab
        from sudachipy import Dictionary

        vocab = Vocab().from_disk(ginza_vocab_folder())
        self._matrix = np.asarray(vocab.vectors.data, dtype=np.float32)
        self._key2row = dict(vocab.vectors.key2row)
        self._strings = vocab.strings
        self._dictionary = Dictionary(dict="core")
        self._tokenizer = self._dictionary.create()

    @property
    def dimension(self) -> int:
        return 300

    def _vector(self, word: str) -> np.ndarray | None:
        if not word:
            return None
        row = self._key2row.get(self._strings[word])
        return None if row is None else self._matrix[row]

    def _find_word(self, word: str, morphemes) -> tuple[str, str] | None:
        """(method, key) for a word given its Sudachi morphemes, trying surface/normalised/reading."""
        reading = "".join(m.reading_form() for m in morphemes)
        candidates = [("surface", word),
                      ("normalised", "".join(m.normalized_form() for m in morphemes)),
                      ("reading", reading),
                      ("dictionary_form", "".join(m.dictionary_form() for m in morphemes))]
        for method, key in candidates:
            if self._vector(key) is not None:
                return method, key
        # The same word written in hiragana may have a kanji normalised form with a vector
        # (スイカ → すいか → 西瓜), which Sudachi does not give for the katakana spelling.
        hiragana = katakana_to_hiragana(reading)
        for entry in self._dictionary.lookup(hiragana):
            if self._vector(entry.normalized_form()) is not None:
                return "reading_normalised", entry.normalized_form()
        return None

    def lookup(self, text: str) -> WordLookup:
        from sudachipy import SplitMode

        if self._vector(text) is not None:
            return WordLookup(text, "surface", [text], vector=self._vector(text))
        morphemes = list(self._tokenizer.tokenize(text, SplitMode.C))
        whole = self._find_word(text, morphemes)
        if whole is not None:
            return WordLookup(text, whole[0], [whole[1]], vector=self._vector(whole[1]))
        keys, missing = [], []
        for morpheme in morphemes:
            if morpheme.part_of_speech()[0] in _FUNCTION_POS:
                continue
            found = self._find_word(morpheme.surface(), [morpheme])
            if found is not None:
                keys.append(found[1])
                continue
            for part in self._tokenizer.tokenize(morpheme.surface(), SplitMode.A):
                if part.part_of_speech()[0] in _FUNCTION_POS:
                    continue
                found = self._find_word(part.surface(), [part])
                if found is not None:
                    keys.append(found[1])
                else:
                    missing.append(part.surface())
        if not keys:
            return WordLookup(text, "oov", missing_tokens=missing or [text])
        vector = np.mean([self._vector(key) for key in keys], axis=0).astype(np.float32)
        return WordLookup(text, "token_mean", keys, missing, vector=vector)
