"""Independent function calls on Dask: a local cluster over this machine's cores, or a
scheduler you already run (``--scheduler tcp://HOST:PORT`` or ``$MIRRORLAB_DASK_SCHEDULER``).

Why one helper: power simulations (``mirrorlab project power``) and model fits submit many
independent calls. Each call gets its own seed from :func:`spawn_seeds`, and results come back
in submission order, so the same seed gives the same numbers whatever the number of workers
(or with no cluster at all, ``workers=0``, which runs the calls here, in order).

    from mirrorlab.distributed import map_calls, spawn_seeds
    results = map_calls(simulate_cell, [(cell, s) for cell, s in zip(cells, spawn_seeds(7, len(cells)))])

dask/distributed are imported only when a cluster is used.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from typing import Any

SCHEDULER_ENVIRONMENT_VARIABLE = "MIRRORLAB_DASK_SCHEDULER"


class DistributedError(RuntimeError):
    """A scheduler that cannot be reached or a malformed scheduler address (one line)."""

    user_facing = True


def spawn_seeds(seed: int, n_calls: int) -> list[int]:
    """``n_calls`` independent 32-bit seeds derived from ``seed`` (numpy SeedSequence): the
    i-th call's seed depends only on ``seed`` and i, never on how calls are spread."""
    import numpy as np

    children = np.random.SeedSequence(int(seed)).spawn(int(n_calls))
    return [int(child.generate_state(1)[0]) for child in children]


def scheduler_address(scheduler: str | None = None) -> str | None:
    """The scheduler to use: the argument, else ``$MIRRORLAB_DASK_SCHEDULER``, else None
    (a local cluster). Only ``tcp://HOST:PORT`` (or ``tls://``) addresses are accepted."""
    address = scheduler or os.environ.get(SCHEDULER_ENVIRONMENT_VARIABLE) or None
    if address is None:
        return None
    if not address.startswith(("tcp://", "tls://")) or ":" not in address.split("://", 1)[1]:
        raise DistributedError(f"Dask scheduler {address!r}: expected tcp://HOST:PORT")
    return address


def default_worker_count() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def map_calls(function: Callable[..., Any], argument_tuples: Iterable[Sequence[Any]], *,
              scheduler: str | None = None, workers: int | None = None,
              processes: bool = True,
              on_result: Callable[[int, Any], None] | None = None) -> list[Any]:
    """``[function(*args) for args in argument_tuples]``, computed on Dask, in order.

    ``workers=0`` runs the calls in this process (no Dask). Otherwise a ``LocalCluster`` with
    ``workers`` single-threaded workers (default: one per core; threads instead of processes
    with ``processes=False``) is started for this call and closed after it, unless a
    scheduler address is given (argument or environment), which is used as it is.

    ``on_result(i, result)`` is called here, in this process, as each call finishes (in
    completion order), so a caller can store every finished result at once: an interrupted
    run (Ctrl-C, a lost client) keeps what had finished. A lost *worker* costs nothing: the
    scheduler reruns its calls elsewhere.
    """
    calls = [tuple(args) for args in argument_tuples]
    address = scheduler_address(scheduler)
    if workers == 0 and address is None:
        results = []
        for i, args in enumerate(calls):
            results.append(function(*args))
            if on_result is not None:
                on_result(i, results[-1])
        return results
    if not calls:
        return []
    from distributed import Client, LocalCluster

    if address is not None:
        try:
            client = Client(address, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise DistributedError(f"Dask scheduler {address} is unreachable: {exc}") from None
        cluster = None
    else:
        n_workers = min(workers or default_worker_count(), len(calls))
        cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=processes,
                               dashboard_address=None, silence_logs=40)
        client = Client(cluster)
    try:
        futures = [client.submit(function, *args, pure=False) for args in calls]
        if on_result is None:
            return client.gather(futures)
        from distributed import as_completed

        position = {future.key: i for i, future in enumerate(futures)}
        for future in as_completed(futures):
            on_result(position[future.key], future.result())
        return client.gather(futures)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
