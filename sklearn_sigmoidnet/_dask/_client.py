"""The client, and the results of the workers' tasks: gathered, retried, shared."""

import asyncio

# evaluations of L(θ), local rounds and validations are functions of θ alone,
# so one that lost its inputs with a worker is run again from the same θ
ATTEMPTS = 3


class WorkerLost(RuntimeError):
    """A worker was lost and dask could not recompute what the fit needed."""


def client():
    """The active ``dask.distributed`` client, or an error that says how to start one."""
    try:
        from distributed import get_client
    except ImportError as error:  # dask without distributed
        raise ImportError(
            "A fit on dask input trains on a dask.distributed cluster; install it with "
            'pip install "sklearn-sigmoidnet[dask]".'
        ) from error
    try:
        return get_client()
    except ValueError as error:
        raise ValueError(
            "A fit on dask arrays or DataFrames trains on the workers of a dask.distributed "
            "cluster, and no client is active: create one first, e.g. "
            "distributed.Client(LocalCluster(...)) or Client('scheduler-address'). "
            "For data in memory, pass numpy arrays or pandas DataFrames instead."
        ) from error


def worker_addresses(client, timeout=60):
    """The addresses of the cluster's workers, sorted, asked of the scheduler now (the
    client's ``scheduler_info`` is a copy it refreshes every few seconds, which a
    worker just restarted is missing from); waits for one when there is none."""
    addresses = sorted(client.nthreads())
    if not addresses:
        client.wait_for_workers(1, timeout=timeout)
        addresses = sorted(client.nthreads())
    return addresses


def gather(client, futures):
    """The results of futures, or of a list of actors' calls; a lost worker that
    dask gave up on is a clear error."""
    from distributed import KilledWorker
    from distributed.actor import BaseActorFuture
    from distributed.client import FutureCancelledError

    try:
        if isinstance(futures, list) and futures and isinstance(futures[0], BaseActorFuture):
            # awaited together on the client's event loop: one hand-off between threads
            # for all of them, where each ``result()`` is one (docs/cluster.rst)
            async def results():
                return await asyncio.gather(*futures)

            return client.sync(results)
        return client.gather(futures)
    except (KilledWorker, FutureCancelledError, OSError) as error:  # CommClosedError: OSError
        raise WorkerLost(
            f"A dask worker was lost during the fit and dask gave up retrying ({error!r}); "
            "the estimator is left as it was. Check the workers' memory limits and logs."
        ) from error


def retried(run, *args):
    """``run(*args)``, run again from the start when a lost worker took its inputs."""
    for attempt in range(ATTEMPTS):
        try:
            return run(*args)
        except WorkerLost:
            if attempt == ATTEMPTS - 1:
                raise


def everywhere(client, value):
    """``value`` sent once to every worker, for the tasks to share."""
    return client.scatter(value, broadcast=True, hash=False)


def mapped(client, function, futures, *args):
    """``function(future's value, *args)`` of each future, on its worker, gathered."""
    return gather(client, [client.submit(function, future, *args) for future in futures])
