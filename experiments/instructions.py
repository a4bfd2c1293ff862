"""What the participant reads: the practice, break, progress and end screens in English and
Japanese, and each task's instructions (kept on its presentation class, ``instruction_texts``).
``{keys}`` is filled with the task's key legend, ``{continue_key}`` with the key that goes on."""

from __future__ import annotations

from experiments.errors import ExperimentError

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
    """The instructions of ``task``, from its presentation class's ``instruction_texts`` (each
    task brings its own texts, in every language it has)."""
    from experiments.tasks import TASKS

    own = getattr(TASKS.get(task), "instruction_texts", {}) or {}
    try:
        texts = own[instruction]
    except KeyError:
        raise ExperimentError(f"task {task}: no instructions for {instruction!r}") from None
    if language not in texts:
        raise ExperimentError(f"task {task}: no {language!r} instructions "
                              f"(available: {', '.join(texts)})")
    return texts[language].format(keys=keys)


def screen_text(name: str, language: str, **values) -> str:
    texts = SCREENS[name]
    return texts.get(language, texts["en"]).format(**values)
