"""HTTP to ZenTao REST v1: one parse function for every answer, and a pager that trusts ``total``.

ZenTao's pager serves page 1 again (some releases: the last page) when asked
for a page past the end, so "read until empty" loops forever or duplicates.
``pages`` stops at ``ceil(total / limit)`` computed from the first answer, and
also as soon as the echoed page is not the one requested.
"""

from __future__ import annotations

import json
import math
from collections.abc import AsyncIterator, Callable, Mapping
from decimal import Decimal
from typing import Any

import httpx

from connectors.sdk import (
    ConnectorError,
    HttpClient,
    MalformedResponse,
    RateLimited,
    RecordError,
    retry_after_seconds,
)
from connectors.zentao.errors import error_class, error_field, error_text
from connectors.zentao.records import to_int


def decode(response: httpx.Response, connector: str) -> Any:
    """JSON with decimals kept exact (budgets, hours); ``MalformedResponse`` otherwise."""
    try:
        return json.loads(response.content, parse_float=Decimal)
    except (json.JSONDecodeError, UnicodeDecodeError):
        text = " ".join(response.text.split())[:120] if response.content else "<empty body>"
        raise MalformedResponse(
            f"ZenTao answered with a body that is not JSON: {text}",
            connector=connector,
            endpoint=str(response.request.url),
            status=response.status_code,
        ) from None


def make_parse(connector: str) -> Callable[[httpx.Response], Any]:
    """The parse function: the status table of ``errors``, then the JSON body."""

    def parse(response: httpx.Response) -> Any:
        status = response.status_code
        endpoint = str(response.request.url)
        if status >= 400:
            cls = error_class(status)
            body: Any = None
            try:
                body = json.loads(response.content)
            except (json.JSONDecodeError, UnicodeDecodeError):
                body = None
            raw = body.get("error") if isinstance(body, dict) else None
            text = error_text(raw) or " ".join(response.text.split())[:200] or f"HTTP {status}"
            common: dict[str, Any] = {
                "connector": connector,
                "endpoint": endpoint,
                "status": status,
            }
            if cls is RateLimited:
                raise RateLimited(
                    f"rate limited: {text}", retry_after=retry_after_seconds(response), **common
                )
            if cls is RecordError:
                raise RecordError(text, field=error_field(raw), **common)
            raise cls(text, **common)
        if status == 204 or not response.content:
            return None
        return decode(response, connector)

    return parse


class ZentaoClient:
    """The connector's view of one ZenTao server: JSON calls and paged lists."""

    def __init__(self, http: HttpClient, api_url: str) -> None:
        self.http = http
        self.api_url = api_url
        self.parse = make_parse(http.connector)

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
    ) -> Any:
        """One API call; ``path`` is relative to ``/api.php/v1``."""
        kwargs: dict[str, Any] = {}
        if params:
            kwargs["params"] = dict(params)
        if body is not None:
            kwargs["content"] = json.dumps(body, ensure_ascii=False, default=str).encode()
            kwargs["headers"] = {"Content-Type": "application/json"}
        return await self.http.request(method, f"{self.api_url}{path}", parse=self.parse, **kwargs)

    async def pages(
        self,
        path: str,
        key: str,
        *,
        limit: int,
        params: Mapping[str, Any] | None = None,
    ) -> AsyncIterator[ListPage]:
        """The pages of a list endpoint, stopping by ``total`` (see the module docstring)."""
        page, last = 1, None
        while True:
            body = await self.call(
                "GET", path, params={**(params or {}), "page": page, "limit": limit}
            )
            listing = ListPage.from_body(body, key, endpoint=f"{self.api_url}{path}")
            if listing.page != page:
                return  # the server answered another page than asked: past the end
            if last is None:
                last = listing.last_page
            yield listing
            if page >= last or not listing.items:
                return
            page += 1


class ListPage:
    """One answer of a list endpoint: ``{page, total, limit, <key>: [...]}`` with types cast."""

    __slots__ = ("items", "limit", "page", "total")

    def __init__(self, items: list[dict[str, Any]], page: int, total: int, limit: int) -> None:
        self.items = items
        self.page = page
        self.total = total
        self.limit = limit

    @property
    def last_page(self) -> int:
        """``ceil(total / limit)``: the last page that holds records (at least 1)."""
        return max(1, math.ceil(self.total / self.limit)) if self.limit > 0 else 1

    @classmethod
    def from_body(cls, body: Any, key: str, *, endpoint: str) -> ListPage:
        """Parse the envelope; a missing list or count is a ``MalformedResponse``."""
        if not isinstance(body, dict) or not isinstance(body.get(key, []), list):
            raise MalformedResponse(
                f"expected a list envelope with {key!r}, got {type(body).__name__}",
                endpoint=endpoint,
            )
        items = [item for item in body.get(key, []) if isinstance(item, dict)]
        total = to_int(body.get("total", len(items)))
        page = to_int(body.get("page", 1))
        limit = to_int(body.get("limit", len(items) or 1))
        if not all(isinstance(v, int) for v in (total, page, limit)):
            raise MalformedResponse(
                f"list envelope has non-numeric page/total/limit: "
                f"{body.get('page')!r}/{body.get('total')!r}/{body.get('limit')!r}",
                endpoint=endpoint,
            )
        return cls(items, page, total, limit)


def is_record_error(exc: ConnectorError) -> bool:
    """Whether ``exc`` concerns one record only (the rest of a batch may go on)."""
    return isinstance(exc, RecordError)
