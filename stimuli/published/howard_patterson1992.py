"""Howard & Patterson (1992), the Pyramids and Palm Trees test manual: healthy controls make at
most 3 errors in the 52 three-picture items, i.e. accuracy ≥ 49/52 [SRC]. The association
task's human target.
"""

from stimuli.published import PublishedTable

TABLES = (
    PublishedTable(
        key="howard-patterson1992-controls", task="association",
        citation="Howard & Patterson (1992), Pyramids and Palm Trees test manual",
        measure="lowest accuracy of healthy controls (proportion correct)", tag="SRC",
        kind="human",
        rows=({"n_items": 52, "max_errors": 3, "min_accuracy": 49 / 52},)),
)
