"""Scale-out: a Celery app with one task that runs a textual target, and its dispatcher.

Workers need nothing registered per job: the task receives a reference and JSON
arguments and resolves the reference itself. Tasks are acknowledged when they
start, not when they end: a worker killed mid-run loses that run instead of
having it redelivered an hour later (Redis' visibility timeout); the schedule
runs the pipeline again, its lease having expired, and it resumes from its
cursors. Prefetching is one task per worker slot, so a dying worker strands at
most that many unstarted messages, which the broker redelivers after the
visibility timeout.

Broker keys carry a prefix and the queue a name of its own, so several hubs (or
test runs) can share one Redis server without seeing each other's tasks.

This module needs the ``distributed`` extra (``pip install synchub[distributed]``).
"""

from __future__ import annotations

from typing import Any

from celery import Celery

from jobs.references import call, check_arguments

TASK = "synchub.jobs.run"


def make_celery(
    broker_url: str,
    *,
    queue: str = "synchub",
    key_prefix: str = "synchub:",
    visibility_timeout: int = 3600,
) -> Celery:
    """A Celery app on ``broker_url`` whose only task runs a target by reference."""
    app = Celery("synchub", broker=broker_url, set_as_current=False)
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
        task_ignore_result=True,
        task_default_queue=queue,
        task_acks_late=False,
        worker_prefetch_multiplier=1,
        broker_transport_options={
            "global_keyprefix": key_prefix,
            "visibility_timeout": visibility_timeout,
        },
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        enable_utc=True,
        timezone="UTC",
    )
    app.task(name=TASK)(run_target)
    return app


def run_target(target: str, kwargs: dict[str, Any]) -> None:
    """The task body: resolve ``target`` and call it with ``kwargs``."""
    call(target, kwargs)


class CeleryDispatcher:
    """Sends due targets to the broker for any worker to run."""

    def __init__(self, app: Celery) -> None:
        self.app = app
        self.queue: str = app.conf.task_default_queue

    def dispatch(self, target: str, kwargs: dict[str, Any]) -> str:
        """Enqueue ``target(**kwargs)``; returns a note naming the task."""
        result = self.app.send_task(TASK, args=[target, check_arguments(kwargs)], queue=self.queue)
        return f"queued {target} as task {result.id}"


def run_worker(
    app: Celery,
    *,
    concurrency: int = 4,
    pool: str = "threads",
    hostname: str | None = None,
    loglevel: str = "INFO",
) -> None:
    """Run a worker of ``app`` in this process until it is told to stop (blocking).

    The default pool is threads: runs wait on vendors and the database, and a
    worker process killed outright takes its runs with it (no orphaned children
    holding leases).
    """
    argv = [
        "worker",
        f"--pool={pool}",
        f"--concurrency={concurrency}",
        f"--loglevel={loglevel}",
        "--queues",
        str(app.conf.task_default_queue),
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    if hostname:
        argv += ["--hostname", hostname]
    app.worker_main(argv)
