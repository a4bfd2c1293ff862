"""The bad-input corpus (issue 12): what a new user might type, each case run through the real
``mirrorlab`` console script. Every case must give exactly one line ``mirrorlab: error: …``
naming what and where, exit status 2, no traceback — and leave the database as it was (row
counts and a content hash of every table) and other programs' files byte for byte.

One parametrised test per group; add a case to its group's list to grow the corpus.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from db.store import Store

MIRRORLAB = [sys.executable, "-m", "mirrorlab"]


def mirrorlab(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*MIRRORLAB, *args], capture_output=True, text=True, timeout=300,
                          cwd=cwd, env={**os.environ, **(env or {})})


def assert_one_line_error(result: subprocess.CompletedProcess, expected: str) -> None:
    err = result.stderr
    assert "Traceback" not in err, err
    assert result.returncode == 2, (result.returncode, err)
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("mirrorlab: error: "), err
    assert expected in lines[0], (expected, lines[0])


def sqlite_fingerprint(path: Path) -> tuple[dict[str, int], str]:
    """Row counts per table and a hash of every row, read without writing (immutable)."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = sorted(r[0] for r in connection.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"))
        digest, counts = hashlib.sha256(), {}
        for table in tables:
            rows = connection.execute(f'SELECT * FROM "{table}" ORDER BY 1').fetchall()
            counts[table] = len(rows)
            digest.update(repr((table, rows)).encode())
        return counts, digest.hexdigest()
    finally:
        connection.close()


def file_fingerprint(path: Path) -> tuple[str, list[str]]:
    """A file's bytes and the names beside it (no -wal / -shm / -journal may appear)."""
    return (hashlib.sha256(path.read_bytes()).hexdigest(),
            sorted(p.name for p in path.parent.iterdir()))


@pytest.fixture()
def lab_db(tmp_path) -> Path:
    """A mirrorlab database with a session, trials, a review and a model run."""
    path = tmp_path / "lab.db"
    store = Store(f"sqlite:///{path}")
    session_id = store.start_session(participant_code="P01", task="stroop", seed=1)
    ids = [store.add_trial({"task": "stroop", "source": "human", "agent": "P01", "trial_index": i,
                            "condition": "congruent", "rt_ms": 500.0 + i, "correct": True},
                           session_id=session_id) for i in range(5)]
    store.finish_session(session_id)
    store.review_trial(ids[0], correct=False, note="said blue")
    run_id = store.start_model_run(model="cohen1990", model_version="1", task="stroop",
                                   parameters={}, seed=1)
    store.add_trials([{"task": "stroop", "source": "model:cohen1990", "agent": "m", "rt_ms": 600.0}],
                     model_run_id=run_id)
    store.finish_model_run(run_id)
    store.dispose()
    return path


def foreign_sqlite(path: Path, *, wal: bool = False) -> Path:
    connection = sqlite3.connect(path)
    if wal:
        connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    connection.execute("INSERT INTO customers (name) VALUES ('Ada'), ('Grace')")
    connection.commit()
    connection.close()
    return path


# ---------------------------------------------------------------------------- someone else's data
def _text_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("these are my notes, not a database\n")
    return path


def _future_revision(tmp_path):
    path = tmp_path / "future.db"
    Store(f"sqlite:///{path}").dispose()
    connection = sqlite3.connect(path)
    connection.execute("UPDATE alembic_version SET version_num = '0099_from_the_future'")
    connection.commit()
    connection.close()
    return path


def _other_alembic_app(tmp_path):
    path = tmp_path / "otherapp.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
    connection.execute("INSERT INTO alembic_version VALUES ('ae1027a6acf')")
    connection.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    connection.commit()
    connection.close()
    return path


FOREIGN_FILES = {
    "text file": (_text_file, "is not an SQLite database file"),
    "customers (rollback journal)": (lambda t: foreign_sqlite(t / "shop.db"),
                                     "not a mirrorlab database and is left untouched"),
    "customers (WAL)": (lambda t: foreign_sqlite(t / "shop-wal.db", wal=True),
                        "not a mirrorlab database and is left untouched"),
    "future revision": (_future_revision, "schema revision 0099_from_the_future, which this "
                                          "mirrorlab does not know"),
    "another program's alembic": (_other_alembic_app, "schema revision ae1027a6acf"),
}
FOREIGN_COMMANDS = {
    "db info": ["db", "info"],
    "db upgrade": ["db", "upgrade"],
    "export": ["export", "out.csv"],
    "import": ["import", "pratte2010"],
    "sessions": ["db", "info"],
}


@pytest.mark.parametrize("command", list(FOREIGN_COMMANDS), ids=list(FOREIGN_COMMANDS))
@pytest.mark.parametrize("kind", list(FOREIGN_FILES), ids=list(FOREIGN_FILES))
def test_someone_elses_file_is_refused_and_untouched(kind, command, tmp_path):
    make, expected = FOREIGN_FILES[kind]
    path = make(tmp_path)
    before = file_fingerprint(path)
    journal_before = _journal_mode(path)
    result = mirrorlab(*FOREIGN_COMMANDS[command], "--db", str(path), cwd=tmp_path)
    assert_one_line_error(result, expected)
    assert file_fingerprint(path) == before
    assert _journal_mode(path) == journal_before


def _journal_mode(path: Path):
    header = path.read_bytes()[:20]
    return header[18:20] if header.startswith(b"SQLite format 3\x00") else None


DATABASE_CASES = {
    "upgrade to a revision that does not exist": (["db", "upgrade", "--revision", "nosuch"],
                                                  "--revision 'nosuch': no such revision"),
    "a folder as --db": (["db", "info", "--db", "{tmp}"], "is a folder, not an SQLite file"),
    "an SQLite file in a missing folder": (["db", "info", "--db", "{tmp}/no/such/x.db"],
                                           "does not exist"),
    "not a URL": (["db", "info", "--db", "postgresql+psycopg://u@h:port/x"],
                  "not a valid SQLAlchemy URL"),
}


@pytest.mark.parametrize("case", list(DATABASE_CASES), ids=list(DATABASE_CASES))
def test_database_options(case, lab_db, tmp_path):
    args, expected = DATABASE_CASES[case]
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    if "--db" not in args:
        args += ["--db", str(lab_db)]
    before = sqlite_fingerprint(lab_db)
    result = mirrorlab(*args, cwd=tmp_path)
    assert_one_line_error(result, expected)
    assert sqlite_fingerprint(lab_db) == before


