"""The session lease's heartbeat: a daemon thread that renews this runner's lease on its
session every few seconds while the session runs (instructions and breaks can last minutes
without a trial being committed, and a trial commit renews the lease too).

When another runner has taken the session over (our lease expired: the machine slept, the
process was stopped for longer than the lease's time to live), ``lost`` holds the store's
one-line error and the runner stops at the next trial without writing anything more.
"""

from __future__ import annotations

import threading

HEARTBEAT_INTERVAL_S = 5.0


class LeaseHeartbeat:
    """Renew ``store``'s lease on ``session_id`` every ``interval_s`` seconds."""

    def __init__(self, store, session_id: int, interval_s: float = HEARTBEAT_INTERVAL_S):
        self.store = store
        self.session_id = session_id
        self.interval_s = interval_s
        self.lost: Exception | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"lease-{session_id}", daemon=True)

    def start(self) -> "LeaseHeartbeat":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self.interval_s + 35.0)

    def _beat(self) -> None:
        from db.errors import DatabaseBusyError, SessionLeaseLost
        from sqlalchemy.exc import OperationalError

        while not self._stop.wait(self.interval_s):
            try:
                self.store.heartbeat(self.session_id)
            except SessionLeaseLost as exc:
                self.lost = exc
                return
            except (DatabaseBusyError, OperationalError):
                continue            # another writer held the lock: beat again next time
