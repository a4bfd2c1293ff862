"""Relatedness of word pairs: API, picture–distractor and category co-member pairs, and the
``mirrorlab relatedness`` command (printing, --out, --store into a real SQLite file, errors)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from mirrorlab.cli import main
from models.base import ModelInputError
from models.embeddings.cache import EmbeddingCache
from models.embeddings.registry import get_backend
from models.embeddings.relatedness import (
    category_member_relatedness,
    pair_relatedness,
    picture_distractor_relatedness,
    relatedness_lookup,
    stimulus_set_relatedness,
)


def write_pairs(path, rows, header="item_id,word_a,word_b"):
    path.write_text(header + "\n" + "\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    return str(path)


def test_related_pairs_score_higher_than_unrelated_pairs():
    pairs = pd.DataFrame({"word_a": ["cat", "cat", "car", "car"], "word_b": ["dog", "piano", "bus", "apple"]})
    for backend in ("glove", "sentence-transformers", "use-multilingual"):
        scores = pair_relatedness(pairs, backend=backend, cache=EmbeddingCache())["relatedness"].to_numpy()
        assert scores[0] > scores[1] and scores[2] > scores[3], backend


def test_relatedness_lookup_matches_cosine_of_the_backend_vectors():
    glove = get_backend("glove")
    got = relatedness_lookup([("cat", "dog"), ("cat", "qzxvwkj")], backend="glove")
    a, b = glove.encode(["cat", "dog"])
    assert got[("cat", "dog")] == pytest.approx(float(a @ b / np.linalg.norm(a) / np.linalg.norm(b)), abs=1e-6)
    assert math.isnan(got[("cat", "qzxvwkj")])


def test_picture_distractor_and_category_member_relatedness():
    picture_word = pd.DataFrame({
        "task": "picture-word", "item_id": ["dog", "dog", "dog", "dog"], "picture": "dog",
        "distractor": ["cat", "desk", "dog", "plink"],
        "condition": ["related", "unrelated", "identical", "nonword"], "language": "en"})
    weights = picture_distractor_relatedness(picture_word, backend="glove")
    assert set(weights) == {("dog", "cat"), ("dog", "desk"), ("dog", "dog")}  # nonword left out
    assert weights[("dog", "cat")] > weights[("dog", "desk")]
    assert weights[("dog", "dog")] == pytest.approx(1.0)
    naming = pd.DataFrame({
        "task": "continuous-naming", "item_id": ["i1", "i2", "i3", "i4", "f1"],
        "picture": ["犬", "猫", "りんご", "バナナ", "旗"],
        "category": ["動物", "動物", "果物", "果物", ""],
        "condition": ["experimental"] * 4 + ["filler"], "language": "ja"})
    links = category_member_relatedness(naming, backend="chive")
    assert set(links) == {("犬", "猫"), ("猫", "犬"), ("りんご", "バナナ"), ("バナナ", "りんご")}
    assert links[("犬", "猫")] == pytest.approx(links[("猫", "犬")])
    covariates = stimulus_set_relatedness(naming, backend="chive")
    assert covariates["item_id"].tolist() == ["i1", "i2", "i3", "i4"]
    assert covariates.set_index("item_id").loc["i1", "value"] == pytest.approx(links[("犬", "猫")], abs=1e-6)


def test_pairs_input_errors_are_one_line():
    with pytest.raises(ModelInputError, match="missing column word_b"):
        pair_relatedness(pd.DataFrame({"word_a": ["cat"]}), backend="glove")
    with pytest.raises(ModelInputError, match="row 2: empty word_a"):
        pair_relatedness(pd.DataFrame({"word_a": ["cat", " "], "word_b": ["dog", "cow"]}), backend="glove")


def test_cli_prints_a_table_with_oov_listed(tmp_path, capsys):
    csv = write_pairs(tmp_path / "pairs.csv", [("p1", "cat", "dog"), ("p2", "qzxvwkj", "dog")])
    assert main(["relatedness", "--backend", "glove", csv]) == 0
    out, err = capsys.readouterr()
    assert "glove.6B.50d" in out
    p1 = next(line for line in out.splitlines() if line.strip().startswith("p1"))
    assert f"{relatedness_lookup([('cat', 'dog')], backend='glove')[('cat', 'dog')]:.4f}" in p1
    assert "OOV" in next(line for line in out.splitlines() if line.strip().startswith("p2"))
    assert "out of vocabulary" in err and "qzxvwkj" in err


def test_cli_writes_csv_and_stores_covariates_in_sqlite(tmp_path, sqlite_url, capsys):
    from db.store import Store
    from stimuli import load_set

    csv = write_pairs(tmp_path / "pairs.csv", [("en-001", "pyramid", "palm tree"),
                                               ("en-002", "toothbrush", "toothpaste")])
    out_file = tmp_path / "relatedness.csv"
    assert main(["relatedness", "--backend", "use-multilingual", csv, "--out", str(out_file),
                 "--store", "--stimuli-set", "association-en", "--db", sqlite_url]) == 0
    written = pd.read_csv(out_file)
    assert written["item_id"].tolist() == ["en-001", "en-002"]
    stored = Store(sqlite_url).item_covariates_frame(name="relatedness")
    assert sorted(stored["item_id"]) == ["en-001", "en-002"]
    assert set(stored["stimulus_set_hash"]) == {load_set("association-en").hash}
    assert set(stored["source"]) == {"embedding:use-multilingual:universal-sentence-encoder-multilingual-3"}
    np.testing.assert_allclose(stored.sort_values("item_id")["value"], written["relatedness"], atol=1e-6)

    # the second run reads every vector from the database: no encoder call
    backend = get_backend("use-multilingual")
    calls = backend.encode_calls
    assert main(["relatedness", "--backend", "use-multilingual", csv, "--db", sqlite_url]) == 0
    assert backend.encode_calls == calls
    capsys.readouterr()


def test_cli_stores_picture_word_covariates_from_the_set(sqlite_url, capsys):
    from db.store import Store

    assert main(["relatedness", "--stimuli-set", "picture-word-en", "--backend", "glove",
                 "--store", "--db", sqlite_url]) == 0
    stored = Store(sqlite_url).item_covariates_frame()
    assert set(stored["name"]) == {"relatedness_related", "relatedness_unrelated"}
    by_kind = stored.groupby("name")["value"].mean()
    assert by_kind["relatedness_related"] > by_kind["relatedness_unrelated"]
    capsys.readouterr()


@pytest.mark.parametrize("argv,message", [
    (["relatedness"], "give a WORD_PAIRS.csv file or --stimuli-set"),
    (["relatedness", "/nonexistent/pairs.csv"], "/nonexistent/pairs.csv: no such file"),
    (["relatedness", "--store", "PAIRS"], "--store needs --stimuli-set"),
])
def test_cli_user_errors_exit_2_with_one_line(argv, message, capsys, tmp_path):
    argv = [str(tmp_path / "p.csv") if a == "PAIRS" else a for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("mirrorlab: error: ") and message in err and "\n" not in err


def test_cli_bad_columns_and_language_refusal(tmp_path, capsys):
    bad = write_pairs(tmp_path / "bad.csv", [("cat", "dog")], header="word_a,second")
    assert main(["relatedness", "--backend", "glove", bad]) == 2
    assert "missing column word_b" in capsys.readouterr().err
    japanese = write_pairs(tmp_path / "ja.csv", [("j1", "犬", "猫")])
    assert main(["relatedness", "--backend", "sentence-transformers", japanese]) == 2
    err = capsys.readouterr().err.strip()
    assert "cannot read ja" in err and "\n" not in err
    assert main(["relatedness", "--backend", "sentence-transformers", "--force-language", japanese]) == 0
