"""Access to online sessions, against a real `mirrorlab serve` process and a real SQLite file:
tokens, body limits, CORS, the experimenter view, abandonment, and one-line CLI errors."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import httpx
import pytest

from db.store import Store
from online_helpers import REPO, Server, make_links


def trial_body(index: int, *, practice: bool = False, key: str | None = "d", rt_ms: float = 600.0):
    return {"trial_index": index, "is_practice": practice, "key": key,
            "target_onset_ms": 1000.0, "key_time_ms": 1000.0 + rt_ms if key else None,
            "fixation_onset_ms": 400.0, "onsets_ms": {"word": 1000.0},
            "refresh_interval_ms": 16.7, "attempt": 1}


@pytest.fixture()
def served(sqlite_url):
    links = make_links(sqlite_url, "--study", "sec", "--n", "2", "--task", "stroop",
                       "--max-trials", "3", "--no-practice", "--simulated")
    server = Server(sqlite_url).start()
    try:
        yield server, links, sqlite_url
    finally:
        server.stop()


def main_indices(client, server, token):
    session = client.get(f"{server.base}/api/s/{token}/session")
    assert session.status_code == 200, session.text
    return [t["trial_index"] for t in session.json()["trials"]]


def test_wrong_and_reused_tokens_get_403_and_write_nothing(served):
    server, links, url = served
    store = Store(url)
    with httpx.Client(timeout=30) as client:
        wrong = "A" * 43
        assert client.get(f"{server.base}/s/{wrong}").status_code == 403
        assert client.get(f"{server.base}/api/s/{wrong}/session").status_code == 403
        assert client.post(f"{server.base}/api/s/{wrong}/trials", json=trial_body(0)).status_code == 403
        assert client.post(f"{server.base}/api/s/not-a-token/trials", json=trial_body(0)).status_code == 403
        assert store.count_trials() == 0
        assert len(store.sessions_frame()) == 0           # a wrong token opens no session

        token = links[0]["token"]
        indices = main_indices(client, server, token)
        for index in indices:
            reply = client.post(f"{server.base}/api/s/{token}/trials", json=trial_body(index))
            assert reply.status_code == 200 and reply.json()["stored"], reply.text
        # a retried POST of a stored trial is answered, not stored twice
        again = client.post(f"{server.base}/api/s/{token}/trials", json=trial_body(indices[0]))
        assert again.status_code == 200 and again.json()["duplicate"]
        assert client.post(f"{server.base}/api/s/{token}/finish", json={}).json()["status"] == "completed"
        n_before = store.count_trials()
        assert n_before == len(indices)

        # the used link is closed: 403 for the session and for further trials
        assert client.get(f"{server.base}/api/s/{token}/session").status_code == 403
        reused = client.post(f"{server.base}/api/s/{token}/trials", json=trial_body(indices[0] + 1000))
        assert reused.status_code == 403
        assert store.count_trials() == n_before

        # one link cannot write into a trial that is not in its own list
        other = links[1]["token"]
        main_indices(client, server, other)
        foreign = client.post(f"{server.base}/api/s/{other}/trials", json=trial_body(99999))
        assert foreign.status_code == 409
        assert store.count_trials() == n_before
    frame = store.trials_frame()
    assert set(frame["source"]) == {"simulated"}
    assert frame["extras"].map(lambda e: e["source_mode"]).eq("online").all()


def test_a_10_mb_post_gets_413_and_writes_nothing(served):
    server, links, url = served
    token = links[0]["token"]
    with httpx.Client(timeout=30) as client:
        main_indices(client, server, token)
        big = b'{"trial_index": 0, "pad": "' + b"x" * (10 * 1024 * 1024) + b'"}'
        try:
            reply = client.post(f"{server.base}/api/s/{token}/trials", content=big,
                                headers={"content-type": "application/json"})
            status = reply.status_code
        except httpx.TransportError:
            status = None
        assert status == 413
    # a body that lies about its size (chunked, no Content-Length) is cut off too
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(f"POST /api/s/{token}/trials HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
                     "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".encode())
        chunk = b"x" * 65536
        try:
            for _ in range(40):
                sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        except OSError:
            pass
        answer = sock.recv(200)
    assert answer.startswith(b"HTTP/1.1 413")
    assert Store(url).count_trials() == 0


def test_cors_is_closed_and_the_experimenter_view_needs_its_secret(served):
    server, links, url = served
    token = links[0]["token"]
    with httpx.Client(timeout=30) as client:
        preflight = client.options(f"{server.base}/api/s/{token}/trials",
                                   headers={"Origin": "https://evil.example",
                                            "Access-Control-Request-Method": "POST"})
        assert preflight.status_code == 405
        assert "access-control-allow-origin" not in preflight.headers
        cross = client.post(f"{server.base}/api/s/{token}/trials", json=trial_body(0),
                            headers={"Origin": "https://evil.example"})
        assert cross.status_code == 403
        page = client.get(f"{server.base}/s/{token}")
        assert "default-src 'self'" in page.headers["content-security-policy"]
        assert page.headers["referrer-policy"] == "no-referrer"
        assert "access-control-allow-origin" not in page.headers

        assert client.get(f"{server.base}/experimenter/wrong-secret").status_code == 403
        assert client.get(f"{server.base}/experimenter/{token}/progress.json").status_code == 403
        indices = main_indices(client, server, token)
        client.post(f"{server.base}/api/s/{token}/trials", json=trial_body(indices[0]))
        progress = client.get(f"{server.base}/experimenter/{server.secret}/progress.json")
        assert progress.status_code == 200
        slots = {row["slot"]: row for row in progress.json()["slots"]}
        assert slots[1]["status"] == "running" and slots[1]["n_stored"] == 1
        assert slots[2]["status"] == "not started"
        assert "rt_ms" not in progress.text and "response" not in progress.text
        view = client.get(f"{server.base}/experimenter/{server.secret}")
        assert view.status_code == 200 and "W-001" in view.text
    # IP addresses are not stored anywhere in the database
    server.stop()
    database = url.split("sqlite:///", 1)[1]
    for path in (database, database + "-wal"):
        try:
            data = open(path, "rb").read()
        except FileNotFoundError:
            continue
        assert b"127.0.0.1" not in data


def test_an_abandoned_session_ends_aborted_and_its_link_resumes_it(sqlite_url):
    links = make_links(sqlite_url, "--study", "ab", "--n", "1", "--task", "stroop",
                       "--max-trials", "3", "--no-practice", "--simulated")
    server = Server(sqlite_url, extra_args=["--abandon-after-min", "0.02"]).start()  # 1.2 s
    store = Store(sqlite_url)
    token = links[0]["token"]
    try:
        with httpx.Client(timeout=30) as client:
            indices = main_indices(client, server, token)
            client.post(f"{server.base}/api/s/{token}/trials", json=trial_body(indices[0]))
            deadline = time.monotonic() + 20
            while store.sessions_frame()["status"].iloc[0] != "aborted":
                assert time.monotonic() < deadline, "the abandoned session was not aborted"
                time.sleep(0.3)
            resumed = client.get(f"{server.base}/api/s/{token}/session").json()
            assert resumed["resumed"] is True
            assert [t["trial_index"] for t in resumed["trials"]] == indices[1:]
            assert store.sessions_frame()["status"].iloc[0] == "running"
    finally:
        server.stop()


def test_cli_errors_are_one_line(sqlite_url, tmp_path):
    def mirrorlab(*args):
        return subprocess.run([sys.executable, "-m", "mirrorlab", *args], capture_output=True,
                              text=True, timeout=120, cwd=REPO)

    bad_set = mirrorlab("links", "--study", "x", "--n", "2", "--stimuli", "no-such-set", "--db", sqlite_url)
    assert bad_set.returncode == 2 and bad_set.stderr.startswith("mirrorlab: error: ")
    assert "Traceback" not in bad_set.stderr and "no-such-set" in bad_set.stderr
    bad_param = mirrorlab("links", "--study", "x", "--n", "2", "--task", "stroop", "--param", "iti_ms=-5",
                          "--db", sqlite_url)
    assert bad_param.returncode == 2 and "mirrorlab: error: " in bad_param.stderr
    assert "iti_ms" in bad_param.stderr
    no_task = mirrorlab("links", "--study", "x", "--n", "2", "--db", sqlite_url)
    assert no_task.returncode == 2 and no_task.stderr.startswith("mirrorlab: error: links: name the task")
    assert Store(sqlite_url).sessions_frame().empty
    unreachable = mirrorlab("serve", "--db", f"sqlite:///{tmp_path}/missing/folder/x.db")
    assert unreachable.returncode == 2 and unreachable.stderr.startswith("mirrorlab: error: ")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = mirrorlab("serve", "--port", str(port), "--db", sqlite_url)
    assert busy.returncode == 2 and "mirrorlab: error: cannot listen" in busy.stderr
    assert "Traceback" not in busy.stderr


def test_a_link_that_floods_the_server_is_slowed_down_with_429(sqlite_url):
    links = make_links(sqlite_url, "--study", "rl", "--n", "2", "--task", "stroop",
                       "--max-trials", "3", "--no-practice", "--simulated")
    server = Server(sqlite_url, extra_args=["--rate", "0.5"]).start()   # burst 1.5
    try:
        with httpx.Client(timeout=30) as client:
            flood = [client.get(f"{server.base}/api/s/{links[0]['token']}/session").status_code
                     for _ in range(30)]
            assert flood.count(429) >= 10 and flood[0] == 200
            # another link is not slowed down by the first one's flood
            assert client.get(f"{server.base}/api/s/{links[1]['token']}/session").status_code == 200
    finally:
        server.stop()