def test_adopt_adds_mirrorlab_beside_foreign_tables_and_keeps_them(tmp_path):
    path = foreign_sqlite(tmp_path / "shared.db")
    result = mirrorlab("db", "upgrade", "--adopt", "--db", str(path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    connection = sqlite3.connect(path)
    assert connection.execute("SELECT name FROM customers ORDER BY id").fetchall() == [("Ada",), ("Grace",)]
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"   # not switched
    connection.close()
    assert mirrorlab("db", "info", "--db", str(path), cwd=tmp_path).returncode == 0


@pytest.mark.postgres
def test_postgres_with_foreign_tables_is_never_altered(pg_url, tmp_path):
    import sqlalchemy

    engine = sqlalchemy.create_engine(pg_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE customers (id serial PRIMARY KEY, name text)")
        connection.exec_driver_sql("INSERT INTO customers (name) VALUES ('Ada'), ('Grace')")

    def snapshot():
        with engine.connect() as connection:
            tables = sorted(r[0] for r in connection.exec_driver_sql(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
            rows = connection.exec_driver_sql("SELECT * FROM customers ORDER BY id").fetchall()
        return tables, rows

    before = snapshot()
    for args in (["db", "info"], ["db", "upgrade"], ["import", "pratte2010"], ["export", "x.csv"]):
        result = mirrorlab(*args, "--db", pg_url, cwd=tmp_path)
        assert_one_line_error(result, "not a mirrorlab database and is left untouched")
        assert snapshot() == before
    adopted = mirrorlab("db", "upgrade", "--adopt", "--db", pg_url, cwd=tmp_path)
    assert adopted.returncode == 0, adopted.stderr
    tables, rows = snapshot()
    assert rows == before[1] and "customers" in tables and "trials" in tables
    engine.dispose()


def test_a_database_on_read_only_media_can_be_read(lab_db, tmp_path):
    """Read-only media: a read-only bind mount as root, else a folder without write permission."""
    media = tmp_path / "media"
    media.mkdir()
    shutil.copy(lab_db, media / "lab.db")
    before = file_fingerprint(media / "lab.db")
    mounted = False
    if os.geteuid() == 0:
        mounted = subprocess.run(["mount", "--bind", str(media), str(media)]).returncode == 0 and \
            subprocess.run(["mount", "-o", "remount,ro,bind", str(media)]).returncode == 0
    if not mounted:
        os.chmod(media / "lab.db", 0o444)
        os.chmod(media, 0o555)
    try:
        if os.geteuid() == 0 and not mounted:
            pytest.fail("could not make a read-only mount as root")
        info = mirrorlab("db", "info", "--db", str(media / "lab.db"), cwd=tmp_path)
        assert info.returncode == 0, info.stderr
        assert "sessions: 1" in info.stdout
        export = mirrorlab("export", str(tmp_path / "out.csv"), "--db", str(media / "lab.db"),
                           cwd=tmp_path)
        assert export.returncode == 0, export.stderr
        data = tmp_path / "d.csv"
        data.write_text("subj,rt\nA,500\n")
        written = mirrorlab("import", str(data), "--map", "participant=subj", "--map", "rt_ms=rt",
                            "--set", "task=stroop", "--db", str(media / "lab.db"), cwd=tmp_path)
        assert_one_line_error(written, "read-only")
        assert file_fingerprint(media / "lab.db") == before
    finally:
        if mounted:
            subprocess.run(["umount", str(media)])
        else:
            os.chmod(media, 0o755)


# ---------------------------------------------------------------------------- imports
STROOP_ROWS = "subj,cond,rt,acc,trial\n" + "".join(
    f"S{p},{'congruent' if t % 2 else 'incongruent'},{500 + 7 * t + p},1,{t}\n"
    for p in range(2) for t in range(12))
BASE_MAP = ["--map", "participant=subj", "--map", "condition=cond", "--map", "rt_ms=rt",
            "--map", "correct=acc", "--set", "task=stroop"]


def _sub(old, new):
    def edit(text):
        assert old in text, old
        return text.replace(old, new, 1)
    return edit


def _seconds(text):
    return text.replace(",5", ",0.5").replace(",6", ",0.6")


IMPORT_CASES = {
    "RT in seconds": (lambda t: _seconds(t), BASE_MAP, "looks like seconds, not ms: add --scale rt_ms=1000"),
    "negative RT": (_sub("S0,congruent,507", "S0,congruent,-50"), BASE_MAP,
                    "rt_ms = -50 is outside"),
    "inf RT": (_sub("S0,congruent,507", "S0,congruent,inf"), BASE_MAP,
               "line 3 column 'rt': rt_ms value 'inf' is not a finite number"),
    "1e400 RT": (_sub("S0,congruent,507", "S0,congruent,1e400"), BASE_MAP,
                 "rt_ms value '1e400' is not a finite number"),
    "file concatenated with itself": (lambda t: t + t.split("\n", 1)[1], BASE_MAP,
                                      "repeated exactly (the file concatenated with itself?)"),
    "concatenated, with trial indices": (lambda t: t + t.split("\n", 1)[1],
                                         [*BASE_MAP, "--map", "trial_index=trial"],
                                         "the same row as line 2"),
    "repeated trial_index": (_sub("S1,congruent,536,1,5", "S1,congruent,536,1,4"),
                             [*BASE_MAP, "--map", "trial_index=trial"],
                             "trial_index 4 of participant 'S1' already on line"),
    "misspelt task": (lambda t: t, [a.replace("task=stroop", "task=stroopp") for a in BASE_MAP],
                      "'stroopp' is not a known task (did you mean 'stroop'?)"),
    "--scale not a number": (lambda t: t, [*BASE_MAP, "--scale", "rt_ms=abc"],
                             "scale for rt_ms is 'abc', not a number"),
    "--scale of a text field": (lambda t: t, [*BASE_MAP, "--scale", "condition=2"],
                                "only rt_ms, soa_ms can be scaled"),
    "unknown --encoding": (lambda t: t, [*BASE_MAP, "--encoding", "klingon"],
                           "unknown text encoding 'klingon'"),
    "--where on a missing column": (lambda t: t, [*BASE_MAP, "--where", "group=a"],
                                    "column(s) 'group' named in mapping"),
    "--where leaving nothing": (lambda t: t, [*BASE_MAP, "--where", "cond=neutral"],
                                "no rows left after the mapping's filter"),
    "NUL byte in a value": (_sub("S0,congruent,507", "S0,cong\x00ruent,507"),
                            BASE_MAP, "field condition contains a NUL byte"),
}


@pytest.mark.parametrize("case", list(IMPORT_CASES), ids=list(IMPORT_CASES))
def test_imports_that_would_store_nonsense(case, lab_db, tmp_path):
    edit, args, expected = IMPORT_CASES[case]
    data = tmp_path / "data.csv"
    data.write_text(edit(STROOP_ROWS), encoding="utf-8")
    before = sqlite_fingerprint(lab_db)
    result = mirrorlab("import", str(data), *args, "--db", str(lab_db), cwd=tmp_path)
    assert_one_line_error(result, expected)
    assert sqlite_fingerprint(lab_db) == before


def test_the_fixes_the_errors_suggest_work(lab_db, tmp_path):
    """Documented acceptances: --scale, --where, --encoding cp932 and --allow-duplicates."""
    seconds = tmp_path / "seconds.csv"
    seconds.write_text(_seconds(STROOP_ROWS))
    result = mirrorlab("import", str(seconds), *BASE_MAP, "--scale", "rt_ms=1000",
                       "--where", "subj=S0", "--study", "sec", "--db", str(lab_db), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    frame = Store(f"sqlite:///{lab_db}").trials_frame()
    imported = frame[frame["agent"] == "S0"]
    assert len(imported) == 12 and imported["rt_ms"].min() >= 500
    japanese = tmp_path / "sjis.csv"
    japanese.write_bytes("参加者,条件,反応時間\n山田,congruent,612\n山田,incongruent,701\n".encode("cp932"))
    args = ["--map", "participant=参加者", "--map", "condition=条件", "--map", "rt_ms=反応時間",
            "--set", "task=stroop", "--study", "sjis"]
    refused = mirrorlab("import", str(japanese), *args, "--db", str(lab_db), cwd=tmp_path)
    assert_one_line_error(refused, "sjis.csv line 1 byte 1: not valid UTF-8 text (byte 0x8e); "
                                   "it reads as Shift-JIS (Excel in Japanese): add --encoding cp932")
    accepted = mirrorlab("import", str(japanese), *args, "--encoding", "cp932",
                         "--db", str(lab_db), cwd=tmp_path)
    assert accepted.returncode == 0, accepted.stderr
    twice = tmp_path / "twice.csv"
    twice.write_text(STROOP_ROWS + STROOP_ROWS.split("\n", 1)[1])
    kept = mirrorlab("import", str(twice), *BASE_MAP, "--allow-duplicates", "--study", "twice",
                     "--db", str(lab_db), cwd=tmp_path)
    assert kept.returncode == 0, kept.stderr
    assert "imported 48 trials" in kept.stdout


MAPPING_CASES = {
    "scale not a number": ('[scale]\nrt_ms = "abc"\n', "scale for rt_ms is 'abc', not a number"),
    "values not a table": ('[values]\ncondition = "x"\n', "[values.condition] must be a table"),
    "broken template": ('[templates]\nitem_id = "{ink"\n', "template for item_id '{ink' is not a valid template"),
    "scale not a table": ('scale = 3\n', "[scale] must be a table"),
    "not TOML": ('[columns\n', "not valid TOML"),
}


@pytest.mark.parametrize("case", list(MAPPING_CASES), ids=list(MAPPING_CASES))
def test_malformed_mapping_files(case, lab_db, tmp_path):
    extra, expected = MAPPING_CASES[case]
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(extra + '\n[columns]\nparticipant = "subj"\nrt_ms = "rt"\n'
                       '[constants]\ntask = "stroop"\n' if not extra.startswith("[columns\n")
                       else extra)
    data = tmp_path / "data.csv"
    data.write_text(STROOP_ROWS)
    before = sqlite_fingerprint(lab_db)
    result = mirrorlab("import", str(data), "--mapping", str(mapping), "--db", str(lab_db),
                       cwd=tmp_path)
    assert_one_line_error(result, expected)
    assert sqlite_fingerprint(lab_db) == before


# ---------------------------------------------------------------------------- sessions and outputs
RUN = ["run", "stroop", "--windowed", "--simulate", "--max-trials", "2", "--no-practice"]
SESSION_CASES = {
    "500-character code": (["--participant", "P" * 500], "participant code is 500 characters long"),
    "NUL byte in the code": (["--participant", "P\x01"], None),   # placeholder, replaced below
    "seed beyond 32 bits": (["--participant", "P02", "--seed", "3000000000"],
                            "--seed 3000000000: must be a whole number from 0 to 2147483647"),
    "--csv-dir is a file": (["--participant", "P02", "--csv-dir", "{file}"], "is a file, not a folder"),
    "--csv-dir under a file": (["--participant", "P02", "--csv-dir", "{file}/sub"],
                               "is under the file"),
    "--screenshots is a file": (["--participant", "P02", "--screenshots", "{file}"],
                                "--screenshots"),
    "--sim-param tau_ms=-5": (["--participant", "P02", "--sim-param", "tau_ms=-5"],
                              "--sim-param tau_ms=-5: must be > 0"),
    "--sim-param error_rate=2": (["--participant", "P02", "--sim-param", "error_rate=2"],
                                 "must be ≥ 0 and ≤ 1"),
}
SESSION_CASES.pop("NUL byte in the code")      # argv cannot carry NUL: tested through the API


def _session_case(case, tmp_path):
    args, expected = SESSION_CASES[case]
    a_file = tmp_path / "a-file.txt"
    a_file.write_text("x")
    return [a.replace("{file}", str(a_file)) for a in args], expected


@pytest.mark.parametrize("case", list(SESSION_CASES), ids=list(SESSION_CASES))
def test_session_inputs_on_sqlite(case, lab_db, tmp_path):
    args, expected = _session_case(case, tmp_path)
    before = sqlite_fingerprint(lab_db)
    result = mirrorlab(*RUN, *args, "--db", str(lab_db), cwd=tmp_path, env={"DISPLAY": ":99"})
    assert_one_line_error(result, expected)
    assert sqlite_fingerprint(lab_db) == before


@pytest.mark.postgres
@pytest.mark.parametrize("case", ["500-character code", "seed beyond 32 bits"])
def test_session_inputs_on_postgres(case, pg_url, tmp_path):
    args, expected = _session_case(case, tmp_path)
    Store(pg_url).dispose()
    result = mirrorlab(*RUN, *args, "--db", pg_url, cwd=tmp_path, env={"DISPLAY": ":99"})
    assert_one_line_error(result, expected)
    assert Store(pg_url).sessions_frame().empty


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_nul_bytes_are_refused_before_either_database(backend, tmp_path, request):
    from db.errors import StoreError
    from experiments import run_session
    from experiments.errors import ExperimentError

    url = f"sqlite:///{tmp_path / 'n.db'}" if backend == "sqlite" else request.getfixturevalue("pg_url")
    store = Store(url)
    os.environ.setdefault("DISPLAY", ":99")
    with pytest.raises(ExperimentError, match="NUL byte"):
        run_session("stroop", "P\x00X", store=store, simulate=True, windowed=True)
    session_id = store.start_session(participant_code="P03", task="stroop")
    with pytest.raises(StoreError, match="field word contains a NUL byte"):
        store.add_trial({"task": "stroop", "source": "human", "agent": "P03", "word": "RE\x00D"},
                        session_id=session_id)
    assert store.count_trials() == 0


def test_a_stimulus_word_with_a_nul_byte_is_refused_before_the_session(tmp_path):
    from experiments import run_session
    from experiments.errors import ExperimentError
    from stimuli import load_set

    frame = load_set("stroop-en").trial_list(seed=1, instruction="colour_naming")
    frame.loc[frame.index[3], "word"] = "BL\x00UE"
    store = Store(f"sqlite:///{tmp_path / 'w.db'}")
    os.environ.setdefault("DISPLAY", ":99")
    with pytest.raises(ExperimentError, match="trial list .* field word contains a NUL byte"):
        run_session("stroop", "P04", store=store, trial_list=frame, simulate=True, windowed=True)
    assert store.sessions_frame().empty


OUTPUT_CASES = {
    "stimuli trials --out under a file": (["stimuli", "trials", "stroop-en", "--out", "{file}/t.csv"],
                                          "is a file, not a folder"),
    "stimuli trials --out is a folder": (["stimuli", "trials", "stroop-en", "--out", "{tmp}"],
                                         "is a folder; give a file name"),
    "compare --report under a file": (["compare", "--task", "stroop", "--report", "{file}/r.html", "--db", "{db}"],
                                      "--report"),
    "export under a file": (["export", "{file}/x.csv", "--db", "{db}"], "is a file, not a folder"),
}


@pytest.mark.parametrize("case", list(OUTPUT_CASES), ids=list(OUTPUT_CASES))
def test_output_paths(case, lab_db, tmp_path):
    args, expected = OUTPUT_CASES[case]
    a_file = tmp_path / "a-file.txt"
    a_file.write_text("x")
    args = [a.replace("{file}", str(a_file)).replace("{tmp}", str(tmp_path))
            .replace("{db}", str(lab_db)) for a in args]
    before = sqlite_fingerprint(lab_db)
    result = mirrorlab(*args, cwd=tmp_path)
    assert_one_line_error(result, expected)
    assert sqlite_fingerprint(lab_db) == before
    assert a_file.read_text() == "x"


def test_stimuli_trials_out_creates_a_missing_folder(tmp_path):
    out = tmp_path / "new" / "folder" / "trials.csv"
    result = mirrorlab("stimuli", "trials", "stroop-en", "--out", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert out.read_text().startswith("task,") or "item_id" in out.read_text().splitlines()[0]


def test_csv_export_prefixes_formulas(lab_db, tmp_path):
    store = Store(f"sqlite:///{lab_db}")
    session_id = store.start_session(participant_code="=HYPERLINK(\"http://x\",\"y\")", task="stroop")
    store.add_trial({"task": "stroop", "source": "human", "agent": "=HYPERLINK(\"http://x\",\"y\")",
                     "response": "@SUM(A1)", "soa_ms": -100.0, "rt_ms": 500.0},
                    session_id=session_id)
    store.finish_session(session_id)
    out = tmp_path / "x.csv"
    assert mirrorlab("export", str(out), "--db", str(lab_db), cwd=tmp_path).returncode == 0
    import csv

    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    row = next(r for r in rows if "HYPERLINK" in r["agent"])
    assert row["agent"].startswith("'=HYPERLINK(")
    assert row["response"] == "'@SUM(A1)"
    assert row["soa_ms"] == "-100.0"                      # a number stays a number
    # the database keeps the value verbatim
    assert store.trials_frame(session_id=session_id)["agent"].iloc[0].startswith("=HYPERLINK(")


# ---------------------------------------------------------------------------- stimulus sets
def _copy_set(tmp_path, name):
    from stimuli.stimulus_set import BUNDLED_DIR

    folder = tmp_path / f"my-{name}"
    shutil.copytree(BUNDLED_DIR / name, folder)
    return folder


def _edit(folder, file_name, old, new):
    path = folder / file_name
    text = path.read_text(encoding="utf-8")
    assert old in text, (old, file_name)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _huge_design(tmp_path):
    folder = _copy_set(tmp_path, "stroop-en")
    _edit(folder, "set.toml", "[design]", "[design]\ntrials_per_condition = 100000000")
    _edit(folder, "set.toml", "trials_per_condition = 24\n", "")
    return folder


def _boolean_colour(tmp_path):
    folder = _copy_set(tmp_path, "stroop-en")
    text = (folder / "set.toml").read_text(encoding="utf-8")
    import re

    (folder / "set.toml").write_text(re.sub(r"(?m)^red = \[[^\]]*\]", "red = [true, false, false]",
                                            text, count=1), encoding="utf-8")
    return folder


def _nul_value(tmp_path):
    folder = _copy_set(tmp_path, "stroop-en")
    _edit(folder, "items.csv", "RED,", "R\x00ED,")
    return folder


def _unorderable(tmp_path):
    folder = _copy_set(tmp_path, "stroop-en")
    _edit(folder, "set.toml", "max_same_condition_in_row = 3", "max_same_condition_in_row = 1")
    items = folder / "items.csv"
    lines = items.read_text(encoding="utf-8").splitlines()
    kept = [lines[0]] + [line for line in lines[1:] if ",congruent" in line]
    items.write_text("\n".join(kept) + "\n", encoding="utf-8")
    _edit(folder, "set.toml", "practice_trials = 12", "practice_trials = 0")
    return folder


def _picture_set(tmp_path, make_picture):
    folder = _copy_set(tmp_path, "picture-word-en")
    (folder / "pictures").mkdir()
    make_picture(folder / "pictures" / "pig.png", tmp_path)
    _edit(folder, "items.csv", "openmoji:1F416", "pictures/pig.png")
    return folder


def _not_an_image(path, _tmp):
    path.write_text("this is not a PNG\n")


def _symlink_outside(path, tmp_path):
    from PIL import Image

    outside = tmp_path / "elsewhere.png"
    Image.new("RGB", (8, 8), "white").save(outside)
    path.symlink_to(outside)


STIMULUS_CASES = {
    "trials_per_condition = 100000000": (_huge_design, "set.toml, column 'design.trials_per_condition': "
                                                       "too large (at most 10,000)"),
    "colour [true, false, false]": (_boolean_colour, "bad colour"),
    "NUL byte in items.csv": (_nul_value, "items.csv, line 2, column 'word': NUL byte in a value"),
    "a design that cannot be ordered": (_unorderable, "set.toml, column 'design': cannot order"),
    "a picture that is not an image": (lambda t: _picture_set(t, _not_an_image),
                                       "column 'picture_source': picture file is not a readable image"),
    "a picture symlinked from outside": (lambda t: _picture_set(t, _symlink_outside),
                                         "picture path leads out of the set folder"),
}


@pytest.mark.parametrize("case", list(STIMULUS_CASES), ids=list(STIMULUS_CASES))
def test_stimulus_sets(case, lab_db, tmp_path):
    make, expected = STIMULUS_CASES[case]
    folder = make(tmp_path)
    result = mirrorlab("stimuli", "validate", str(folder), cwd=tmp_path)
    assert_one_line_error(result, expected)
    assert str(folder) in result.stderr
    before = sqlite_fingerprint(lab_db)
    task = "picture-word" if "picture" in case else "stroop"
    run = mirrorlab("run", task, "--participant", "P09", "--stimuli", str(folder), "--windowed",
                    "--db", str(lab_db), cwd=tmp_path, env={"DISPLAY": ":99"})
    assert_one_line_error(run, expected)
    assert sqlite_fingerprint(lab_db) == before


def test_report_isolates_the_direction_of_every_data_value(sqlite_url, tmp_path):
    """A code with the right-to-left override (U+202E) must not reverse the codes after it."""
    sys.path.insert(0, str(Path(__file__).resolve().parent / "reference"))
    import analysis_fixtures as fx

    from analysis import compare, write_report

    store = Store(sqlite_url)
    rlo = "P\u202e02"
    fx.add_human_stroop(store, ["P01", rlo, "P03", "P04"])
    fx.add_model_stroop(store, "toy", {"congruent": 640.0, "neutral": 660.0, "incongruent": 760.0})
    html = write_report(compare(store, "stroop", engine="mixedlm"), tmp_path / "r.html").read_text(
        encoding="utf-8")
    assert f"<bdi>{rlo}</bdi>" in html and "<bdi>P03</bdi>" in html
    assert "th,td,bdi,code{unicode-bidi:isolate}" in html
