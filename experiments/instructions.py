"""What the participant reads: instructions for every task and instruction in English and
Japanese, and the practice, break, progress and end screens. ``{keys}`` is filled with the
task's key legend, ``{continue_key}`` with the key that goes on."""

from __future__ import annotations

from experiments.errors import ExperimentError

INSTRUCTIONS = {
    ("stroop", "colour_naming"): {
        "en": "Colour naming\n\nA word appears in coloured ink. Ignore what the word says and "
              "press the key for the COLOUR OF THE INK, as fast and as accurately as you can.\n\n"
              "{keys}",
        "ja": "色名呼称\n\n色のついた文字で単語が表示されます。単語の意味は無視して、"
              "文字の「インクの色」に対応するキーをできるだけ速く正確に押してください。\n\n{keys}",
    },
    ("stroop", "word_reading"): {
        "en": "Word reading\n\nA word appears in coloured ink. Ignore the ink and press the key "
              "for the colour the WORD NAMES, as fast and as accurately as you can.\n\n{keys}",
        "ja": "単語音読\n\n色のついた文字で単語が表示されます。インクの色は無視して、"
              "単語が表す色に対応するキーをできるだけ速く正確に押してください。\n\n{keys}",
    },
    ("picture-word", "picture_naming"): {
        "en": "Picture naming\n\nA picture appears with a word printed on it. Ignore the word and "
              "NAME THE PICTURE aloud as fast as you can.\n\n{keys}",
        "ja": "絵の命名\n\n単語が書かれた絵が表示されます。単語は無視して、"
              "できるだけ速く絵の名前を声に出して言ってください。\n\n{keys}",
    },
    ("picture-word", "word_reading"): {
        "en": "Word reading\n\nA picture appears with a word printed on it. Ignore the picture "
              "and READ THE WORD aloud as fast as you can.\n\n{keys}",
        "ja": "単語音読\n\n単語が書かれた絵が表示されます。絵は無視して、"
              "できるだけ速く単語を声に出して読んでください。\n\n{keys}",
    },
    ("association", "choose_associate"): {
        "en": "Which goes together?\n\nThe item at the top goes best with one of the items below. "
              "Press the key under the one that goes with it.\n\n{keys}",
        "ja": "どれが関係していますか？\n\n上の項目と最もよく関係するものを下から選び、"
              "その下に表示されたキーを押してください。\n\n{keys}",
    },
    ("continuous-naming", "picture_naming"): {
        "en": "Picture naming\n\nPictures appear one after another. Name each picture aloud as "
              "fast and as accurately as you can.\n\n{keys}",
        "ja": "絵の命名\n\n絵が次々に表示されます。それぞれの絵の名前を、"
              "できるだけ速く正確に声に出して言ってください。\n\n{keys}",
    },
}

VOICE_LEGEND = {"en": "Speak clearly into the microphone.",
                "ja": "マイクに向かってはっきり話してください。"}

SCREENS = {
    "continue": {"en": "Press SPACE to start.", "ja": "スペースキーを押すと始まります。"},
    "practice": {"en": "First, a few practice trials with feedback.",
                 "ja": "はじめに、フィードバック付きの練習を数回行います。"},
    "practice_done": {"en": "Practice is over. Now the experiment begins; there is no more "
                            "feedback.",
                      "ja": "練習は終わりです。ここから本番です。フィードバックはありません。"},
    "break": {"en": "Block {done} of {total} done. Take a short break.\n\n{percent}% of the "
                    "trials finished.",
              "ja": "ブロック {done} / {total} が終わりました。少し休憩してください。\n\n"
                    "全体の {percent}% が終わりました。"},
    "end": {"en": "Thank you! The session is over.\n\nPlease tell the experimenter.",
            "ja": "ありがとうございました。これで終わりです。\n\n実験者に知らせてください。"},
    "resume": {"en": "Welcome back. The session continues where it stopped.",
               "ja": "おかえりなさい。中断したところから続けます。"},
    "confirm_abort": {"en": "End the session now?\n\nY = yes, end it     N = no, go on",
                      "ja": "実験を終了しますか？\n\nY = 終了する     N = 続ける"},
    "correct": {"en": "Correct", "ja": "正解"},
    "error": {"en": "Wrong", "ja": "不正解"},
    "too_slow": {"en": "Too slow", "ja": "遅すぎます"},
}


def instruction_text(task: str, instruction: str, language: str, keys: str) -> str:
    """The instructions of ``task``: its presentation class's own ``instruction_texts`` (a
    task added outside this module brings its texts with it), else the table above."""
    from experiments.tasks import TASKS

    own = getattr(TASKS.get(task), "instruction_texts", {}) or {}
    try:
        texts = own[instruction] if instruction in own else INSTRUCTIONS[(task, instruction)]
    except KeyError:
        raise ExperimentError(f"task {task}: no instructions for {instruction!r}") from None
    if language not in texts:
        raise ExperimentError(f"task {task}: no {language!r} instructions "
                              f"(available: {', '.join(texts)})")
    return texts[language].format(keys=keys)


def screen_text(name: str, language: str, **values) -> str:
    texts = SCREENS[name]
    return texts.get(language, texts["en"]).format(**values)
