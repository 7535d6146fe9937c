"""What every connector must do against its own sandbox, over real sockets.

The suite drives only the public connector API (``check``, ``read``,
``read_deleted``, ``write``, ``lookup``) and the public ``Sandbox`` control hooks,
so it runs unchanged against any connector registered under the
``synchub.connectors`` entry-point group whose class names a sandbox. Tests are
plain functions that run their coroutine with ``asyncio.run``: no event-loop
plugin is needed, and nothing waits on a wall clock (retries sleep through a
recorder, the sandbox clock is frozen where time matters).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, TypeVar

import pytest
from pydantic import BaseModel, SecretStr

from connectors.sdk import (
    Capability,
    ConfigError,
    Connector,
    MalformedResponse,
    Page,
    RateLimited,
    Record,
    Stream,
    TransientError,
    WriteRequest,
    registry,
)
from connectors.sdk.sandbox import Sandbox, SandboxServer

T = TypeVar("T")


class SleepRecorder:
    """A fake ``sleep`` for connectors: records each wait and returns at once."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        """Record the wait instead of waiting."""
        self.waits.append(seconds)
        await asyncio.sleep(0)


def _secrets(value: Any) -> set[str]:
    """Every SecretStr value inside a config model."""
    found: set[str] = set()
    if isinstance(value, SecretStr):
        raw = value.get_secret_value()
        if len(raw) >= 4:
            found.add(raw)
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            found |= _secrets(getattr(value, name))
    elif isinstance(value, dict):
        for item in value.values():
            found |= _secrets(item)
    elif isinstance(value, list | tuple | set):
        for item in value:
            found |= _secrets(item)
    return found


class ConnectorAcceptance:
    """Subclass with ``connector``, ``read_stream`` and ``write_stream`` set; see the module doc.

    Optional knobs: ``sandbox_options`` (keyword arguments for the sandbox),
    ``config_overrides`` (merged into the sandbox's connector config),
    ``page_size`` (the connector's page size on ``read_stream`` when its config
    changes it; defaults to the stream's), ``deep_paging`` (``False`` for a vendor
    without a deep-paging limit), ``seed_count`` (records seeded for the read tests).
    """

    connector: ClassVar[str]
    read_stream: ClassVar[str]
    write_stream: ClassVar[str]
    sandbox_options: ClassVar[dict[str, Any]] = {}
    config_overrides: ClassVar[dict[str, Any]] = {}
    page_size: ClassVar[int | None] = None
    deep_paging: ClassVar[bool] = True
    seed_count: ClassVar[int] = 6
    storm: ClassVar[int] = 3
    """429 answers in a row the connector must ride out (below its ``max_attempts``)."""

    # -- fixtures ------------------------------------------------------------------------
    @pytest.fixture(scope="class")
    @classmethod
    def acceptance_server(cls) -> Iterator[SandboxServer]:
        """The connector's sandbox on 127.0.0.1, shared by the class, reset per test."""
        sandbox_cls = registry.resolve(cls._connector_class().sandbox or "")
        sandbox: Sandbox = sandbox_cls(**cls.sandbox_options)
        with SandboxServer(sandbox) as server:
            yield server

    @pytest.fixture
    def sandbox(self, acceptance_server: SandboxServer) -> Iterator[Sandbox]:
        """The sandbox, with faults cleared and real time restored after each test."""
        sandbox = acceptance_server.sandbox
        sandbox.faults.clear()
        yield sandbox
        sandbox.faults.clear()
        sandbox.clock.unfreeze()

    # -- helpers ----------------------------------------------------------------------------
    @classmethod
    def _connector_class(cls) -> type[Connector[Any]]:
        connector = registry.load(cls.connector)
        if not connector.sandbox:
            raise AssertionError(f"connector {cls.connector!r} names no sandbox")
        return connector

    def _config(
        self, server: SandboxServer, config: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        merged = dict(config if config is not None else server.connector_config())
        merged.update(self.config_overrides)
        return merged

    def make(
        self,
        server: SandboxServer,
        *,
        sleep: SleepRecorder | None = None,
        config: dict[str, Any] | None = None,
    ) -> Connector[Any]:
        """A fresh connector aimed at ``server``, sleeping through ``sleep``."""
        cls = self._connector_class()
        return cls(self._config(server, config), sleep=sleep or SleepRecorder())

    @staticmethod
    def run(factory: Callable[[], Awaitable[T]]) -> T:
        """Run a coroutine to completion on a fresh event loop."""

        async def main() -> T:
            return await factory()

        return asyncio.run(main())

    def stream_of(self, name: str) -> Stream:
        """The declared stream ``name``."""
        for stream in self._connector_class().streams:
            if stream.name == name:
                return stream
        raise AssertionError(f"connector {self.connector!r} declares no stream {name!r}")

    def effective_page_size(self) -> int:
        """Records per page on ``read_stream``."""
        return self.page_size or self.stream_of(self.read_stream).page_size

    @staticmethod
    async def read_all(
        connector: Connector[Any],
        stream: str,
        since: Any = None,
        *,
        between_pages: Callable[[int], None] | None = None,
    ) -> list[Page]:
        """Every page of one read; ``between_pages(n)`` runs after page ``n`` arrives."""
        pages: list[Page] = []
        async for page in connector.read(stream, since):
            pages.append(page)
            if between_pages is not None:
                between_pages(len(pages))
        return pages

    def ids(self, pages: list[Page], stream: str) -> list[str]:
        """Record ids of ``pages`` in order, duplicates kept (so tests can see them)."""
        declared = self.stream_of(stream)
        return [Connector.record_id(r, declared) for p in pages for r in p.records]

    # -- declaration ------------------------------------------------------------------------
    def test_declares_the_streams_the_suite_drives(self) -> None:
        """The registry finds the class under its name; the chosen streams can do their part."""
        cls = self._connector_class()
        assert cls.name == self.connector
        names = [s.name for s in cls.streams]
        assert len(names) == len(set(names)), f"duplicate stream names: {names}"
        read = self.stream_of(self.read_stream)
        assert read.can(Capability.READ_FULL)
        assert read.can(Capability.READ_INCREMENTAL)
        assert read.cursor_field, "an incremental stream names its cursor field"
        write = self.stream_of(self.write_stream)
        assert write.can(Capability.WRITE)
        assert write.external_key_field, "a writable stream names where the hub id is kept"

    # -- check ----------------------------------------------------------------------------------
    def test_check_with_good_credentials(
        self, sandbox: Sandbox, acceptance_server: SandboxServer
    ) -> None:
        """``check()`` proves the sandbox credentials and says so without a secret."""
        connector = self.make(acceptance_server)

        async def go() -> Any:
            async with connector:
                return await connector.check()

        result = self.run(go)
        assert result.ok, result.message
        assert result.message.strip()
        self._assert_no_secret(f"{result.message} {dict(result.details)}", connector)

    def test_check_with_bad_credentials(
        self, sandbox: Sandbox, acceptance_server: SandboxServer
    ) -> None:
        """Bad credentials: ``ok`` is false, the message says so, no secret leaks (good or bad)."""
        good = self.make(acceptance_server)
        config = self._config(
            acceptance_server, sandbox.bad_credentials_config(acceptance_server.url)
        )
        bad = self._connector_class()(config, sleep=SleepRecorder())

        async def go() -> Any:
            async with bad:
                return await bad.check()

        result = self.run(go)
        assert not result.ok, f"check() accepted bad credentials: {result.message}"
        assert result.message.strip()
        text = f"{result.message} {dict(result.details)}"
        self._assert_no_secret(text, bad)
        self._assert_no_secret(text, good)

    @staticmethod
    def _assert_no_secret(text: str, connector: Connector[Any]) -> None:
        for secret in _secrets(connector.config):
            assert secret not in text, "a configured secret appears in the message"

    # -- reading ---------------------------------------------------------------------------------
    def test_full_read_returns_exactly_the_seeded_records(
        self, sandbox: Sandbox, acceptance_server: SandboxServer
    ) -> None:
        """Every seeded record once, nothing else; only the last page claims completeness."""
        seeded = set(sandbox.reset(self.read_stream, self.seed_count))
        assert len(seeded) == self.seed_count
        connector = self.make(acceptance_server)

        async def go() -> list[Page]:
            async with connector:
                return await self.read_all(connector, self.read_stream)

        pages = self.run(go)
        ids = self.ids(pages, self.read_stream)
        assert sorted(ids) == sorted(seeded), _difference(ids, seeded)
        assert sandbox.remote_ids(self.read_stream) == seeded
        assert pages[-1].complete
        assert not any(p.complete for p in pages[:-1])

    def test_incremental_read_returns_only_changes_including_the_boundary_second(
        self, sandbox: Sandbox, acceptance_server: SandboxServer
    ) -> None:
        """Changes since a cursor, including one made in the cursor's own second, and no repeats."""
        base = (datetime.now(UTC) - timedelta(hours=2)).replace(microsecond=0)
        sandbox.clock.freeze(base)
        ids = sandbox.reset(self.read_stream, self.seed_count)
        sandbox.clock.advance(60)
        sandbox.touch(self.read_stream, ids[:2])  # the newest second: the cursor's boundary
        connector = self.make(acceptance_server)
        state: dict[str, Any] = {}

        async def first() -> None:
            async with connector:
                pages = await self.read_all(connector, self.read_stream)
                state["cursor"] = pages[-1].cursor
                state["ids"] = self.ids(pages, self.read_stream)

        self.run(first)
        assert sorted(state["ids"]) == sorted(ids)
        sandbox.touch(self.read_stream, [ids[2]])  # same second as the boundary, after the read
        sandbox.clock.advance(1)
        sandbox.touch(self.read_stream, [ids[3]])
        connector = self.make(acceptance_server)

        async def second() -> None:
            async with connector:
                pages = await self.read_all(connector, self.read_stream, state["cursor"])
                state["changed"] = self.ids(pages, self.read_stream)
                state["cursor2"] = pages[-1].cursor if pages else state["cursor"]
                again = await self.read_all(connector, self.read_stream, state["cursor2"])
                state["again"] = self.ids(again, self.read_stream)

        self.run(second)
        assert sorted(state["changed"]) == sorted([ids[2], ids[3]]), (
            "expected exactly the two records changed since the cursor "
            "(one in the cursor's own second), each once"
        )
        assert state["again"] == [], "a read from the newest cursor repeated records"

    @pytest.mark.parametrize("shape", ["exact_multiple", "one_more"])
    def test_page_boundaries(
        self, shape: str, sandbox: Sandbox, acceptance_server: SandboxServer
    ) -> None:
        """Two full pages exactly, and two pages plus one record: nothing lost, nothing twice."""
        size = self.effective_page_size()
        count = 2 * size + (1 if shape == "one_more" else 0)
        self._assert_reads_exactly(sandbox, acceptance_server, count)

    def test_deep_paging_limit(self, sandbox: Sandbox, acceptance_server: SandboxServer) -> None:
        """One record past the vendor's plain page-number limit is still read.

        A vendor without such a limit (``deep_paging = False``) is held to the same
        standard over many pages instead: seven full pages and one record more.
        """
        if not self.deep_paging:
            size = self.effective_page_size()
            self._assert_reads_exactly(sandbox, acceptance_server, 7 * size + 1)
            return
        limit = sandbox.deep_paging_limit(self.read_stream)
        assert limit is not None, (
            "the sandbox reports no deep-paging limit; set deep_paging = False if the vendor has none"
        )
        self._assert_reads_exactly(sandbox, acceptance_server, limit + 1)

    def _assert_reads_exactly(self, sandbox: Sandbox, server: SandboxServer, count: int) -> None:
        seeded = sandbox.reset(self.read_stream, count)
        connector = self.make(server)

        async def go() -> list[Page]:
            async with connector:
                return await self.read_all(connector, self.read_stream)

        pages = self.run(go)
        ids = self.ids(pages, self.read_stream)
        assert len(ids) == len(set(ids)), f"{len(ids) - len(set(ids))} records read twice"
        assert set(ids) == set(seeded), (
            f"read {len(set(ids))} of {count}; {_difference(ids, seeded)}"
        )
        assert pages[-1].complete

    def test_credentials_expiring_mid_read_recover_without_losing_a_page(
        self, sandbox: Sandbox, acceptance_server: SandboxServer
    ) -> None:
        """Tokens or sessions revoked after the first page: the read re-authenticates and goes on."""
        size = self.effective_page_size()
        seeded = sandbox.reset(self.read_stream, 2 * size + 1)
        connector = self.make(acceptance_server)

        def expire(page_number: int) -> None:
            if page_number == 1:
                sandbox.expire_credentials()

        async def go() -> list[Page]:
            async with connector:
                return await self.read_all(connector, self.read_stream, between_pages=expire)

        pages = self.run(go)
        ids = self.ids(pages, self.read_stream)
        assert len(pages) >= 2, "the read must span pages for this test to mean anything"
        assert sorted(ids) == sorted(seeded)

    def test_rate_limit_storm_is_waited_out(
        self, sandbox: Sandbox, acceptance_server: SandboxServer
    ) -> None:
        """A burst of rate-limit answers is ridden out, waiting as long as the vendor asked."""
        seeded = sandbox.reset(self.read_stream, self.seed_count)
        sleep = SleepRecorder()
        connector = self.make(acceptance_server, sleep=sleep)
        hint = 7.0

        async def go() -> list[Page]:
            async with connector:
                await connector.check()  # sign in first: the storm hits the read itself
                sandbox.faults.inject("rate_limit", times=self.storm, retry_after=hint)
                return await self.read_all(connector, self.read_stream)

        pages = self.run(go)
        assert sorted(self.ids(pages, self.read_stream)) == sorted(seeded)
        assert len(sleep.waits) == self.storm, f"expected {self.storm} waits, got {sleep.waits}"
        if sandbox.rate_limit_advertises_wait():
            assert sleep.waits == [hint] * self.storm, (
                f"the vendor asked for {hint}s: {sleep.waits}"
            )
        else:
            assert all(w > 0 for w in sleep.waits)

    def test_persistent_server_errors_end_in_transient_error(
        self, sandbox: Sandbox, acceptance_server: SandboxServer
    ) -> None:
        """5xx on every try: bounded retries, then ``TransientError`` with the status."""
        sandbox.reset(self.read_stream, self.seed_count)
        sleep = SleepRecorder()
        connector = self.make(acceptance_server, sleep=sleep)
        attempts = connector.config.http.max_attempts
        caught: dict[str, BaseException] = {}

        async def go() -> None:
            async with connector:
                await connector.check()
                sandbox.faults.inject("status", times=10 * attempts, status=503)
                try:
                    await self.read_all(connector, self.read_stream)
                except TransientError as exc:
                    caught["error"] = exc

        self.run(go)
        error = caught.get("error")
        assert isinstance(error, TransientError), "persistent 503s must end in TransientError"
        assert not isinstance(error, RateLimited | MalformedResponse)
        assert error.status in (None, 503)
        assert len(sleep.waits) == attempts - 1, f"{attempts} tries means {attempts - 1} waits"

    @pytest.mark.parametrize("fault", ["non_json", "truncate"])
    def test_malformed_body_names_the_endpoint(
        self, fault: str, sandbox: Sandbox, acceptance_server: SandboxServer
    ) -> None:
        """A body that cannot be understood ends in ``MalformedResponse`` naming the endpoint."""
        sandbox.reset(self.read_stream, self.seed_count)
        connector = self.make(acceptance_server)
        attempts = connector.config.http.max_attempts
        caught: dict[str, BaseException] = {}

        async def go() -> None:
            async with connector:
                await connector.check()
                sandbox.faults.inject(fault, times=10 * attempts)  # type: ignore[arg-type]
                try:
                    await self.read_all(connector, self.read_stream)
                except MalformedResponse as exc:
                    caught["error"] = exc

        self.run(go)
        error = caught.get("error")
        assert isinstance(error, MalformedResponse), f"{fault} body must end in MalformedResponse"
        assert error.endpoint, "the error must name the endpoint"
        assert f"{acceptance_server.host}:{acceptance_server.port}" in error.endpoint
        assert error.endpoint in str(error)

    # -- deletes -------------------------------------------------------------------------------
    def test_deleted_records_are_reported_or_refused(
        self, sandbox: Sandbox, acceptance_server: SandboxServer
    ) -> None:
        """A stream declaring READ_DELETED reports deletions; one that does not refuses clearly."""
        ids = sandbox.reset(self.read_stream, self.seed_count)
        connector = self.make(acceptance_server)
        declared = self.stream_of(self.read_stream)
        state: dict[str, Any] = {}

        async def go() -> None:
            async with connector:
                if not declared.can(Capability.READ_DELETED):
                    try:
                        async for _ in connector.read_deleted(self.read_stream):
                            pass
                    except ConfigError as exc:
                        state["refused"] = exc
                    return
                before = await _collect(connector.read_deleted(self.read_stream))
                sandbox.delete(self.read_stream, ids[:2])
                after = await _collect(connector.read_deleted(self.read_stream, before[-1].cursor))
                state["deleted"] = self.ids(after, self.read_stream)
                full = await self.read_all(connector, self.read_stream)
                state["live"] = self.ids(full, self.read_stream)

        self.run(go)
        if not declared.can(Capability.READ_DELETED):
            assert isinstance(state.get("refused"), ConfigError)
            return
        assert sorted(state["deleted"]) == sorted(ids[:2])
        assert sorted(state["live"]) == sorted(ids[2:])

    # -- writing ------------------------------------------------------------------------------
    def test_create_then_update_is_idempotent(
        self, sandbox: Sandbox, acceptance_server: SandboxServer
    ) -> None:
        """Create, create again with the same key (a retry), update: one remote record."""
        stream = self.write_stream
        key = f"acc-{uuid.uuid4()}"
        record = sandbox.sample_record(stream, _fresh_n())
        before = sandbox.remote_ids(stream)
        connector = self.make(acceptance_server)
        declared = self.stream_of(stream)
        state: dict[str, Any] = {}

        async def go() -> None:
            async with connector:
                first = await connector.write(stream, [WriteRequest(record, key)])
                state["first"] = first
                remote = first[0].remote_id
                if declared.can(Capability.IDEMPOTENT_CREATE):
                    state["retry"] = await connector.write(stream, [WriteRequest(record, key)])
                found = await connector.lookup(stream, [key])
                state["found"] = found
                state["update"] = await connector.write(stream, [WriteRequest(record, key, remote)])

        self.run(go)
        first = state["first"][0]
        assert first.status == "created", first
        assert first.remote_id, first
        if "retry" in state:
            retry = state["retry"][0]
            assert retry.ok, retry
            assert retry.remote_id == first.remote_id, retry
        found: dict[str, Record] = state["found"]
        assert key in found, "lookup() must find the record by its external key"
        assert Connector.record_id(found[key], declared) == first.remote_id
        update = state["update"][0]
        assert update.status in ("updated", "unchanged")
        assert update.remote_id == first.remote_id
        assert sandbox.remote_ids(stream) == before | {first.remote_id}
        assert sandbox.get_record(stream, first.remote_id) is not None

    def test_one_invalid_record_fails_alone_with_the_vendor_reason(
        self, sandbox: Sandbox, acceptance_server: SandboxServer
    ) -> None:
        """A batch with one bad record: the others are written, the bad one carries the reason."""
        stream = self.write_stream
        bad, word = sandbox.invalid_record(stream)
        requests = [
            WriteRequest(sandbox.sample_record(stream, _fresh_n()), f"acc-{uuid.uuid4()}"),
            WriteRequest(bad, f"acc-{uuid.uuid4()}"),
            WriteRequest(sandbox.sample_record(stream, _fresh_n()), f"acc-{uuid.uuid4()}"),
        ]
        before = sandbox.remote_ids(stream)
        connector = self.make(acceptance_server)

        async def go() -> Any:
            async with connector:
                return await connector.write(stream, requests)

        results = self.run(go)
        assert [r.index for r in results] == [0, 1, 2]
        assert results[0].ok, results[0]
        assert results[2].ok, results[2]
        assert results[1].status == "failed", results[1]
        assert results[1].error, results[1]
        assert word.lower() in results[1].error.lower(), results[1].error
        created = {r.remote_id for r in (results[0], results[2])}
        assert sandbox.remote_ids(stream) == before | created


def _difference(read: list[str], expected: Any) -> str:
    """A short account of what a read got wrong, for assertion messages."""
    got, want = set(read), {str(i) for i in expected}
    doubled = len(read) - len(got)
    return (
        f"missing {sorted(want - got)[:5]} ({len(want - got)}), "
        f"unexpected {sorted(got - want)[:5]} ({len(got - want)}), read twice: {doubled}"
    )


def _fresh_n() -> int:
    """A sample number no earlier test in the class used (sandboxes keep state per class)."""
    return 10_000 + uuid.uuid4().int % 900_000


async def _collect(pages: Any) -> list[Page]:
    out = [page async for page in pages]
    return out or [Page([])]
