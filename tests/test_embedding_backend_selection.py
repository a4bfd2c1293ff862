"""The default embedding backend per language is chosen by cross-validation on disjoint item
folds, never on the held-out items the tests check (models.embeddings.selection), and the
registry's ``auto`` default is what the recorded table says."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from models.base import ModelInputError
from models.embeddings import selection
from models.embeddings.registry import DEFAULT_BACKEND_BY_LANGUAGE, default_backend_name

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "select_embedding_backend.py"


@pytest.mark.parametrize("language", ["en", "ja"])
def test_held_out_items_and_folds_are_disjoint_and_cover_the_set(language):
    trials = selection.association_items(language)
    split = selection.split_items(trials["item_id"], language)
    folds = [set(f) for f in split.folds]
    held = set(split.held_out)
    assert len(folds) == selection.N_FOLDS
    for i, fold in enumerate(folds):
        assert fold and not fold & held
        for other in folds[i + 1:]:
            assert not fold & other
    assert held | set().union(*folds) == set(trials["item_id"])
    # every item a test checks by name is held out (the course items, the PPT example)
    assert set(selection.ALWAYS_HELD_OUT[language]) <= held
    assert abs(len(held) / len(trials) - selection.HELD_OUT_FRACTION) < 0.05
    again = selection.split_items(list(reversed(trials["item_id"])), language)
    assert again == split                                  # same ids, same split


def test_the_recorded_table_names_the_registry_defaults_and_its_split():
    table = selection.load_selection()
    assert DEFAULT_BACKEND_BY_LANGUAGE == table["defaults"]
    for language, entry in table["languages"].items():
        assert default_backend_name(language) == entry["selected"] == table["defaults"][language]
        assert set(entry["backends"]) == set(selection.candidate_backends(language))
        # the winner follows the documented rule from the cross-validated numbers alone
        assert selection.best_backend(entry["backends"]) == entry["selected"]
        split = selection.split_items(selection.association_items(language)["item_id"], language,
                                      table["n_folds"])
        assert list(split.held_out) == entry["held_out_items"]
        assert [list(f) for f in split.folds] == entry["folds"]


def test_candidates_are_the_backends_that_read_the_language():
    assert selection.candidate_backends("ja") == ["chive", "use-multilingual", "chive+use-multilingual"]
    english = selection.candidate_backends("en")
    assert "chive" not in english and "sentence-transformers+use-multilingual" in english


def test_temperature_is_fitted_on_training_folds_only():
    """Changing the answer key of one fold's items changes nothing that fold's held-out score was
    computed with (its temperature), and does change the temperature of the other folds."""
    trials = selection.association_items("ja")
    split = selection.split_items(trials["item_id"], "ja")
    scores = selection.backend_scores(trials, "use-multilingual")
    before = selection.cross_validate(scores, split)
    rows = np.array([list(scores.item_ids).index(i) for i in split.folds[0]])
    flipped = selection.BackendScores(scores.item_ids, scores.cosines.copy(), scores.answer.copy(),
                                      scores.n_options, scores.accuracy, scores.n_unscorable)
    # make every item of fold 0 "answered" by its worst option
    worst = np.nanargmin(scores.cosines[rows], axis=1)
    flipped.answer[rows] = worst
    after = selection.cross_validate(flipped, split)
    assert after["folds"][0]["temperature"] == before["folds"][0]["temperature"]
    assert after["folds"][0]["loglik_per_item"] < before["folds"][0]["loglik_per_item"]
    assert all(after["folds"][f]["temperature"] != before["folds"][f]["temperature"]
               for f in range(1, len(split.folds)))


@pytest.mark.slow
def test_the_script_recomputes_the_recorded_table(tmp_path):
    """The committed table is exactly what scripts/select_embedding_backend.py computes (real
    backends, real process); it writes only where it is told."""
    out = tmp_path / "selection.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, str(SCRIPT), "--out", str(out)], capture_output=True,
                          text=True, timeout=900, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    computed = json.loads(out.read_text(encoding="utf-8"))
    recorded = selection.load_selection()
    assert computed["defaults"] == recorded["defaults"]
    for language, entry in recorded["languages"].items():
        assert computed["languages"][language]["held_out_items"] == entry["held_out_items"]
        for backend, numbers in entry["backends"].items():
            got = computed["languages"][language]["backends"][backend]
            for key in ("cv_accuracy", "cv_loglik_per_item", "held_out_accuracy"):
                assert got[key] == pytest.approx(numbers[key], abs=1e-4), (language, backend, key)
    assert "<- selected" in done.stdout and f"wrote {out}" in done.stdout


def test_bad_arguments_are_one_line_errors_and_write_nothing(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = tmp_path / "selection.json"
    for args, says in ((["--languages", "fr"], "unknown language(s) fr"),
                       (["--k", "1", "--languages", "ja"], "at least 2 folds"),
                       (["--out", str(tmp_path / "missing" / "x.json")], "does not exist")):
        done = subprocess.run([sys.executable, str(SCRIPT), "--out", str(out), *args],
                              capture_output=True, text=True, timeout=300, env=env)
        assert done.returncode == 2, done.stderr
        err = done.stderr.strip().splitlines()[-1]
        assert err.startswith("mirrorlab: error: ") and says in err, done.stderr
        assert "Traceback" not in done.stderr
    assert not out.exists()


def test_a_malformed_selection_file_is_a_one_line_error(tmp_path):
    bad = tmp_path / "sel.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelInputError, match="unreadable embedding backend selection"):
        selection.load_selection(bad)
    bad.write_text('{"defaults": ["en"]}', encoding="utf-8")
    with pytest.raises(ModelInputError, match="no 'defaults'"):
        selection.load_selection(bad)
    with pytest.raises(ModelInputError, match="no embedding backend selection"):
        selection.load_selection(tmp_path / "absent.json")
