"""The faults of the fault suite: how each is armed on the target sandbox, and what it hit.

Most faults are the SDK's one-shot switches (``FaultPlan.inject``) queued as the
n-th request to the target arrives, for a spread of n across the first run, so
they land on logins, list pages and writes alike. The rest are armed on the
wire tap (``reliability_wire``) or through the sandbox's own control hooks
(``expire_credentials``).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from reliability_wire import WireTap

SLOW_TIMEOUT = 0.4
"""The target's HTTP timeout in the slow-response scenario (seconds, real)."""
SLOW_BY = 1.2
"""How long a slow response takes (past the timeout; the vendor still does the work)."""
LONG_STORM = 8
"""429s in a row beyond the SDK's six attempts: the run fails and the next one resumes."""


@dataclass
class Hits:
    """Requests a fault was applied to, as (method, path)."""

    requests: list[tuple[str, str]] = field(default_factory=list)
    at: list[int] = field(default_factory=list)
    """Positions in the tap's log where each hit request arrived."""

    def add(self, method: str, path: str, position: int = 0) -> None:
        self.requests.append((method, path))
        self.at.append(position)


@dataclass(frozen=True)
class Fault:
    """One fault of the matrix: its name, what it does, how to arm it."""

    name: str
    title: str
    effect: str
    """What the vendor does, in a sentence (for docs/reliability.md)."""
    arm: Callable[[WireTap, Any, dict[str, tuple[int, ...]]], Hits]
    http: dict[str, Any] | None = None
    waits_for_vendor_hint: bool = False


AT: dict[str, tuple[int, ...]] = {"list": (2, 5, 9), "write": (1, 3, 6), "auth": (1,), "read": (2,)}
"""Which requests of each kind a fault hits: the 2nd, 5th and 9th list page asked for, the
1st, 3rd and 6th write, the first login and the 2nd other read."""
AUTH_WORDS = ("token", "login", "validateuser", "oauth", "getgatewayaddress", "accesstoken")


def kind_of(scenario: Any, method: str, path: str) -> str:
    """What sort of request this is: a login, a list page, a write, or another read."""
    lowered = path.lower()
    if any(word in lowered for word in AUTH_WORDS):
        return "auth"
    if scenario.list_path in path and method == scenario.list_method:
        return "list"
    if method in ("POST", "PUT", "PATCH", "DELETE"):
        return "write"
    return "read"


def ordinals(rng: random.Random | None = None) -> dict[str, tuple[int, ...]]:
    """Request numbers to fault per kind: ``AT``, or drawn at random (the soak)."""
    if rng is None:
        return AT
    return {
        "list": tuple(sorted(rng.sample(range(1, 25), 5))),
        "write": tuple(sorted(rng.sample(range(1, 12), 4))),
        "auth": tuple(sorted(rng.sample(range(1, 4), 1))),
        "read": tuple(sorted(rng.sample(range(1, 8), 2))),
    }


def _by_kind(
    scenario: Any, at: dict[str, tuple[int, ...]], inject: Callable[[WireTap, int, str], None]
) -> Callable[[WireTap, Any, Any], Hits]:
    hits = Hits()
    seen: dict[str, int] = {}

    def fire(tap: WireTap, n: int, method: str, path: str) -> None:
        if tap.sandbox.faults.queue:
            return  # a storm is still being served (to a retry): it is not a new request
        kind = kind_of(scenario, method, path)
        seen[kind] = seen.get(kind, 0) + 1
        if seen[kind] in at.get(kind, ()):
            inject(tap, len(hits.requests), kind)
            hits.add(method, path)

    def arm(tap: WireTap, _scenario: Any, _at: Any) -> Hits:
        tap.on("", fire)
        return hits

    return arm


def _queue(kind: str, **options: Any) -> Callable[[WireTap, Any, dict[str, tuple[int, ...]]], Hits]:
    def arm(tap: WireTap, scenario: Any, at: dict[str, tuple[int, ...]]) -> Hits:
        long_storm = [bool(options.get("long"))]

        def inject(tap: WireTap, index: int, request_kind: str) -> None:
            times = options.get("times", 1)
            if long_storm[0] and request_kind == "list":  # the first list page hit
                times, long_storm[0] = LONG_STORM, False
            extra = {k: v for k, v in options.items() if k not in ("times", "long")}
            tap.sandbox.faults.inject(kind, times=times, **extra)  # type: ignore[arg-type]

        return _by_kind(scenario, at, inject)(tap, scenario, at)

    return arm


