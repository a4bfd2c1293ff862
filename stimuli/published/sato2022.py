"""The Japanese semantic association test (Sato 2022): a target and 4 choices, pick the one
that goes with it. The three example items of the course, with their intended answers
(``shared/reference/published_targets.md`` §5; the third is culture-bound). No published
accuracy of word vectors or sentence encoders on them was found: they are a check of what
the embedding models choose, not a score to reach.
"""

from stimuli.published import PublishedTable

TABLES = (
    PublishedTable(
        key="sato2022-course-items", task="association",
        citation="Sato (2022), Japanese semantic association test (examples from the course)",
        measure="items: target, 4 choices, intended answer", tag="2ND", kind="human",
        rows=(
            {"target": "オートバイ", "choices": ("麦わら帽子", "帽子", "ヘルメット", "兜"),
             "answer": "ヘルメット"},
            {"target": "かもめ", "choices": ("水田", "池", "滝", "海"), "answer": "海"},
            {"target": "柿", "choices": ("五重塔", "教会", "病院", "駅"), "answer": "五重塔",
             "note": "culture-bound"},
        ),
        note="the intended answers of the test's authors"),
)
