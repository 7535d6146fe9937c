"""HTTP to one Jira site: authentication, the status table, and the error envelope.

What a response *means* is data (``STATUS_ACTIONS``), after airbyte's error
tables: the same status is a per-record refusal inside a write and a failure of
the whole call inside a read, so the table names an action and the caller says
which context it is in. Jira's envelope (``errorMessages`` + ``errors``, or the
older ``message`` / ``errorMessage``, or a proxy's plain text) is kept verbatim
in the error message.
"""

from __future__ import annotations

import json
from collections.abc import Generator
from typing import Any, Literal

import httpx

from connectors.jira.config import JiraConfig
from connectors.sdk import (
    AuthError,
    HttpClient,
    MalformedResponse,
    RateLimited,
    RecordError,
    TransientError,
    VendorError,
    decode_json,
    retry_after_seconds,
)

Action = Literal["retry", "rate_limited", "auth", "record", "fatal"]

STATUS_ACTIONS: dict[int, Action] = {
    400: "record",  # validation, bad JQL: the request (or the one record) is wrong
    401: "auth",
    403: "auth",  # no permission, or DC's CAPTCHA after failed logins
    404: "record",  # missing or not visible (Jira does not say which)
    408: "retry",
    409: "retry",  # concurrent edit of the same issue
    410: "fatal",  # removed endpoint (Cloud's old /search)
    413: "record",  # per-issue limits
    422: "fatal",  # site configuration problem
    425: "retry",
    429: "rate_limited",
    500: "retry",
    502: "retry",
    503: "rate_limited",  # Cloud's overload answers carry Retry-After
    504: "retry",
}


class BearerAuth(httpx.Auth):
    """``Authorization: Bearer <PAT>`` (Data Center personal access tokens)."""

    def __init__(self, token: str) -> None:
        self._header = f"Bearer {token}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Add the header; a PAT cannot be refreshed, so a 401 is final."""
        request.headers["Authorization"] = self._header
        yield request


def site_auth(config: JiraConfig) -> httpx.Auth:
    """Basic email:token on Cloud, Bearer PAT on Data Center."""
    if config.flavour == "cloud":
        assert config.email is not None
        assert config.api_token is not None
        return httpx.BasicAuth(config.email, config.api_token.get_secret_value())
    assert config.pat is not None
    return BearerAuth(config.pat.get_secret_value())


def vendor_message(response: httpx.Response) -> tuple[str, str | None]:
    """Jira's own words for a failure, and the first field it names (if any)."""
    try:
        body = json.loads(response.content)
    except (json.JSONDecodeError, UnicodeDecodeError):
        text = " ".join(response.text.split())[:300] if response.content else ""
        return text or f"HTTP {response.status_code} with an empty body", None
    if not isinstance(body, dict):
        return str(body)[:300], None
    parts = [str(m) for m in body.get("errorMessages") or []]
    errors = body.get("errors") or {}
    field = None
    if isinstance(errors, dict):
        parts += [f"{k}: {v}" for k, v in errors.items()]
        field = next(iter(errors), None)
    elif isinstance(errors, list):
        parts += [str(e) for e in errors]
    for key in ("message", "errorMessage"):
        if body.get(key):
            parts.append(str(body[key]))
    return ("; ".join(parts) or json.dumps(body)[:300]), field


def check_response(response: httpx.Response, *, per_record: bool = False) -> Any:
    """The JSON of a 2xx answer (``None`` for 204), or the SDK error its status calls for."""
    status = response.status_code
    if 200 <= status < 300:
        if status == 204 or not response.content:
            return None
        return decode_json(response)
    action = STATUS_ACTIONS.get(status, "retry" if status >= 500 else "fatal")
    message, field = vendor_message(response)
    reason = response.headers.get("X-Seraph-LoginReason")
    if reason:
        message = f"{message} (X-Seraph-LoginReason: {reason})"
    context: dict[str, Any] = {"endpoint": str(response.request.url), "status": status}
    wait = retry_after_seconds(response)
    if action == "rate_limited" and (status == 429 or wait is not None):
        raise RateLimited(f"Jira asked to slow down: {message}", retry_after=wait, **context)
    if action in ("retry", "rate_limited"):
        raise TransientError(f"Jira is unavailable: {message}", **context)
    if action == "auth":
        hint = (
            " -- log in through the browser once to clear the CAPTCHA"
            if reason == "AUTHENTICATION_DENIED"
            else ""
        )
        raise AuthError(f"Jira refused the credentials: {message}{hint}", **context)
    if action == "record" and per_record:
        raise RecordError(message, field=field, **context)
    raise VendorError(f"Jira refused the request: {message}", **context)


def per_record(response: httpx.Response) -> Any:
    """``check_response`` inside a write: 400/404/413 refuse one record, not the batch."""
    return check_response(response, per_record=True)


def bulk_response(response: httpx.Response) -> Any:
    """Bulk create answers 400 with the per-element errors when every element failed."""
    if response.status_code == 400:
        try:
            body = json.loads(response.content)
        except (json.JSONDecodeError, UnicodeDecodeError):
            body = None
        if isinstance(body, dict) and isinstance(body.get("errors"), list):
            return body
    return check_response(response)


class JiraClient:
    """The site's REST API at one version, over the SDK's ``HttpClient``."""

    def __init__(self, http: HttpClient, config: JiraConfig) -> None:
        self.http = http
        self.api = f"/rest/api/{config.api_version}"

    async def get(self, path: str, **params: Any) -> Any:
        """GET ``/rest/api/N/<path>``."""
        return await self.http.request(
            "GET", f"{self.api}/{path}", params=params or None, parse=check_response
        )

    async def post(self, path: str, body: Any, *, record: bool = False) -> Any:
        """POST JSON; ``record=True`` turns 400/404 into ``RecordError``."""
        parse = per_record if record else check_response
        return await self.http.request("POST", f"{self.api}/{path}", json=body, parse=parse)

    async def put(self, path: str, body: Any) -> Any:
        """PUT JSON (issue edits: 204, refusals are per record)."""
        return await self.http.request("PUT", f"{self.api}/{path}", json=body, parse=per_record)

    async def get_record(self, path: str, **params: Any) -> Any:
        """GET inside a write: a missing issue refuses that record only."""
        return await self.http.request(
            "GET", f"{self.api}/{path}", params=params or None, parse=per_record
        )

    async def bulk_create(self, updates: list[dict[str, Any]]) -> dict[str, Any]:
        """POST ``issue/bulk`` once and return its body whether some or all elements failed.

        Sent once: Jira does not dedupe creates, so after a timeout or reset the writer
        looks the issues up by their key labels instead of re-sending them.
        """
        body = await self.http.request(
            "POST",
            f"{self.api}/issue/bulk",
            json={"issueUpdates": updates},
            parse=bulk_response,
            retry=False,
        )
        if not isinstance(body, dict):
            raise MalformedResponse("bulk create answered without a JSON object", status=None)
        return body
