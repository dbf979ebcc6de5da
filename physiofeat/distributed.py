"""Dask distributed helpers: run :func:`physiofeat.extract_many` on a cluster.

The tasks are the same functions the local process pool runs; only the executor changes::

    from dask.distributed import Client
    client = Client("tcp://scheduler:8786")       # or physiofeat.distributed.connect(...)
    results = physiofeat.extract_many(paths, ["mfcc", "hht"], client=client, seed=0)

On the command line: ``physiofeat extract DATA -f mfcc -o out.parquet --scheduler tcp://...``.
File paths are read by the workers, so they must be visible at the same paths there (a shared
file system); relative paths (and ``arrays_dir``) are made absolute from the caller's working
folder, not a worker's, and the results keep the paths as given; arrays travel with the tasks.
A task of several sources that fails (a source killing its worker) is run again source by
source, so only the source at fault is an error record, as in the local process pool. At most ``max_pending`` tasks are submitted at a
time (default: 4 per worker thread), so the scheduler never holds the whole dataset.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["connect", "local_cluster", "iter_on_client"]


def connect(address: str):
    """A :class:`dask.distributed.Client` for the scheduler at ``address``.

    Raises :class:`physiofeat.ParameterError` with the reason when it cannot connect, and for
    an address that is not a non-empty string (``None`` would start a local cluster instead).
    """
    from ._errors import ParameterError

    if not isinstance(address, str) or not address.strip():
        raise ParameterError(
            f"the Dask scheduler address must be a string like 'tcp://host:8786'; got {address!r}"
        )
    try:
        from dask.distributed import Client
    except ImportError as exc:  # pragma: no cover - optional dependency
        raise ParameterError(
            "the Dask scheduler option needs dask.distributed: pip install 'physiofeat[distributed]'"
        ) from exc
    try:
        return Client(address, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise ParameterError(f"cannot connect to Dask scheduler {address!r}: {exc}") from None


def local_cluster(
    n_workers: int = 2, *, threads_per_worker: int = 1, processes: bool = True, **kwargs: Any
):
    """A ``(LocalCluster, Client)`` pair of workers on this machine (for testing the cluster
    path without a cluster; ``processes=False``: threads of this process). Close both when
    done. Its dashboard listens on a free port of its own (``dashboard_address=":0"``), never
    Dask's 8787 that another cluster may hold: Dask starts the dashboard even when given
    ``None`` (dask/distributed#8136), so it cannot be turned off here."""
    from dask.distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=n_workers,
        processes=processes,
        threads_per_worker=threads_per_worker,
        dashboard_address=kwargs.pop("dashboard_address", ":0"),
        **kwargs,
    )
    return cluster, Client(cluster)


def check_client(client: Any):
    """``client`` if it is an open :class:`dask.distributed.Client`, else a
    :class:`physiofeat.ParameterError` saying what was given (an address string, a closed
    client...)."""
    from ._errors import ParameterError

    try:
        from dask.distributed import Client
    except ImportError as exc:  # pragma: no cover - optional dependency
        raise ParameterError(
            "client= needs dask.distributed: pip install 'physiofeat[distributed]'"
        ) from exc
    if not isinstance(client, Client):
        hint = (
            ": connect first, physiofeat.distributed.connect(address)"
            if isinstance(client, str)
            else ""
        )
        raise ParameterError(
            f"client must be a dask.distributed.Client; got {type(client).__name__}{hint}"
        )
    if client.status in ("closing", "closed"):
        raise ParameterError(f"client is {client.status}: open a new one")
    return client


def _n_threads(client) -> int:
    try:
        return max(1, sum(client.nthreads().values()))
    except Exception:  # noqa: BLE001 - a scheduler without workers yet
        return 1


def _root_cause(exc: BaseException) -> BaseException:
    """The innermost cause of ``exc`` (Dask's "Could not serialize object of type LLGExpr"
    comes from the pickling error that names the object)."""
    seen = {id(exc)}
    while (nxt := exc.__cause__ or exc.__context__) is not None and id(nxt) not in seen:
        seen.add(id(nxt))
        exc = nxt
    return exc


def _alone(client, func, item, on_error) -> list[Any]:
    """``func([item])`` on the cluster, waited for; its failure is ``on_error([item], exc)``."""
    try:
        fut = client.submit(func, [item], pure=False)
    except Exception as exc:  # noqa: BLE001 - it cannot be sent
        return on_error([item], _root_cause(exc))
    try:
        return fut.result()
    except Exception as exc:  # noqa: BLE001 - it failed on its own
        return on_error([item], exc)
    finally:
        fut.release()


def iter_on_client(
    client,
    chunks: Iterator[list[Any]],
    func: Callable[[list[Any]], list[Any]],
    *,
    max_pending: int | None = None,
    on_error: Callable[[list[Any], BaseException], list[Any]] | None = None,
) -> Iterator[Any]:
    """Submit ``func(chunk)`` for each chunk to ``client`` with at most ``max_pending`` in
    flight, and yield the items of each finished chunk's result as it completes. A chunk of
    several items whose task fails (a lost worker: ``KilledWorker``, an item whose result
    cannot travel...) is submitted again item by item, so that only the item at fault fails,
    as in the local process pool; a one-item chunk that fails yields ``on_error(chunk, exc)``
    when it is given, so the other chunks go on; without it the exception propagates. So does
    a chunk that cannot be submitted (an item that cannot be pickled): its items are submitted
    one by one, and each that still cannot be yields ``on_error([item], exc)``."""
    from dask.distributed import as_completed

    if max_pending is None:
        max_pending = 4 * _n_threads(client)
    ac = as_completed(loop=client.loop)  # this client's, not the default client's
    n_pending = 0
    exhausted = False
    unsent: list[Any] = []  # on_error records of items that could not be submitted

    def submit(chunk: list[Any]) -> None:
        nonlocal n_pending
        fut = client.submit(func, chunk, pure=False)
        of_future[fut.key] = chunk
        ac.add(fut)
        n_pending += 1

    def top_up() -> None:
        nonlocal exhausted
        while not exhausted and n_pending < max_pending:
            try:
                chunk = next(chunks)
            except StopIteration:
                exhausted = True
                return
            try:
                submit(chunk)
            except Exception as exc:  # noqa: BLE001 - an item that cannot be sent (pickled)
                if on_error is None:
                    raise
                for item in chunk if len(chunk) > 1 else ():  # the others of its chunk go on
                    try:
                        submit([item])
                    except Exception as one:  # noqa: BLE001
                        unsent.extend(on_error([item], _root_cause(one)))
                if len(chunk) == 1:
                    unsent.extend(on_error(chunk, _root_cause(exc)))

    of_future: dict[Any, list[Any]] = {}
    top_up()
    yield from unsent
    unsent.clear()
    while n_pending:
        fut = next(ac)
        n_pending -= 1
        chunk = of_future.pop(fut.key)
        try:
            results = fut.result()
        except Exception as exc:  # noqa: BLE001 - one lost task never stops the run
            if on_error is None:
                raise
            fut.release()
            if len(chunk) > 1:  # which of its items was it? each alone, one after the other
                # (an item that kills its worker then takes no other item with it), while the
                # other chunks in flight go on
                top_up()
                for item in chunk:
                    yield from _alone(client, func, item, on_error)
                continue
            results = on_error(chunk, exc)
        fut.release()
        top_up()
        yield from results
        yield from unsent
        unsent.clear()
