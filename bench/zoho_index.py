"""A sorted index behind the Zoho sandbox's list endpoint, for benchmark-sized orgs.

The sandbox answers ``GET /{module}`` by copying, filtering and sorting every
record of the module on each call. Measured with 100,000 Accounts that is 27 ms
(sorted by id) to 45 ms (by Modified_Time) per 200-record page, so the
simulator, not any client, would cap a pull at 4,000-7,000 records/s, and at
10^6 records a full pull would take over half an hour per run. A real CRM
answers from an index; this module gives the sandbox one, in the benchmark's
sandbox process only: the same query checks (``list_query``), the same window
and page-token rules (``window``), the same rendering and envelope, with the
sorted order kept between calls and rebuilt when ``generation`` moves.

``generation`` is bumped by every write path the benchmarks use (seeding and
editing in ``bench.sandbox_ops``, and the API's writes and deletes, wrapped
here). ``bench.scenarios`` compares this implementation's answers with the
sandbox's own (``enabled = False``) on live data before measuring, so drift in
the sandbox shows up as a failed run, not as wrong figures.
"""

from __future__ import annotations

import bisect
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from connectors.zoho_crm.sandbox import api as zoho_api


@dataclass
class _Sorted:
    generation: int
    records: list[dict[str, Any]]
    times: list[datetime] = field(default_factory=list)


class ListIndex:
    """Installed on one sandbox's ``ZohoApi`` instance (see module docstring)."""

    def __init__(self, sandbox: Any) -> None:
        self.sb = sandbox
        self.api = sandbox._api
        self.original = self.api.list_records
        self.generation = 0
        self.enabled = True
        self._cache: dict[tuple[str, str], _Sorted] = {}

    def install(self) -> ListIndex:
        api = self.api
        api.list_records = self.list_records
        for name in ("write", "delete_records"):
            api.__dict__[name] = self._bumping(getattr(api, name))
        self.sb.bench_index = self
        return self

    def _bumping(self, method: Any) -> Any:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            try:
                return method(*args, **kwargs)
            finally:
                self.generation += 1

        return wrapped

    def _sorted(self, module: str, by: str) -> _Sorted:
        cached = self._cache.get((module, by))
        if cached is not None and cached.generation == self.generation:
            return cached
        rows = list(self.sb.org.records[module].values())
        if by == "id":
            rows.sort(key=lambda r: int(r["id"]))
        else:
            rows.sort(key=lambda r: (r[by], int(r["id"])))
        built = _Sorted(self.generation, rows, [r[by] for r in rows] if by != "id" else [])
        self._cache[(module, by)] = built
        return built

    def list_records(self, request: Request, module: Any) -> Response:
        api, sb = self.api, self.sb
        query = api.list_query(request, module)
        if (
            not self.enabled
            or query.ids
            or (query.ims is not None and query.sort_by != "Modified_Time")
        ):
            return self.original(request, module)  # shapes the benchmarks never send
        with sb.lock:
            start, end = api.window(query)
            index = self._sorted(module.api_name, query.sort_by)
            low = 0 if query.ims is None else bisect.bisect_left(index.times, query.ims)
            total = len(index.records) - low
            if total <= 0:
                return zoho_api.reply(304 if query.ims is not None else 204)
            if query.sort_order == "asc":
                chosen = index.records[low + start : low + min(end, total)]
            else:
                top = len(index.records)
                chosen = [index.records[top - 1 - i] for i in range(start, min(end, total))]
            more = end < total
            next_token = expiry = None
            if more:
                next_token = secrets.token_hex(24)
                expires = sb.clock.now() + zoho_api.TOKEN_TTL
                api.page_tokens[next_token] = zoho_api.PageToken(query.binding, end, expires)
                expiry = sb.org.fmt(expires)
            shown = query.fields or [f.api_name for f in module.fields]
            data = [sb.org.render(module, r, shown) for r in chosen]
        if not data:
            return zoho_api.reply(204)
        info = {
            "call": False,
            "per_page": query.per_page,
            "next_page_token": next_token,
            "count": len(data),
            "sort_by": query.sort_by,
            "page": 1 if query.token else query.page,
            "previous_page_token": None,
            "page_token_expiry": expiry,
            "sort_order": query.sort_order,
            "email": False,
            "more_records": more,
        }
        return zoho_api.reply(200, {"data": data, "info": info})