def _server_errors(tap: WireTap, scenario: Any, at: dict[str, tuple[int, ...]]) -> Hits:
    statuses = (503, 500, 502, 504, 503, 500, 502, 503)

    def inject(tap: WireTap, index: int, request_kind: str) -> None:
        tap.sandbox.faults.inject("status", times=2, status=statuses[index % len(statuses)])

    return _by_kind(scenario, at, inject)(tap, scenario, at)


def _expire(tap: WireTap, scenario: Any, at: dict[str, tuple[int, ...]]) -> Hits:
    """Credentials die as a list page is asked for (mid-read) and as a write arrives."""
    hits = Hits()
    pages = {2, 4}

    def on_page(tap: WireTap, n: int, method: str, path: str) -> None:
        if n in pages:
            tap.sandbox.expire_credentials()
            hits.add(method, path, len(tap.log))

    def on_write(tap: WireTap, n: int, method: str, path: str) -> None:
        if n == 1:
            tap.sandbox.expire_credentials()
            hits.add(method, path, len(tap.log))

    tap.on(scenario.list_path, on_page, scenario.list_method)
    tap.on(scenario.write_path, on_write, "POST")
    return hits


def _partial_batch(tap: WireTap, scenario: Any, at: dict[str, tuple[int, ...]]) -> Hits:
    hits = Hits()
    rule = tap.spoil_row(scenario.write_path, single=not scenario.batch_writes)

    def note(tap: WireTap, n: int, method: str, path: str) -> None:
        if rule.done is not None and not hits.requests:
            hits.add(method, path)

    tap.on(scenario.write_path, note)
    hits.rule = rule  # type: ignore[attr-defined]
    return hits


def _repeat(tap: WireTap, scenario: Any, at: dict[str, tuple[int, ...]]) -> Hits:
    hits = Hits()
    rule = tap.repeat_across_pages(scenario.list_path, scenario.list_method)
    tap.page_key = scenario.page_key
    tap.page_size = scenario.page_size
    hits.rule = rule  # type: ignore[attr-defined]
    return hits


FAULTS: dict[str, Fault] = {
    f.name: f
    for f in (
        Fault(
            "rate-limit-retry-after",
            "429 storm with Retry-After",
            "three rate-limit answers in a row, each saying to wait 7 s (header or body, as the "
            "vendor does), on the 2nd, 5th and 9th list page, the 1st, 3rd and 6th write, the "
            "first login and another read",
            _queue("rate_limit", times=3, retry_after=7.0),
            waits_for_vendor_hint=True,
        ),
        Fault(
            "rate-limit-no-wait",
            "429 storm without Retry-After",
            "rate-limit answers naming no wait at the same points: eight in a row at the first "
            "list page hit (past the SDK's six attempts), three in a row at the others",
            _queue("rate_limit", times=3, retry_after=None, long=True),
        ),
        Fault(
            "server-errors",
            "5xx bursts",
            "two 500/502/503/504 answers in a row at the same points",
            _server_errors,
        ),
        Fault(
            "reset-mid-body",
            "connection reset mid-body",
            "the vendor does the work, sends half the answer and drops the connection, at the "
            "same points (on a write the hub cannot know whether it happened)",
            _queue("reset"),
        ),
        Fault(
            "slow-past-timeout",
            "slow response past the timeout",
            f"the answer takes {SLOW_BY} s against a {SLOW_TIMEOUT} s client timeout, at the same "
            "points; the vendor still does the work after the client gave up",
            _queue("timeout", seconds=SLOW_BY),
            http={"timeout": SLOW_TIMEOUT},
        ),
        Fault(
            "truncated-body",
            "truncated body",
            "the vendor does the work and the answer is cut in half (Content-Length agrees), at "
            "the same points",
            _queue("truncate"),
        ),
        Fault(
            "non-json-body",
            "non-JSON body",
            "a 200 whose body is a proxy's HTML page or the vendor's own error text, at the same "
            "points",
            _queue("non_json"),
        ),
        Fault(
            "expired-credentials",
            "session or token expired mid-page",
            "every session or token the vendor issued dies as the 2nd and 4th list pages are "
            "asked for and as the first write arrives",
            _expire,
        ),
        Fault(
            "partial-batch",
            "batch where some rows fail",
            "one row of a multi-row write reaches the vendor empty and is refused alone; "
            "the others are written",
            _partial_batch,
        ),
        Fault(
            "repeated-across-pages",
            "record returned twice across pages",
            "the last record of a list page comes back first on the next page (an offset "
            "window shifted by an insert)",
            _repeat,
        ),
    )
}
