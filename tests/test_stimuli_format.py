"""Stimulus-set format: every bundled set validates, bad files fail with one-line errors that
name file, line, column and value, the content hash is stable, pictures render."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from stimuli import StimulusError, list_sets, load_set
from stimuli.stimulus_set import BUNDLED_DIR

BUNDLED = ["stroop-en", "stroop-ja", "picture-word-en", "picture-word-ja",
           "continuous-naming-en", "continuous-naming-ja", "association-en", "association-ja"]


def copy_set(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copytree(BUNDLED_DIR / name, target)
    return target


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def line_of(path: Path, fragment: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if fragment in line:
            return number
    raise AssertionError(fragment)


def assert_one_line(exc: StimulusError, *parts: str) -> None:
    message = str(exc)
    assert "\n" not in message and "\r" not in message
    for part in parts:
        assert part in message, f"{part!r} not in {message!r}"


# ---------------------------------------------------------------- bundled sets
def test_all_bundled_sets_listed():
    assert set(BUNDLED) <= set(list_sets())


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_set_validates(name):
    stimulus_set = load_set(name)
    assert stimulus_set.name == name
    assert stimulus_set.language == name.rsplit("-", 1)[1]
    assert len(stimulus_set.hash) == 64 and int(stimulus_set.hash, 16) >= 0
    assert stimulus_set.items["item_id"].is_unique
    for instruction in stimulus_set.instructions:
        trials = stimulus_set.trial_list(seed=0, instruction=instruction)
        assert len(trials) > 0
        assert set(trials["condition"]) <= set(stimulus_set.spec.conditions)
        assert list(trials["trial_index"]) == list(range(len(trials)))


def test_stroop_sets_content():
    for name, words in (("stroop-en", {"RED", "GREEN", "BLUE", "YELLOW"}),
                        ("stroop-ja", {"赤", "緑", "青", "黄"})):
        s = load_set(name)
        assert set(s.metadata["colours"]) == {"red", "green", "blue", "yellow"}
        congruent = s.items[s.items["condition"] == "congruent"]
        assert set(congruent["word"]) == words
        assert (congruent["ink"] == congruent["word_colour"]).all()
        neutral = s.items[s.items["condition"] == "neutral"]
        assert "XXXX" in set(neutral["word"])
        assert (neutral["word_colour"] == "").sum() >= 4  # XXXX and non-colour words
        assert (neutral["ink"] == "").sum() == 4           # word-reading control
        assert s.colour_rgb("red")[0] > 200 and s.colour_rgb("") == (255, 255, 255)


def test_picture_sets_have_openmoji_attribution_and_categories():
    pw = load_set("picture-word-en")
    assert "OpenMoji" in pw.attribution and "CC BY-SA 4.0" in pw.attribution
    assert pw.design["soas_ms"] == list(range(-400, 401, 100))
    cn = load_set("continuous-naming-ja")
    experimental = cn.items[cn.items["role"] == "experimental"]
    assert experimental["category"].nunique() == 24
    assert (experimental.groupby("category").size() == 5).all()
    assert (cn.items["role"] == "filler").sum() == 45
    assert "OpenMoji" in cn.attribution
    assert load_set("stroop-en").attribution == ""


def test_pictures_render_to_png_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("MIRRORLAB_CACHE", str(tmp_path / "cache"))
    s = load_set("picture-word-en")
    path = Path(s.picture_file("cow", size_px=64))
    assert path.is_absolute() and path.is_relative_to(tmp_path / "cache")
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (64, 64)
    assert s.picture_file("cow", size_px=64) == str(path)  # cached, same file


def test_load_by_folder_items_path_and_name_agree(tmp_path):
    folder = copy_set("stroop-en", tmp_path)
    by_name = load_set("stroop-en")
    assert load_set(folder).hash == by_name.hash
    assert load_set(folder / "items.csv").hash == by_name.hash


def test_lone_csv_infers_task_and_language(tmp_path):
    csv_path = tmp_path / "my-stroop.csv"
    csv_path.write_text("item_id,word,ink,word_colour,condition\n"
                        "a,赤,red,red,congruent\nb,青,red,blue,incongruent\n"
                        "c,XXXX,blue,,neutral\n", encoding="utf-8")
    s = load_set(csv_path)
    assert (s.task, s.language, s.name) == ("stroop", "ja", "my-stroop")
    assert len(s.trial_list(seed=1)) > 0


# ---------------------------------------------------------------- content hash
def test_hash_ignores_line_endings_but_not_content(tmp_path):
    folder = copy_set("stroop-en", tmp_path)
    original = load_set(folder).hash
    items = folder / "items.csv"
    items.write_bytes(items.read_bytes().replace(b"\n", b"\r\n"))
    assert load_set(folder).hash == original
    edit(items, "FINGER", "FOOTER")
    assert load_set(folder).hash != original


def test_hash_covers_pictures(tmp_path):
    folder = copy_set("picture-word-en", tmp_path)
    original = load_set(folder).hash
    edit(folder / "items.csv", "openmoji:1F404", "openmoji:1F402")  # cow -> ox
    assert load_set(folder).hash != original


def test_hash_follows_the_documented_definition():
    """Recomputed here from docs/stimuli.md, independently of stimuli.hashing, so that a change
    of the definition (which would orphan the hashes recorded in old databases) is noticed."""
    import hashlib

    def documented(files: dict[str, Path]) -> str:
        digest = hashlib.sha256()
        for name in sorted(files):
            data = files[name].read_bytes()
            data = data.removeprefix(b"\xef\xbb\xbf").replace(b"\r\n", b"\n").replace(b"\r", b"\n")
            digest.update(name.encode() + b"\0" + str(len(data)).encode() + b"\0" + data)
        return digest.hexdigest()

    folder = BUNDLED_DIR / "stroop-en"
    assert load_set("stroop-en").hash == documented(
        {"items.csv": folder / "items.csv", "set.toml": folder / "set.toml"})
    pw = load_set("picture-word-en")
    from stimuli.pictures import openmoji_svg_dir

    files = {"items.csv": pw.path / "items.csv", "set.toml": pw.path / "set.toml"}
    for code in pw.items["picture_source"].str.removeprefix("openmoji:"):
        files[f"openmoji/{code}.svg"] = openmoji_svg_dir() / f"{code}.svg"
    assert pw.hash == documented(files)
    assert sorted(files) == list(pw.files)


# ---------------------------------------------------------------- bad files
def test_missing_column(tmp_path):
    folder = copy_set("stroop-en", tmp_path)
    edit(folder / "items.csv", "item_id,word,ink,", "item_id,word,colour_of_ink,")
    with pytest.raises(StimulusError) as info:
        load_set(folder)
    assert_one_line(info.value, "items.csv", "line 1", "column 'ink'", "missing column")
    assert info.value.line == 1 and info.value.column == "ink"


def test_unknown_condition(tmp_path):
    folder = copy_set("stroop-en", tmp_path)
    items = folder / "items.csv"
    edit(items, "con-blue,BLUE,blue,blue,congruent", "con-blue,BLUE,blue,blue,congruant")
    with pytest.raises(StimulusError) as info:
        load_set(folder)
    assert_one_line(info.value, "items.csv", f"line {line_of(items, 'congruant')}",
                    "column 'condition'", "'congruant'", "congruent, neutral, incongruent")


def test_duplicate_item_id(tmp_path):
    folder = copy_set("stroop-ja", tmp_path)
    items = folder / "items.csv"
    edit(items, "con-green,緑", "con-red,緑")
    with pytest.raises(StimulusError) as info:
        load_set(folder)
    assert_one_line(info.value, "items.csv", f"line {line_of(items, 'con-red,緑')}",
                    "column 'item_id'", "'con-red'", "duplicate item id",
                    f"first on line {line_of(items, 'con-red,赤')}")


def test_non_utf8_byte_reports_line_and_byte(tmp_path):
    folder = copy_set("stroop-en", tmp_path)
    items = folder / "items.csv"
    raw = items.read_bytes().replace(b"con-blue,BLUE", b"con-blue,BL\xe9UE")
    items.write_bytes(raw)
    with pytest.raises(StimulusError) as info:
        load_set(folder)
    line = raw[:raw.index(b"\xe9")].count(b"\n") + 1
    assert_one_line(info.value, "items.csv", f"line {line}", "byte 12 of the line", "0xe9",
                    "UTF-8")


@pytest.mark.parametrize("body", ["", "item_id,word,ink,word_colour,condition,notes\n",
                                  "item_id,word,ink,word_colour,condition,notes\n\n  \n"])
def test_empty_file_or_body(tmp_path, body):
    folder = copy_set("stroop-en", tmp_path)
    (folder / "items.csv").write_text(body, encoding="utf-8")
    with pytest.raises(StimulusError) as info:
        load_set(folder)
    assert_one_line(info.value, "items.csv")
    assert "empty" in str(info.value)


def test_row_with_wrong_number_of_fields(tmp_path):
    folder = copy_set("stroop-en", tmp_path)
    items = folder / "items.csv"
    edit(items, "con-red,RED,red,red,congruent,", "con-red,RED,red,congruent")
    with pytest.raises(StimulusError) as info:
        load_set(folder)
    assert_one_line(info.value, "items.csv", "line 2", "row has 4 fields", "6 fields")


def test_stroop_congruent_needs_matching_colours(tmp_path):
    folder = copy_set("stroop-en", tmp_path)
    edit(folder / "items.csv", "con-red,RED,red,red,", "con-red,RED,red,blue,")
    with pytest.raises(StimulusError) as info:
        load_set(folder)
    assert_one_line(info.value, "line 2", "column 'word_colour'", "'blue'", "congruent")


def test_unknown_colour_key(tmp_path):
    folder = copy_set("stroop-en", tmp_path)
    edit(folder / "items.csv", "con-red,RED,red,red,", "con-red,RED,purple,red,")
    with pytest.raises(StimulusError) as info:
        load_set(folder)
    assert_one_line(info.value, "line 2", "column 'ink'", "'purple'", "red, green, blue, yellow")


def test_answer_not_among_choices(tmp_path):
    folder = copy_set("association-ja", tmp_path)
    items = folder / "items.csv"
    edit(items, "ja-004,釣り竿,鳥,魚,犬,猫,魚", "ja-004,釣り竿,鳥,魚,犬,猫,鯨")
    with pytest.raises(StimulusError) as info:
        load_set(folder)
    assert_one_line(info.value, "items.csv", f"line {line_of(items, 'ja-004')}",
                    "column 'answer'", "'鯨'", "鳥, 魚, 犬, 猫")


def test_three_choices_are_accepted_and_a_gap_is_refused(tmp_path):
    """Issue 12: 2–6 choices (answer + 2 foils is a common format); a gap is one line."""
    folder = copy_set("association-ja", tmp_path)
    items = folder / "items.csv"
    edit(items, "ja-004,釣り竿,鳥,魚,犬,猫,魚", "ja-004,釣り竿,鳥,魚,犬,,魚")
    loaded = load_set(folder)
    row = loaded.items.set_index("item_id").loc["ja-004"]
    assert [row["choice_1"], row["choice_2"], row["choice_3"]] == ["鳥", "魚", "犬"]
    edit(items, "ja-004,釣り竿,鳥,魚,犬,,魚", "ja-004,釣り竿,鳥,魚,,犬,魚")
    with pytest.raises(StimulusError) as info:
        load_set(folder)
    assert_one_line(info.value, f"line {line_of(items, 'ja-004')}", "column 'choice_3'",
                    "a gap in the choices")


def test_picture_file_not_found(tmp_path):
    folder = copy_set("picture-word-en", tmp_path)
    items = folder / "items.csv"
    edit(items, "openmoji:1F416", "pictures/pig.png")
    with pytest.raises(StimulusError) as info:
        load_set(folder)
    assert_one_line(info.value, "items.csv", f"line {line_of(items, 'pictures/pig.png')}",
                    "column 'picture_source'", "'pictures/pig.png'", "picture file not found")
    (folder / "pictures").mkdir()
    shutil.copy(load_set("picture-word-en").picture_file("pig"), folder / "pictures" / "pig.png")
    s = load_set(folder)  # now it is there
    assert s.picture_file("pig") == str((folder / "pictures" / "pig.png").resolve())
    assert "pictures/pig.png" in s.files


def test_unknown_openmoji_code(tmp_path):
    folder = copy_set("continuous-naming-en", tmp_path)
    edit(folder / "items.csv", "openmoji:1F404", "openmoji:ZZZZ")
    with pytest.raises(StimulusError) as info:
        load_set(folder)
    assert_one_line(info.value, "line 2", "column 'picture_source'", "'openmoji:ZZZZ'")


def test_continuous_naming_category_size(tmp_path):
    folder = copy_set("continuous-naming-en", tmp_path)
    edit(folder / "items.csv", "goat,goat,farm animal,openmoji:1F410,experimental",
         "goat,goat,,openmoji:1F410,filler")
    with pytest.raises(StimulusError) as info:
        load_set(folder)
    assert_one_line(info.value, "line 2", "column 'category'", "'farm animal'",
                    "4 experimental members", "5")


@pytest.mark.parametrize("old, new, parts", [
    ('task = "stroop"', 'task = "stroopy"', ("set.toml", "column 'task'", "'stroopy'")),
    ('name = "stroop-en"\n', "", ("set.toml", "column 'name'", "missing key")),
    ("blocks = 2", "blokcs = 2", ("set.toml", "design.blokcs", "unknown design option")),
    ("blocks = 2", "blocks = 2 2", ("set.toml", "line", "not valid TOML")),
    ("red = [230, 0, 0]", "red = [230, 0]", ("set.toml", "colours.red", "[r, g, b]")),
])
def test_bad_set_toml(tmp_path, old, new, parts):
    folder = copy_set("stroop-en", tmp_path)
    edit(folder / "set.toml", old, new)
    with pytest.raises(StimulusError) as info:
        load_set(folder)
    assert_one_line(info.value, *parts)


def test_missing_set_toml_and_unknown_name(tmp_path):
    folder = copy_set("stroop-en", tmp_path)
    (folder / "set.toml").unlink()
    with pytest.raises(StimulusError) as info:
        load_set(folder)
    assert_one_line(info.value, "no set.toml")
    with pytest.raises(StimulusError) as info:
        load_set("stroop-xx")
    assert_one_line(info.value, "unknown stimulus set", "'stroop-xx'", "stroop-en")


def test_fixed_trials_csv(tmp_path):
    folder = copy_set("picture-word-en", tmp_path)
    (folder / "trials.csv").write_text(
        "item_id,condition,soa_ms,block\nchair,related,0,0\ncow,related,-100,1\n"
        "pig,nonword,200,1\n", encoding="utf-8")
    s = load_set(folder)
    trials = s.trial_list(seed=5)
    assert list(trials["item_id"]) == ["chair", "cow", "pig"]
    assert list(trials["soa_ms"]) == [0, -100, 200]
    assert list(trials["is_practice"]) == [True, False, False]
    assert list(trials["distractor"]) == ["bed", "pig", "nus"]
    assert s.trial_list(seed=6).equals(trials)
    assert "trials.csv" in s.files
    edit(folder / "trials.csv", "pig,nonword", "piglet,nonword")
    with pytest.raises(StimulusError) as info:
        load_set(folder)
    assert_one_line(info.value, "trials.csv", "line 4", "column 'item_id'", "'piglet'")


def test_failed_load_leaves_previous_files_untouched(tmp_path):
    """Validation only reads: a failing set is byte-for-byte what it was."""
    folder = copy_set("association-en", tmp_path)
    edit(folder / "items.csv", "en-002,toothbrush", "en-001,toothbrush")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    with pytest.raises(StimulusError):
        load_set(folder)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_association_picture_items(tmp_path, monkeypatch):
    monkeypatch.setenv("MIRRORLAB_CACHE", str(tmp_path / "cache"))
    folder = tmp_path / "assoc-pictures"
    folder.mkdir()
    (folder / "set.toml").write_text('name = "assoc-pictures"\ntask = "association"\n'
                                     'language = "en"\n', encoding="utf-8")
    (folder / "items.csv").write_text(
        "item_id,target,choice_1,choice_2,answer,target_picture,choice_1_picture,"
        "choice_2_picture,role\n"
        "p1,bee,flower,tree,flower,openmoji:1F41D,openmoji:1F337,openmoji:1F333,\n"
        "p2,dog,bone,leaf,bone,openmoji:1F415,openmoji:1F9B4,openmoji:1F343,\n"
        "w1,cup,saucer,sock,saucer,,,,\n"
        "w0,pen,paper,stone,paper,,,,practice\n", encoding="utf-8")
    s = load_set(folder)
    assert "OpenMoji" in s.attribution
    trials = s.trial_list(seed=1).set_index("item_id")
    assert trials.loc["w0", "is_practice"] and trials.loc["w0", "block"] == 0
    assert trials.loc["p1", "condition"] == "pictures" and trials.loc["w1", "condition"] == "words"
    assert Path(trials.loc["p1", "target_picture_file"]).is_file()
    files = trials.loc["p2", "choice_picture_files"]
    choices = trials.loc["p2", "choices"]
    assert len(files) == 2 and all(Path(f).is_file() for f in files)
    bone = s.picture_file("p2", "choice_1_picture")
    assert files[choices.index("bone")] == bone  # pictures follow their choice when reordered
    assert trials.loc["w1", "target_picture_file"] == "" and trials.loc["w1", "choice_picture_files"] == []
    edit(folder / "items.csv", "openmoji:1F9B4,openmoji:1F343", "openmoji:1F9B4,")
    with pytest.raises(StimulusError) as info:
        load_set(folder)
    assert_one_line(info.value, "line 3", "column 'choice_1_picture'", "for none")


def test_fixed_continuous_naming_list_computes_positions_and_lags(tmp_path):
    folder = copy_set("continuous-naming-en", tmp_path)
    (folder / "trials.csv").write_text(
        "item_id,condition\ncow,experimental\ncrown,filler\npig,experimental\n"
        "sheep,experimental\n", encoding="utf-8")
    trials = load_set(folder).trial_list(seed=0)
    assert trials["ordinal_position"].tolist()[0] == 1 and pd_isna(trials["lag"].iloc[0])
    assert pd_isna(trials["ordinal_position"].iloc[1])
    assert trials["ordinal_position"].tolist()[2:] == [2, 3]
    assert trials["lag"].tolist()[2:] == [1, 0]
    edit(folder / "trials.csv", "crown,filler", "crown,experimental")
    with pytest.raises(StimulusError) as info:
        load_set(folder)
    assert_one_line(info.value, "trials.csv", "line 3", "column 'condition'", "'filler'")


def pd_isna(value) -> bool:
    import pandas as pd

    return bool(pd.isna(value))


@pytest.mark.parametrize("kwargs", [{"seed": -1}, {"seed": 1.5}, {"participant_index": -2}])
def test_bad_trial_list_arguments(kwargs):
    with pytest.raises(StimulusError):
        load_set("stroop-en").trial_list(**{"seed": 1, **kwargs})


def test_unterminated_quote_names_the_line(tmp_path):
    folder = copy_set("stroop-en", tmp_path)
    edit(folder / "items.csv", "con-blue,BLUE,", 'con-blue,"BLUE,')
    with pytest.raises(StimulusError) as info:
        load_set(folder)
    assert_one_line(info.value, "items.csv", f"line {line_of(folder / 'items.csv', 'con-blue')}",
                    "unreadable CSV row")
