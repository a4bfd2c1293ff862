"""1,000 trial POSTs at once from 50 simulated participants on loopback, against a real
`mirrorlab serve` process on SQLite (WAL) and on PostgreSQL: every one committed exactly once."""

from __future__ import annotations

import pytest

from db.store import Store
from online_helpers import Server, make_links, post_trials_concurrently

N_PARTICIPANTS, TRIALS_EACH = 50, 20


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_1000_concurrent_trial_posts_lose_nothing(backend, sqlite_url, request, capsys):
    url = sqlite_url if backend == "sqlite" else request.getfixturevalue("pg_url")
    links = make_links(url, "--study", "load", "--n", str(N_PARTICIPANTS), "--task", "stroop",
                       "--max-trials", str(TRIALS_EACH), "--no-practice", "--simulated")
    server = Server(url).start()
    try:
        result = post_trials_concurrently(server.base, [l["token"] for l in links],
                                          trials_per_participant=TRIALS_EACH, max_in_flight=100)
    finally:
        server.stop()
    with capsys.disabled():
        print(f"\n{backend}: {result['n']} trial POSTs from {N_PARTICIPANTS} participants in "
              f"{result['wall_s']:.2f} s ({result['trials_per_s']:.0f} trials/s committed); "
              f"POST→commit p50 {result['p50_ms']:.0f} ms, p99 {result['p99_ms']:.0f} ms, "
              f"max {result['max_ms']:.0f} ms")
    assert result["n"] == N_PARTICIPANTS * TRIALS_EACH
    assert set(result["statuses"]) == {200}
    store = Store(url)
    frame = store.trials_frame(task="stroop")
    assert len(frame) == N_PARTICIPANTS * TRIALS_EACH
    assert not frame.duplicated(["session_id", "trial_index"]).any()
    per_session = frame.groupby("agent")["trial_index"].apply(sorted).to_dict()
    for link in links:
        assert per_session[link["code"]] == sorted(result["indices"][link["token"]])
