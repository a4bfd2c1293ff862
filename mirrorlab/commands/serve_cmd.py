"""``mirrorlab links`` (participant links of an online study) and ``mirrorlab serve`` (the
server those links point at). See docs/online.md.

Nothing heavy is imported until a command runs.
"""

from __future__ import annotations

import argparse
import os
import sys

from mirrorlab.cli import add_db_option


def register(subparsers) -> None:
    links = subparsers.add_parser(
        "links", help="create participant links (one unguessable token per slot) for online sessions",
        description="Create N participant slots of a study and print one link per slot. Each "
                    "link runs one session of TASK in the participant's browser with the trial "
                    "list, seed and counterbalancing `mirrorlab run` would use for the slot's "
                    "pseudonymous code. Tokens are printed once and stored only as hashes.",
        epilog="Example: mirrorlab links --study class2026 --n 30 --task stroop --lang ja "
               "--base-url https://lab.example.edu/mirrorlab")
    links.add_argument("--study", required=True, metavar="S", help="study name")
    links.add_argument("--n", type=int, required=True, metavar="N", help="number of slots to add")
    from stimuli.tasks import task_names

    links.add_argument("--task", choices=task_names(),
                       help="task of the slots: " + ", ".join(task_names()) +
                            " (default: the task of --stimuli)")
    links.add_argument("--stimuli", metavar="SET", help="stimulus set (default: TASK-LANG)")
    links.add_argument("--lang", choices=("en", "ja"), help="language (default: the set's)")
    links.add_argument("--instruction", metavar="NAME", help="e.g. colour_naming")
    links.add_argument("--seed", type=int, metavar="S",
                       help="one seed for every slot (default: from code, task, session, as "
                            "`mirrorlab run`)")
    links.add_argument("--max-trials", type=int, metavar="N", help="only the first N main trials")
    links.add_argument("--max-practice", type=int, metavar="N", help="only N practice trials")
    links.add_argument("--no-practice", action="store_true", help="no practice block")
    links.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                       help="task parameter, as for `mirrorlab run` (repeatable)")
    links.add_argument("--code-prefix", default="W", metavar="P",
                       help="participant codes are P-001, P-002, … (default W)")
    links.add_argument("--response", choices=("keyboard", "voice"), default="keyboard",
                       help="keyboard (default) or voice: the page asks for the microphone, "
                            "records each trial and the server runs the lab's voice key on it "
                            "(naming tasks and Stroop only)")
    links.add_argument("--simulated", action="store_true",
                       help="label the slots' rows source=simulated (pilots by a script, tests)")
    links.add_argument("--base-url", default="http://127.0.0.1:8000", metavar="URL",
                       help="the address participants reach the server at (default "
                            "http://127.0.0.1:8000)")
    add_db_option(links)
    links.set_defaults(handler=run_links)

    serve = subparsers.add_parser(
        "serve", help="serve online sessions (jsPsych 8 in the browser) from the database",
        description="Serve the slots made by `mirrorlab links`: each link shows its session "
                    "in the browser and every trial is committed to the database as it ends. "
                    "The experimenter's progress view is behind its own secret, printed at "
                    "start (or $MIRRORLAB_EXPERIMENTER_SECRET). IP addresses are neither stored "
                    "nor logged.",
        epilog="Put it behind the university's reverse proxy for TLS (docs/online.md).")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.add_argument("--abandon-after-min", type=float, default=30.0, metavar="MIN",
                       help="a session not heard from for MIN minutes ends as aborted (its "
                            "link still resumes it; default 30)")
    serve.add_argument("--audio-dir", metavar="DIR",
                       help="where voice sessions' recordings are kept, one folder per session "
                            "(default: data/ beside an SQLite database, else ./data)")
    serve.add_argument("--rate", type=float, default=20.0, metavar="PER_S",
                       help="requests per second one link may make (burst 3×; default 20)")
    add_db_option(serve)
    serve.set_defaults(handler=run_serve)


def run_links(args: argparse.Namespace) -> int:
    from db.store import Store
    from experiments.online.session_adapter import OnlineSessions
    from experiments.parameters import parse_param_options

    from experiments.errors import ExperimentError

    task = args.task
    if task is None:
        if not args.stimuli:
            raise ExperimentError("links: name the task (--task) or its stimulus set (--stimuli)")
        from stimuli import load_set

        task = load_set(args.stimuli).task
    options = {"seed": args.seed, "max_trials": args.max_trials,
               "max_practice_trials": args.max_practice, "practice": not args.no_practice,
               "params": parse_param_options(args.param),
               "source": "simulated" if args.simulated else "human", "response": args.response}
    store = Store(args.db)
    created = OnlineSessions(store).create_slots(
        study=args.study, n=args.n, task=task, stimuli=args.stimuli, language=args.lang,
        instruction=args.instruction, options=options, code_prefix=args.code_prefix)
    base = args.base_url.rstrip("/")
    print("slot\tparticipant\ttask\tlink")
    for slot, token in created:
        print(f"{slot.slot_number}\t{slot.participant_code}\t{slot.task}\t{base}/s/{token}")
    print(f"{len(created)} link(s) for study {args.study!r} in {store.url}; the tokens are "
          "shown only now (the database keeps their hashes)", file=sys.stderr)
    return 0


def run_serve(args: argparse.Namespace) -> int:
    import secrets

    from db.store import Store
    from experiments.online.app import OnlineError, create_app

    if not 0 < args.port < 65536:
        raise OnlineError(f"--port {args.port}: choose 1–65535")
    if args.abandon_after_min <= 0:
        raise OnlineError(f"--abandon-after-min {args.abandon_after_min}: must be > 0")
    audio_root = _audio_root(args.audio_dir)
    store = Store(args.db)
    secret = os.environ.get("MIRRORLAB_EXPERIMENTER_SECRET") or secrets.token_urlsafe(24)
    app = create_app(store, experimenter_secret=secret,
                     abandon_after_s=args.abandon_after_min * 60.0,
                     rate_per_s=args.rate, burst=3 * args.rate,
                     audio_root=audio_root)
    import uvicorn

    config = uvicorn.Config(app, host=args.host, port=args.port, access_log=False,
                            server_header=False, date_header=False, proxy_headers=False,
                            log_level="warning", timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    listening = _listen(args.host, args.port)        # a clear error before uvicorn starts
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"mirrorlab serve: http://{host}:{args.port}/ on {store.url}", flush=True)
    print(f"experimenter view: http://{host}:{args.port}/experimenter/{secret}", flush=True)
    server.run(sockets=[listening])
    return 0


def _audio_root(folder: str | None):
    """--audio-dir checked before the server starts (a file, or a folder that cannot be
    written, is one clear line)."""
    if folder is None:
        return None
    from experiments.session_plan import check_output_folder

    check_output_folder("--audio-dir", folder)
    return os.path.abspath(folder)


def _listen(host: str, port: int):
    import socket

    from experiments.online.app import OnlineError

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise OnlineError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock
