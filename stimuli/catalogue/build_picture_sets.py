"""Write the items.csv files of the bundled picture sets from ``openmoji_pictures.csv``.

Run once after editing the catalogue (``python -m stimuli.catalogue.build_picture_sets``);
the generated files are committed, so loading a set never runs this. The catalogue lists
each OpenMoji picture used, with its English and Japanese name and its semantic category
(categories follow Unicode's emoji subgroups where they fit: animal-mammal, food-fruit …).

* ``continuous-naming-{en,ja}``: the 24 categories × 5 members (role ``experimental``), the
  45 fillers and 5 practice pictures (Howard et al., 2006 design).
* ``picture-word-{en,ja}``: 16 pictures, 4 categories × 4. Distractors are names of other
  pictures of the set (as in Glaser & Düngelhoff, 1984): the related distractor is the next
  picture of the same category, the unrelated one a picture of the next category, so every
  name is a related distractor once and an unrelated distractor once; nonwords are
  pronounceable, length-matched strings that are not words of the language.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
SETS = HERE.parent / "sets"

PICTURE_WORD_CATEGORIES = {
    "farm animal": ["cow", "pig", "sheep", "horse"],
    "fruit": ["apple", "banana", "grapes", "lemon"],
    "road vehicle": ["car", "bus", "bicycle", "truck"],
    "musical instrument": ["guitar", "violin", "trumpet", "drum"],
}
PICTURE_WORD_PRACTICE = {  # picture: (related, unrelated, unrelated category)
    "chair": ("bed", "saw", "tool"),
    "hammer": ("wrench", "sofa", "furniture"),
}
NONWORDS = {
    "en": {"cow": "fep", "pig": "nus", "sheep": "blerk", "horse": "plint", "apple": "strob",
           "banana": "morlen", "grapes": "blonts", "lemon": "sprad", "car": "dov", "bus": "fim",
           "bicycle": "trambel", "truck": "glerp", "guitar": "fendak", "violin": "morsap",
           "trumpet": "plarnok", "drum": "snib", "chair": "plome", "hammer": "frindo"},
    "ja": {"cow": "ぬへ", "pig": "てそ", "sheep": "むねぴ", "horse": "せほ", "apple": "めすぽ",
           "banana": "ヌケリ", "grapes": "ぷえみ", "lemon": "セポク", "car": "すへの", "bus": "ポデ",
           "bicycle": "ぬけたほ", "truck": "ネポリャ", "guitar": "ペホー", "violin": "ゲムセナシ",
           "trumpet": "ヌラミケソト", "drum": "そへみ", "chair": "ねほ", "hammer": "ふめぬち"},
}


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def read_catalogue() -> list[dict[str, str]]:
    with open(HERE / "openmoji_pictures.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def build_continuous_naming(catalogue, language: str) -> None:
    name_key = f"name_{language}"
    rows = []
    for role in ("experimental", "filler", "practice"):
        for entry in catalogue:
            entry_role = entry["category"] if entry["category"] in ("filler", "practice") \
                else "experimental"
            if entry_role != role:
                continue
            category = entry["category"] if role == "experimental" else ""
            rows.append([slug(entry["name_en"]), entry[name_key], category,
                         f"openmoji:{entry['code']}", role])
    write_csv(SETS / f"continuous-naming-{language}" / "items.csv",
              ["item_id", "picture", "category", "picture_source", "role"], rows)


def build_picture_word(catalogue, language: str) -> None:
    by_name = {entry["name_en"]: entry for entry in catalogue}
    name = lambda english: by_name[english][f"name_{language}"]  # noqa: E731
    categories = list(PICTURE_WORD_CATEGORIES)
    rows = []
    for k, category in enumerate(categories):
        members = PICTURE_WORD_CATEGORIES[category]
        next_category = categories[(k + 1) % len(categories)]
        for j, picture in enumerate(members):
            related = members[(j + 1) % len(members)]
            unrelated = PICTURE_WORD_CATEGORIES[next_category][(j + 2) % len(members)]
            rows.append([slug(picture), name(picture), category,
                         f"openmoji:{by_name[picture]['code']}", name(related), name(unrelated),
                         next_category, NONWORDS[language][picture], "experimental"])
    for picture, (related, unrelated, unrelated_category) in PICTURE_WORD_PRACTICE.items():
        rows.append([slug(picture), name(picture), by_name[picture]["category"],
                     f"openmoji:{by_name[picture]['code']}", name(related), name(unrelated),
                     unrelated_category, NONWORDS[language][picture], "practice"])
    write_csv(SETS / f"picture-word-{language}" / "items.csv",
              ["item_id", "picture", "category", "picture_source", "related_distractor",
               "unrelated_distractor", "unrelated_category", "nonword_distractor", "role"], rows)


def main() -> None:
    catalogue = read_catalogue()
    for language in ("en", "ja"):
        (SETS / f"continuous-naming-{language}").mkdir(parents=True, exist_ok=True)
        (SETS / f"picture-word-{language}").mkdir(parents=True, exist_ok=True)
        build_continuous_naming(catalogue, language)
        build_picture_word(catalogue, language)


if __name__ == "__main__":
    main()
