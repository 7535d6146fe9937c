"""Remote deletions: soft delete (and a void-like status others will receive) or unlink.

A deletion is believed only from the vendor's deleted-records endpoint or from a
complete full read; a partial, filtered or failed read proves nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection

from hub.settings import DeletePolicy
from hub.sync import repo
from hub.sync.context import Binding, RunContext

VOID_STATUS: dict[str, str] = {"customer": "inactive", "contract": "terminated", "invoice": "void"}


def apply_deletions(
    conn: Connection, ctx: RunContext, binding: Binding, remote_ids: Sequence[str]
) -> int:
    """Apply the pipeline's delete policy to linked records deleted remotely; returns how many."""
    links = repo.links_by_remote(conn, binding.instance, binding.entity, list(remote_ids))
    if not links:
        return 0
    rows = repo.rows_by_id(conn, binding.entity, [link["hub_id"] for link in links.values()])
    now = ctx.now()
    changes: list[dict[str, Any]] = []
    for link in links.values():
        repo.delete_link(conn, link["id"])
        row = rows.get(link["hub_id"])
        if (
            ctx.pipeline.delete_policy is DeletePolicy.IGNORE
            or row is None
            or row["deleted_at"] is not None
        ):
            continue
        update: dict[str, Any] = {
            "deleted_at": now,
            "version": row["version"] + 1,
            "updated_at": now,
        }
        fields = ["deleted_at"]
        status = VOID_STATUS.get(binding.entity)
        if status is not None and row.get("status") != status:
            update["status"] = status
            fields.append("status")
        provenance = dict(row["provenance"] or {})
        provenance.update({f: [binding.instance, ctx.run_id] for f in fields})
        update["provenance"] = provenance
        repo.update_row(conn, binding.entity, row["id"], update)
        changes.append(
            {
                "entity": binding.entity,
                "hub_id": row["id"],
                "version": row["version"] + 1,
                "fields": fields,
                "source": binding.instance,
                "run_id": ctx.run_id,
                "at": now,
            }
        )
    repo.insert_changes(conn, changes)
    ctx.counts_for(binding).deleted += len(links)
    return len(links)
