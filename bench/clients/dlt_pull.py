"""The peer: dlt's REST API source with page-number pagination, loading into SQLite.

Configured, not adapted: Zoho's mandatory ``fields`` and sort parameters go in
the endpoint's params, the ``data`` envelope is the data selector, the end of
the list is ``info.more_records`` (``has_more_path``), and the OAuth access
token is sent as ``Authorization: Zoho-oauthtoken <token>`` through dlt's
api-key auth placed in a header. The destination is dlt's ``sqlalchemy``
destination on a SQLite file, dlt's defaults otherwise.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import httpx

from bench.clients.zoho_fields import ACCOUNT_FIELDS


def _access_token(config: dict[str, Any]) -> str:
    form = {
        "grant_type": "refresh_token",
        "client_id": config["client_id"],
        "client_secret": config["client_secret"],
        "refresh_token": config["refresh_token"],
    }
    answer = httpx.post(f"{config['accounts_url']}/oauth/v2/token", data=form, timeout=30)
    return str(answer.json()["access_token"])


def _prepare(db: str, config: dict[str, Any], **_: Any) -> Path:
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
    target = Path(db)
    for leftover in target.parent.glob(target.name + "*"):
        leftover.unlink()
    work = target.parent / f"{target.stem}-dlt"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    import dlt  # noqa: F401  (import cost is not part of the measured pull)
    from dlt.sources.rest_api import rest_api_source  # noqa: F401

    return work


def pull(db: str, config: dict[str, Any], state: Path, per_page: int = 200) -> dict[str, Any]:
    """Load every account into ``db`` with a dlt pipeline."""
    import dlt
    from dlt.sources.rest_api import rest_api_source

    token = _access_token(config)
    source = rest_api_source(
        {
            "client": {
                "base_url": f"{config['accounts_url']}/crm/v8/",
                "auth": {
                    "type": "api_key",
                    "name": "Authorization",
                    "api_key": f"Zoho-oauthtoken {token}",
                    "location": "header",
                },
            },
            "resources": [
                {
                    "name": "accounts",
                    "primary_key": "id",
                    "write_disposition": "append",
                    "endpoint": {
                        "path": "Accounts",
                        "params": {
                            "fields": ",".join(ACCOUNT_FIELDS),
                            "per_page": per_page,
                            "sort_by": "id",
                            "sort_order": "asc",
                        },
                        "data_selector": "data",
                        "paginator": {
                            "type": "page_number",
                            "base_page": 1,
                            "page_param": "page",
                            "total_path": None,
                            "has_more_path": "info.more_records",
                        },
                    },
                }
            ],
        }
    )
    pipeline = dlt.pipeline(
        pipeline_name="zoho_bench",
        pipelines_dir=str(state),
        destination=dlt.destinations.sqlalchemy(credentials=f"sqlite:///{db}"),
        dataset_name="zoho",
    )
    info = pipeline.run(source)
    info.raise_on_failed_jobs()
    counts = pipeline.last_trace.last_normalize_info.row_counts
    return {"records": int(counts.get("accounts", 0)), "loads": len(info.loads_ids)}


pull.prepare = _prepare  # type: ignore[attr-defined]
