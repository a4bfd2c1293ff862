"""Item-level validation for each task: values, conditions, duplicates, answers, pictures.

Every picture a set names is opened here (a PNG or JPEG decoded, an SVG parsed), so a file
that is not an image is refused by ``mirrorlab stimuli validate`` instead of stopping a
session part-way; a picture path that leads out of the set folder (``..``, an absolute path,
or a symbolic link to a file elsewhere) is refused. NUL bytes in any value are refused.

Each check fails with a one-line ``StimulusError`` naming the file, line, column, the bad
value and what was expected. The functions return the parsed picture sources so that the
set never has to look them up again.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from stimuli.csvfile import CsvTable
from stimuli.errors import StimulusError
from stimuli.pictures import PictureSource, parse_picture_source
from stimuli.tasks.card import ROLE_EXPERIMENTAL, TaskCard


def checked_picture(value: str, set_dir: Path, *, path: Path, line: int,
                    column: str) -> PictureSource:
    """``parse_picture_source``, then: the file lies inside the set folder once symbolic links
    are followed, and it opens as the image its name says."""
    source = parse_picture_source(value, set_dir, path=path, line=line, column=column)
    if source.kind != "file":
        return source
    real_set_dir = Path(set_dir).resolve()
    if real_set_dir not in source.path.parents:
        raise StimulusError("picture path leads out of the set folder (a symbolic link?)",
                            path=path, line=line, column=column, value=value,
                            expected=f"a file inside {real_set_dir}")
    problem = picture_problem(source.path)
    if problem:
        raise StimulusError(f"picture file is not a readable image ({problem})", path=path,
                            line=line, column=column, value=value,
                            expected="a PNG, JPEG or SVG picture")
    return source


def picture_problem(file: Path) -> str | None:
    """Why ``file`` cannot be shown, or None: PNG/JPEG are fully decoded with Pillow, SVGs
    parsed as XML with an ``<svg>`` root."""
    if file.suffix.lower() == ".svg":
        import xml.etree.ElementTree as ElementTree

        try:
            root = ElementTree.parse(file).getroot()
        except (ElementTree.ParseError, OSError) as exc:
            return f"not SVG: {exc}"
        return None if root.tag.rsplit("}", 1)[-1] == "svg" else f"root element <{root.tag}>"
    try:
        from PIL import Image, UnidentifiedImageError

        with Image.open(file) as image:
            image.load()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        return str(exc).split(" '/")[0] or type(exc).__name__
    return None


def check_no_nul(table: CsvTable) -> None:
    for index, row in enumerate(table.rows):
        for column, value in row.items():
            if isinstance(value, str) and "\x00" in value:
                raise StimulusError("NUL byte in a value", path=table.path,
                                    line=table.line_of(index), column=column,
                                    value=value.replace("\x00", "\\0"),
                                    expected="text without NUL bytes")


def check_common(table: CsvTable, spec: TaskCard) -> None:
    """No NUL bytes; item ids present and unique, roles known."""
    check_no_nul(table)
    first_line: dict[str, int] = {}
    for index, row in enumerate(table.rows):
        line = table.line_of(index)
        item_id = row["item_id"]
        if not item_id:
            raise StimulusError("empty item id", path=table.path, line=line, column="item_id",
                                expected="a unique id per item")
        if item_id in first_line:
            raise StimulusError(f"duplicate item id (first on line {first_line[item_id]})",
                                path=table.path, line=line, column="item_id", value=item_id,
                                expected="each item id once")
        first_line[item_id] = line
        role = row.get("role", "") or ROLE_EXPERIMENTAL
        if role not in spec.roles:
            raise StimulusError("unknown role", path=table.path, line=line, column="role",
                                value=role, expected=f"one of {', '.join(spec.roles)}")
        row["role"] = role


def require_values(table: CsvTable, columns: tuple[str, ...]) -> None:
    for index, row in enumerate(table.rows):
        for column in columns:
            if not row.get(column):
                raise StimulusError("empty value", path=table.path, line=table.line_of(index),
                                    column=column, expected="a value")


def check_stroop(table: CsvTable, spec: TaskCard, metadata: dict[str, Any]) -> None:
    colours = tuple(metadata["colours"])
    require_values(table, ("word", "condition"))
    for index, row in enumerate(table.rows):
        line = table.line_of(index)
        for column in ("ink", "word_colour"):
            if row[column] and row[column] not in colours:
                raise StimulusError("unknown colour key", path=table.path, line=line,
                                    column=column, value=row[column],
                                    expected=f"one of {', '.join(colours)} (set.toml [colours]) "
                                             "or empty")
        condition, ink, word_colour = row["condition"], row["ink"], row["word_colour"]
        if condition not in spec.conditions:
            raise StimulusError("unknown condition", path=table.path, line=line,
                                column="condition", value=condition,
                                expected=f"one of {', '.join(spec.conditions)}")
        if not ink and not word_colour:
            raise StimulusError("ink and word_colour are both empty", path=table.path, line=line,
                                column="ink", expected="an ink colour key (colour naming) or a "
                                                       "word colour (word reading)")
        if condition == "congruent" and not (ink and ink == word_colour):
            raise StimulusError("a congruent item needs ink == word_colour", path=table.path,
                                line=line, column="word_colour", value=word_colour,
                                expected=f"'{ink}'")
        if condition == "incongruent" and not (ink and word_colour and ink != word_colour):
            raise StimulusError("an incongruent item needs two different colour keys",
                                path=table.path, line=line, column="word_colour",
                                value=word_colour, expected=f"a colour key other than '{ink}'")
        if condition == "neutral" and ink and word_colour:
            raise StimulusError("a neutral item has an empty word_colour (XXXX, non-colour "
                                "word) or an empty ink (colour word in neutral ink)",
                                path=table.path, line=line, column="word_colour",
                                value=word_colour, expected="empty")


def check_picture_word(table: CsvTable, spec: TaskCard, set_dir: Path) -> dict[str, PictureSource]:
    require_values(table, ("picture", "category", "picture_source", "related_distractor",
                           "unrelated_distractor", "unrelated_category", "nonword_distractor"))
    pictures = {}
    for index, row in enumerate(table.rows):
        line = table.line_of(index)
        if row["unrelated_category"] == row["category"]:
            raise StimulusError("the unrelated distractor's category is the picture's own",
                                path=table.path, line=line, column="unrelated_category",
                                value=row["unrelated_category"],
                                expected=f"a category other than '{row['category']}'")
        for column in ("related_distractor", "unrelated_distractor", "nonword_distractor"):
            if row[column] == row["picture"]:
                raise StimulusError("distractor equals the picture name (that is the "
                                    "'identical' condition, made automatically)",
                                    path=table.path, line=line, column=column,
                                    value=row[column], expected="a different word")
        pictures[row["item_id"]] = checked_picture(
            row["picture_source"], set_dir, path=table.path, line=line, column="picture_source")
    check_unique_pictures(table, "picture")
    return pictures


def check_unique_pictures(table: CsvTable, column: str) -> None:
    first: dict[str, int] = {}
    for index, row in enumerate(table.rows):
        key = row[column]
        if key in first:
            raise StimulusError(f"picture name used twice (first on line {first[key]})",
                                path=table.path, line=table.line_of(index), column=column,
                                value=key, expected="one item per picture")
        first[key] = table.line_of(index)


#: An association item has 2 to 6 choices (answer + 1 to 5 foils): choice_1 … choice_6.
MIN_CHOICES, MAX_CHOICES = 2, 6
CHOICE_COLUMNS = tuple(f"choice_{n}" for n in range(1, MAX_CHOICES + 1))


def association_choices(row: dict[str, str]) -> list[str]:
    return [row[c] for c in CHOICE_COLUMNS if row.get(c)]


def check_association(table: CsvTable, set_dir: Path) -> dict[str, dict[str, PictureSource]]:
    """Returns item id -> {"target": source, "choice_1": source, ...} for picture items."""
    require_values(table, ("target", "choice_1", "choice_2", "answer"))
    pictures: dict[str, dict[str, PictureSource]] = {}
    for index, row in enumerate(table.rows):
        line = table.line_of(index)
        filled = [bool(row.get(c)) for c in CHOICE_COLUMNS]
        if True in filled[filled.index(False):] if False in filled else False:
            gap = CHOICE_COLUMNS[filled.index(False)]
            raise StimulusError("a gap in the choices", path=table.path, line=line, column=gap,
                                expected=f"choices filled from choice_1 on, {MIN_CHOICES} to "
                                         f"{MAX_CHOICES} of them, without an empty one between")
        choices = association_choices(row)
        repeated = [c for c, n in Counter(choices).items() if n > 1]
        if repeated:
            raise StimulusError("the same choice twice", path=table.path, line=line,
                                column="choice_1", value=repeated[0],
                                expected="different choices")
        if row["answer"] not in choices:
            raise StimulusError("answer not among the choices", path=table.path, line=line,
                                column="answer", value=row["answer"],
                                expected=f"one of {', '.join(choices)}")
        if row["target"] in choices:
            raise StimulusError("the target is also a choice", path=table.path, line=line,
                                column="target", value=row["target"],
                                expected="choices other than the target")
        sources: dict[str, PictureSource] = {}
        if row.get("target_picture"):
            sources["target"] = checked_picture(row["target_picture"], set_dir,
                                                     path=table.path, line=line,
                                                     column="target_picture")
        for number in range(1, len(choices) + 1):
            column = f"choice_{number}_picture"
            if row.get(column):
                sources[column] = checked_picture(row[column], set_dir, path=table.path,
                                                       line=line, column=column)
        given = [c for c in (f"choice_{n}_picture" for n in range(1, MAX_CHOICES + 1))
                 if row.get(c)]
        if given and len(given) != len(choices):
            raise StimulusError("choice pictures for some choices only", path=table.path,
                                line=line, column=given[0],
                                expected=f"a picture for each of the {len(choices)} choices "
                                         "or for none")
        if sources:
            pictures[row["item_id"]] = sources
    return pictures


def check_continuous_naming(table: CsvTable, spec: TaskCard, set_dir: Path,
                            metadata: dict[str, Any]) -> dict[str, PictureSource]:
    require_values(table, ("picture", "picture_source", "role"))
    members = metadata["design"]["members_per_category"]
    pictures = {}
    category_lines: dict[str, list[int]] = {}
    for index, row in enumerate(table.rows):
        line = table.line_of(index)
        if row["role"] == ROLE_EXPERIMENTAL:
            if not row["category"]:
                raise StimulusError("an experimental item needs a category", path=table.path,
                                    line=line, column="category", expected="a category name")
            category_lines.setdefault(row["category"], []).append(line)
        pictures[row["item_id"]] = checked_picture(
            row["picture_source"], set_dir, path=table.path, line=line, column="picture_source")
    check_unique_pictures(table, "picture")
    for category, lines in category_lines.items():
        if len(lines) != members:
            raise StimulusError(f"category has {len(lines)} experimental members",
                                path=table.path, line=lines[0], column="category",
                                value=category,
                                expected=f"{members} (set.toml design.members_per_category)")
    if not category_lines:
        raise StimulusError("no experimental items", path=table.path, column="role",
                            expected="categories of experimental items")
    return pictures

