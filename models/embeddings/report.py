"""The tables of docs/models/embedding.md, recomputed: each backend's choices and margins on
the three course items and its accuracy on the bundled association sets.

    .venv/bin/python -m models.embeddings.report

English-only backends are run on Japanese with the language guard forced, to show why the
guard exists; those rows are marked.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.base import ModelInputError
from models.embeddings.association import score_association
from models.embeddings.cache import EmbeddingCache

from stimuli.published import published_table

#: The three course items of Sato's (2022) test: (target, choices, intended answer).
COURSE_ITEMS = [(row["target"], list(row["choices"]), row["answer"])
                for row in published_table("sato2022-course-items").rows]
BACKENDS = ("sentence-transformers", "use-multilingual", "chive", "glove",
            "chive+use-multilingual", "sentence-transformers+use-multilingual")


def course_trials() -> pd.DataFrame:
    return pd.DataFrame([{"task": "association", "item_id": f"course-{i + 1}", "target": t,
                          "choices": c, "expected_response": a, "language": "ja"}
                         for i, (t, c, a) in enumerate(COURSE_ITEMS)])


def _score(trials, backend, cache):
    try:
        return score_association(trials, backend=backend, cache=cache), False
    except ModelInputError:
        try:
            return score_association(trials, backend=backend, cache=cache, force_language=True), True
        except ModelInputError:
            return None, True


def course_table(cache: EmbeddingCache) -> str:
    lines = ["| backend | " + " | ".join(f"{t} → (answer {a})" for t, _, a in COURSE_ITEMS) + " |",
             "|---|" + "---|" * len(COURSE_ITEMS)]
    for backend in BACKENDS:
        scores, forced = _score(course_trials(), backend, cache)
        if scores is None:
            continue
        cells = []
        for i in range(len(COURSE_ITEMS)):
            best = scores.best_index[i]
            choice = scores.choices[i][best] if best >= 0 else "—"
            mark = "✓" if scores.expected_correct[i] == 1 else ("½" if scores.expected_correct[i] > 0 else "✗")
            cosines = ", ".join(f"{c} {v:.3f}" for c, v in zip(scores.choices[i], scores.cosines[i]))
            cells.append(f"{choice} {mark} (margin {scores.margin[i]:.3f}; {cosines})")
        lines.append(f"| {backend}{' (forced)' if forced else ''} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def accuracy_table(cache: EmbeddingCache) -> str:
    from stimuli import load_set

    sets = {name: load_set(name) for name in ("association-en", "association-ja")}
    trials = {name: s.trial_list(seed=1, include_practice=False) for name, s in sets.items()}
    lines = ["| backend | " + " | ".join(f"{n} ({len(t)} items)" for n, t in trials.items()) + " |",
             "|---|" + "---|" * len(trials)]
    for backend in BACKENDS:
        cells = []
        for name, frame in trials.items():
            scores, forced = _score(frame, backend, cache)
            if scores is None:
                cells.append("refused")
                continue
            wrong = [f"{t}→{c[b]}{' (tie)' if e > 0 else ''}" for t, c, b, e in zip(frame["target"], scores.choices,
                                                           scores.best_index, scores.expected_correct) if e < 1]
            ties = int((scores.is_best.sum(axis=1) > 1).sum())
            oov = sorted({w for o in scores.oov for w in o})
            if not scores.scorable.any():
                cells.append(f"no item scorable{' (forced)' if forced else ''}: {len(oov)} words OOV")
                continue
            cell = f"{100 * scores.accuracy():.1f}%{' (forced)' if forced else ''}"
            if ties:
                cell += f", {ties} tie(s)"
            if oov:
                shown = ", ".join(oov[:8]) + (f" … ({len(oov)} words)" if len(oov) > 8 else "")
                cell += f", OOV: {shown}"
            if len(wrong) <= 10 and not forced:
                cell += f"; misses: {', '.join(wrong)}"
            cells.append(cell)
        lines.append(f"| {backend} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    cache = EmbeddingCache()
    print(course_table(cache))
    print()
    print(accuracy_table(cache))


if __name__ == "__main__":
    np.set_printoptions(precision=3)
    main()
