"""How pipelines and maintenance work are named in the job store, the lease table and runs."""

from __future__ import annotations

import os
import socket
import uuid

PIPELINE_PREFIX = "pipeline:"
MAINTENANCE_PREFIX = "maintenance:"
DLQ_RETRY = "maintenance:dlq-retry"
PRUNE_RUNS = "maintenance:prune-runs"
REFRESH_TOKENS = "maintenance:refresh-tokens"


def job_id(pipeline: str) -> str:
    """The scheduled job (and pause flag) of a pipeline."""
    return PIPELINE_PREFIX + pipeline


def lease_name(pipeline: str) -> str:
    """The lease a run of ``pipeline`` holds; one holder at a time, across processes."""
    return PIPELINE_PREFIX + pipeline


def request_key(pipeline: str) -> str:
    """The key that folds repeated run requests of a pipeline into one."""
    return PIPELINE_PREFIX + pipeline


def holder_id(role: str) -> str:
    """A lease owner unique to this attempt, readable by people: ``worker@host:pid/1a2b3c4d``.

    Unique per attempt because an owner re-acquiring its own lease is let in:
    two runs in one process must not share an owner.
    """
    host = socket.gethostname().split(".")[0][:40]
    return f"{role}@{host}:{os.getpid()}/{uuid.uuid4().hex[:8]}"
