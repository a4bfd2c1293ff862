"""The association report's embedding-space figure through ``mirrorlab compare``: a real SQLite
store with people's association trials, an embedding model run that recorded its backend, and
the word vectors in the store's embedding cache (written through ``Store.cache_embeddings``, as
the embedding model writes them). Nothing is encoded and no model is loaded."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd

from db.provenance import software_versions
from db.store import Store

ITEMS = [("t1", "pyramid", ["palm", "pine"], "palm"), ("t2", "ＳＮＯＷ", ["ice", "sand"], "ice"),
         ("t3", "camel", ["<b>desert</b>", "lake"], "<b>desert</b>"), ("t4", "moon", ["star", "fish"], "star")]


def _store(url: str, with_vectors: bool) -> dict[str, np.ndarray]:
    store = Store(url)
    rng = np.random.default_rng(2)
    for number in range(4):
        session = store.start_session(participant_code=f"P{number}", task="association", seed=number,
                                      stimulus_set="assoc-test", stimulus_set_hash="f00d" * 16,
                                      software_versions=software_versions())
        rows = []
        for index, (item, target, choices, answer) in enumerate(ITEMS):
            response = answer if (number + index) % 4 else choices[1]
            rows.append({"task": "association", "instruction": "choose_associate", "item_id": item,
                         "condition": "words", "target": target, "choices": choices,
                         "expected_response": answer, "response": response, "correct": response == answer,
                         "rt_ms": float(1100 + rng.normal(0, 100)), "source": "human",
                         "agent": f"P{number}", "block": 1, "trial_index": index})
        store.add_trials(rows, session_id=session)
        store.finish_session(session)
    run = store.start_model_run(model="embedding", model_version="test", task="association",
                                parameters={"backend": "glove"}, seed=1, n_simulated=1,
                                stimulus_set="assoc-test", stimulus_set_hash="f00d" * 16,
                                software_versions=software_versions())
    store.add_trials([{"task": "association", "instruction": "choose_associate", "item_id": item,
                       "condition": "words", "target": target, "choices": choices,
                       "expected_response": answer, "response": answer, "correct": True, "rt_ms": 900.0,
                       "source": "model:embedding", "agent": f"embedding#{run}/sim-001",
                       "extras": {"backend": "glove", "model_name": "toy-50d"}}
                      for item, target, choices, answer in ITEMS], model_run_id=run)
    store.finish_model_run(run, fit={"temperature": 0.1})
    # the vectors lie on a plane inside 12-D, so PCA must reproduce their in-plane distances
    basis = np.linalg.qr(rng.normal(size=(12, 2)))[0].T
    words = sorted({w for _, target, choices, _ in ITEMS for w in (target, *choices)})
    plane = {w: rng.normal(size=2) * (4, 1) for w in words}
    if with_vectors:
        import unicodedata

        store.cache_embeddings("glove", "toy-50d", {unicodedata.normalize("NFKC", w): plane[w] @ basis + 1.0
                                                    for w in words})
    return plane


def _compare(url, tmp_path):
    report = tmp_path / "association.html"
    done = subprocess.run([sys.executable, "-m", "mirrorlab", "compare", "--task", "association", "--db", url,
                           "--engine", "mixedlm", "--no-accuracy", "--report", str(report)],
                          capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    return report, done


def test_compare_draws_items_in_the_models_embedding_space(tmp_path):
    url = f"sqlite:///{tmp_path / 'assoc.db'}"
    plane = _store(url, with_vectors=True)
    report, _ = _compare(url, tmp_path)
    html = report.read_text(encoding="utf-8")
    assert "Targets and choices in the embedding space" in html
    projection = pd.read_csv(tmp_path / "association-tables" / "association_embedding_projection.csv")
    assert set(projection["word"]) == set(plane)                     # full-width ＳＮＯＷ found via NFKC
    assert projection["model"].iloc[0] == "embedding (glove)"
    points = projection.drop_duplicates("word").set_index("word")[["pc1", "pc2"]]
    for a in points.index:
        for b in points.index:
            distance = np.linalg.norm(points.loc[a] - points.loc[b])
            assert abs(distance - np.linalg.norm(plane[a] - plane[b])) < 1e-4   # float32 vectors
    # people's most frequent choice is marked: t1 answered "palm" by 3 of 4 people
    chosen = projection[projection["chosen"]].set_index("item")["word"]
    assert chosen["t1"] == "palm"
    assert "<b>desert</b>" not in html.split("<script>")[0]           # escaped in the markup


def test_without_stored_vectors_the_report_says_why_the_figure_is_missing(tmp_path):
    url = f"sqlite:///{tmp_path / 'assoc.db'}"
    _store(url, with_vectors=False)
    report, done = _compare(url, tmp_path)
    html = report.read_text(encoding="utf-8")
    assert "no word vectors stored" in html and "no word vectors stored" in done.stderr
    assert "Targets and choices in the embedding space" not in html
