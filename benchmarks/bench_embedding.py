"""Embedding throughput: one text at a time against batches, and a cold run against a cached one.

1. Encoding: every distinct word of the bundled association sets (English words for the
   English backends, Japanese for the Japanese ones) is encoded by each backend once with
   ``batch_size=1`` (the first 64 words) and in batches (all of them) (the backend's default batch size); items/s and the
   ratio batch/single. Models are loaded (and timed) before, so loading is not in either.
2. Cache: the association model scores both bundled sets with the default backends, first
   against an empty SQLite database (cold: every word encoded and written to
   ``embedding_cache``), then again with a fresh model and an empty in-memory cache on the
   same file (cached: every vector read from the database, zero encoder calls), and a third
   time in the same process (memory). Seconds per run and the ratios.

    .venv/bin/python benchmarks/bench_embedding.py [--repeat 3] [--backends glove,chive,...]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pandas as pd  # noqa: E402

from models.embeddings.backend import normalise_text  # noqa: E402
from models.embeddings.registry import get_backend  # noqa: E402

ENGLISH_BACKENDS = ("sentence-transformers", "use-multilingual", "glove")
JAPANESE_BACKENDS = ("use-multilingual", "chive")


def association_trials(name: str) -> pd.DataFrame:
    from stimuli import load_set

    trials = load_set(name).trial_list(seed=1, include_practice=False)
    return trials.reset_index(drop=True)


def words_of(trials: pd.DataFrame) -> list[str]:
    words = list(trials["target"]) + [c for choices in trials["choices"] for c in choices]
    return list(dict.fromkeys(normalise_text(w) for w in words))


def best_of(repeat: int, run) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def bench_encoding(backends: list[str], words_by_language: dict[str, list[str]], repeat: int,
                   single_texts: int) -> None:
    print(f"encoding: one text at a time (first {single_texts} words) vs batches (all words); "
          f"best of {repeat}; models loaded beforehand")
    print(f"{'backend':24s} {'lang':4s} {'texts':>5s} {'load s':>7s} {'single/s':>10s} {'batch/s':>10s} "
          f"{'batch':>5s} {'ratio':>6s}")
    for name in backends:
        backend = get_backend(name)
        start = time.perf_counter()
        backend.load()
        load_s = time.perf_counter() - start
        languages = [lang for lang in ("en", "ja") if
                     (lang == "en" and name in ENGLISH_BACKENDS) or (lang == "ja" and name in JAPANESE_BACKENDS)]
        for language in languages:
            words = words_by_language[language]
            few = words[:single_texts]  # one at a time is slow: time a subset, report items/s
            single = best_of(repeat, lambda: backend.encode(few, batch_size=1, progress=False)) / len(few)
            batched = best_of(repeat, lambda: backend.encode(words, progress=False)) / len(words)
            print(f"{name:24s} {language:4s} {len(words):5d} {load_s:7.2f} {1 / single:10.0f} "
                  f"{1 / batched:10.0f} {backend.default_batch_size:5d} {single / batched:5.1f}x")


def bench_cache(trials_by_language: dict[str, pd.DataFrame]) -> None:
    from db.store import Store
    from models.embeddings.model import EmbeddingModel

    trials = pd.concat(list(trials_by_language.values()), ignore_index=True)
    # load the default models first, so that the cold run measures encoding, not loading
    for backend in ("sentence-transformers", "chive", "use-multilingual"):
        get_backend(backend).load()
    parts = [get_backend(n) for n in ("sentence-transformers", "chive", "use-multilingual")]
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        calls = sum(p.encode_calls for p in parts)
        cold_model = EmbeddingModel().use_store(Store(url))
        start = time.perf_counter()
        cold_model.score(trials)  # progress bars on stderr while encoding
        cold_s = time.perf_counter() - start
        cold_calls = sum(p.encode_calls for p in parts) - calls

        cached_model = EmbeddingModel().use_store(Store(url))
        start = time.perf_counter()
        cached_model.score(trials)
        cached_s = time.perf_counter() - start
        start = time.perf_counter()
        cached_model.score(trials)
        memory_s = time.perf_counter() - start
        cached_calls = sum(p.encode_calls for p in parts) - calls - cold_calls
    print(f"\ncache: association model (backend auto) on both bundled sets, {len(trials)} trials, "
          "SQLite file")
    print(f"  cold   {cold_s:7.3f} s  ({cold_model.cache.encoded} texts encoded, {cold_calls} encoder calls)")
    print(f"  cached {cached_s:7.3f} s  ({cached_model.cache.store_hits} vectors from the database, "
          f"{cached_calls} encoder calls)   cold/cached = {cold_s / cached_s:.1f}x")
    print(f"  memory {memory_s:7.3f} s  (same model again: in-memory hits)       cold/memory = "
          f"{cold_s / memory_s:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--single-texts", type=int, default=64,
                        help="how many words to encode one at a time (default 64)")
    parser.add_argument("--backends", default=",".join(dict.fromkeys(ENGLISH_BACKENDS + JAPANESE_BACKENDS)))
    args = parser.parse_args()
    trials = {"en": association_trials("association-en"), "ja": association_trials("association-ja")}
    words = {language: words_of(frame) for language, frame in trials.items()}
    bench_encoding(args.backends.split(","), words, args.repeat, args.single_texts)
    bench_cache(trials)


if __name__ == "__main__":
    main()
