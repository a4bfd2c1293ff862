"""``mirrorlab db upgrade|info``: schema migrations and a summary of what a database holds."""

from __future__ import annotations

import argparse

from mirrorlab.cli import add_db_option


def register(subparsers) -> None:
    parser = subparsers.add_parser("db", help="database schema upgrade and summary",
                                   description="Manage the mirrorlab database schema.")
    commands = parser.add_subparsers(dest="db_command", metavar="SUBCOMMAND", required=True)
    upgrade = commands.add_parser(
        "upgrade", help="bring the database schema to the newest version (Alembic migrations)",
        description="Apply Alembic migrations so a database made by an older mirrorlab opens in "
                    "this one. Creates the schema in an empty database; a database with other "
                    "programs' tables only with --adopt. Safe when several processes run it "
                    "at once (the schema is built under the database's write lock).")
    add_db_option(upgrade)
    upgrade.add_argument("--revision", default="head", help="target revision (default: head)")
    upgrade.add_argument("--adopt", action="store_true",
                         help="create mirrorlab's tables in a database that already holds "
                              "another program's tables (they are left as they are); without "
                              "it such a database is refused")
    upgrade.set_defaults(handler=run_upgrade)
    info = commands.add_parser("info", help="schema revision and counts of sessions, runs and trials")
    add_db_option(info)
    info.set_defaults(handler=run_info)


def run_upgrade(args: argparse.Namespace) -> int:
    from db.engine import make_engine
    from db.migrate import upgrade

    engine = make_engine(args.db, adopt=args.adopt)
    before, after = upgrade(engine, args.revision, adopt=args.adopt)
    url = engine.url.render_as_string(hide_password=True)
    if before == after:
        print(f"{url}: schema already at revision {after}")
    else:
        print(f"{url}: schema upgraded from {before or 'empty'} to {after}")
    return 0


def run_info(args: argparse.Namespace) -> int:
    from db.migrate import current_revision
    from db.store import Store

    store = Store(args.db)
    sessions = store.sessions_frame()
    runs = store.model_runs_frame()
    print(f"database: {store.url}")
    print(f"schema revision: {current_revision(store.engine)}")
    print(f"sessions: {len(sessions)} ({sessions['participant'].nunique() if len(sessions) else 0} participants)")
    for simulated, title in ((False, "people"), (True, "simulated participants (not people; "
                                                     "left out of analyses)")):
        part = sessions[sessions["simulated"] == simulated] if len(sessions) else sessions
        if len(part):
            print(f"{title}:")
            summary = part.groupby(["study", "task", "status"]).agg(
                sessions=("session_id", "size"), trials=("n_trials", "sum")).reset_index()
            print(summary.to_string(index=False))
    print(f"model runs: {len(runs)}")
    if len(runs):
        print(runs[["model_run_id", "model", "task", "seed", "n_trials", "status"]].to_string(index=False))
    return 0
