"""The write path: one batch of requests through BatchSave, Submit and Audit.

Creates are sent once (no transport-level retry) and, when the outcome is
unknown, reconciled by looking their external keys up before anything is re-sent;
models an atomic server rolled back (neither success nor error for their DIndex)
are re-sent. Updates resolve numbers to internal ids with one query, re-open
submitted or audited records by policy (UnAudit / CancelAssign), save with
``NeedUpDateFields`` listing exactly the keys sent, and put re-opened records
back in their status afterwards. Submit/Audit outcomes are compared with
``SuccessEntitys``: a record the server skipped without a word is checked by
status before it is reported failed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from connectors.kingdee.client import OperationResult
from connectors.kingdee.streams import FormSpec
from connectors.sdk import RateLimited, TransientError, WriteRequest, WriteResult
from connectors.sdk.streams import WriteStatus

if TYPE_CHECKING:
    from connectors.kingdee.connector import KingdeeConnector

REOPEN = {"C": "UnAudit", "B": "CancelAssign"}
RESTORE = {"C": ("Submit", "Audit"), "B": ("Submit",)}
TARGET_STATUS = {"Submit": "B", "Audit": "C", "UnAudit": "D", "CancelAssign": "A"}
"""The status a method leaves a record in: a retried call that finds it there succeeded."""


class Batch:
    """One batch of write requests on its way through save, submit and audit."""

    def __init__(
        self,
        connector: KingdeeConnector,
        stream: str,
        spec: FormSpec,
        requests: dict[int, WriteRequest],
        results: dict[int, WriteResult],
    ) -> None:
        self.c = connector
        self.client = connector.client
        self.stream = stream
        self.spec = spec
        self.requests = requests
        self.results = results
        self.saved: dict[int, str] = {}
        self.reopened: dict[str, str] = {}
        """number -> the status it had before the connector re-opened it."""

    def fail(
        self, index: int, message: str, *, code: str | None = None, remote_id: str | None = None
    ) -> None:
        """Record a failed outcome (with the remote id if the record exists)."""
        self.results[index] = WriteResult(
            index, "failed", remote_id=remote_id, error=message, vendor_code=code
        )

    async def run(self) -> None:
        """Updates first (they need ids), then creates, then status changes."""
        updates = {i: r for i, r in self.requests.items() if r.remote_id}
        creates = {i: r for i, r in self.requests.items() if not r.remote_id}
        if updates:
            await self._updates(updates)
        if creates:
            await self._creates(creates)
        await self._advance()
        for index, number in self.saved.items():
            if index not in self.results:
                done: WriteStatus = "updated" if self.requests[index].remote_id else "created"
                self.results[index] = WriteResult(index, done, remote_id=number)

    def _model(self, request: WriteRequest) -> dict[str, Any]:
        model = dict(request.data)
        field = self.c.config.external_key_field
        if field:
            model[field] = request.external_key
        elif not request.remote_id:
            model.setdefault(self.spec.number_key, request.external_key)
        return model

    # creates: sent once, reconciled by external key when the outcome is unknown
    async def _creates(self, creates: dict[int, WriteRequest]) -> None:
        pending = {i: self._model(r) for i, r in creates.items()}
        attempts = self.c.config.http.max_attempts
        policy = self.c.config.http.retry_policy()
        for attempt in range(1, attempts + 1):
            try:
                outcome = await self.client.operation(
                    "BatchSave", self.spec.form_id, {"Model": list(pending.values())}, retry=False
                )
            except TransientError as exc:
                wait = (
                    exc.retry_after
                    if isinstance(exc, RateLimited) and exc.retry_after
                    else policy.backoff(attempt)
                )
                await self.c.wait(min(wait, policy.max_retry_after))
                pending = await self._reconcile(creates, pending)
                if not pending:
                    return
                if attempt == attempts:
                    for index in pending:
                        self.fail(
                            index,
                            f"not saved after {attempts} attempts: {exc.message}",
                            code="transient",
                        )
                    return
                continue
            pending = self._read_save(pending, outcome)
            if not pending:
                return
        for index in pending:
            self.fail(index, "the server neither saved nor refused the record", code="unconfirmed")

    async def _reconcile(
        self, creates: dict[int, WriteRequest], pending: dict[int, dict[str, Any]]
    ) -> dict[int, dict[str, Any]]:
        """After an unknown outcome: what was created anyway is done; the rest is re-sent."""
        keys = {creates[i].external_key: i for i in pending}
        found = await self.c.lookup(self.stream, list(keys))
        for key, record in found.items():
            self.saved[keys[key]] = str(record[self.spec.number_key])
        return {i: m for i, m in pending.items() if creates[i].external_key not in found}

    def _read_save(
        self, sent: dict[int, dict[str, Any]], outcome: OperationResult
    ) -> dict[int, dict[str, Any]]:
        """Successes and errors by DIndex; models with neither were rolled back: re-send."""
        order = list(sent)
        again: dict[int, dict[str, Any]] = {}
        for position, index in enumerate(order):
            if position in outcome.successes:
                _, number = outcome.successes[position]
                if number is None:
                    self.fail(index, "saved, but the server returned no number", code="no_number")
                else:
                    self.saved[index] = number
            elif position in outcome.errors:
                fields = [f for _, f in outcome.errors[position] if f]
                self.results[index] = WriteResult(
                    index,
                    "failed",
                    error=outcome.error_text(position),
                    vendor_code=f"MsgCode {outcome.msg_code}",
                    field=fields[0] if fields else None,
                )
            elif not outcome.success:
                again[index] = sent[index]
            else:
                self.fail(
                    index,
                    "the server reported success but did not confirm this record",
                    code="unconfirmed",
                )
        return again

    # updates: ids resolved per batch, re-opened by policy, saved with NeedUpDateFields
    async def _updates(self, updates: dict[int, WriteRequest]) -> None:
        numbers = {i: str(r.remote_id) for i, r in updates.items()}
        known = await self.c.document_statuses(self.spec, list(numbers.values()))
        ready: dict[int, dict[str, Any]] = {}
        to_reopen: dict[str, list[str]] = {}
        for index, number in numbers.items():
            if number not in known:
                self.fail(
                    index,
                    f"{self.spec.form_id} {number} does not exist (deleted?)",
                    code="not_found",
                )
                continue
            record_id, status = known[number]
            if status in REOPEN:
                if self.c.config.update_audited == "fail":
                    self.fail(
                        index,
                        f"{number} is {_STATUS[status]}; update_audited=fail",
                        code=f"status {status}",
                        remote_id=number,
                    )
                    continue
                to_reopen.setdefault(REOPEN[status], []).append(number)
                self.reopened[number] = status
            model = self._model(updates[index])
            model[self.spec.id_key] = record_id
            ready[index] = model
        for method, reopen in to_reopen.items():
            failed = await self._operate(method, reopen)
            for index in [i for i in ready if numbers[i] in failed]:
                self.fail(
                    index,
                    f"could not {method} before updating: {failed[numbers[index]]}",
                    code=method,
                    remote_id=numbers[index],
                )
                del ready[index]
                self.reopened.pop(numbers[index], None)
        by_fields: dict[tuple[str, ...], dict[int, dict[str, Any]]] = {}
        for index, model in ready.items():
            by_fields.setdefault(_update_fields(model, self.spec.id_key), {})[index] = model
        for need, group in by_fields.items():
            outcome = await self.client.operation(
                "BatchSave",
                self.spec.form_id,
                {
                    "Model": list(group.values()),
                    "NeedUpDateFields": list(need),
                    "IsDeleteEntry": True,
                },
            )
            left = self._read_save(group, outcome)
            for index in left:
                self.fail(
                    index,
                    "the update was rolled back with its batch",
                    code="rolled_back",
                    remote_id=numbers[index],
                )

    # status changes: Submit (+ Audit) with silent skips detected
    async def _advance(self) -> None:
        auto = self.c.config.auto_audit
        saved_numbers = set(self.saved.values())
        plan: dict[str, tuple[str, ...]] = {}
        for number, status in self.reopened.items():
            plan[number] = (
                ("Submit", "Audit") if auto and number in saved_numbers else RESTORE[status]
            )
        if auto:
            plan.update(dict.fromkeys(saved_numbers - set(plan), ("Submit", "Audit")))
        for method in ("Submit", "Audit"):
            numbers = [n for n, steps in plan.items() if method in steps]
            if not numbers:
                continue
            failed = await self._operate(method, numbers)
            for number, reason in failed.items():
                plan.pop(number, None)
                self._status_failed(number, f"{method} failed: {reason}")

    def _status_failed(self, number: str, reason: str) -> None:
        """Report a failed Submit/Audit on the request(s) that wrote ``number``."""
        for index, request in self.requests.items():
            mine = self.saved.get(index) == number or (
                index not in self.saved and request.remote_id == number
            )
            if not mine:
                continue
            previous = self.results.get(index)
            if previous is not None and previous.error:
                reason = f"{previous.error}; then restoring its status: {reason}"
            else:
                reason = f"saved as {number}, but {reason}"
            self.fail(index, reason, code="status", remote_id=number)

    async def _operate(self, method: str, numbers: list[str]) -> dict[str, str]:
        """Run ``method`` on ``numbers``; number -> reason for each that did not happen."""
        outcome = await self.client.operation(method, self.spec.form_id, {"Numbers": numbers})
        failed: dict[str, str] = {}
        done = {number for _, number in outcome.successes.values() if number}
        for position, number in enumerate(numbers):
            if number in done:
                continue
            failed[number] = (
                outcome.error_text(position)
                if position in outcome.errors
                else "silently skipped by the server"
            )
        target = TARGET_STATUS.get(method)
        if failed and target:  # a retried call may have done it already: trust the status
            statuses = await self.c.document_statuses(self.spec, list(failed))
            for number in list(failed):
                if statuses.get(number, (None, ""))[1] == target:
                    del failed[number]
        return failed


_STATUS = {"B": "submitted (in approval)", "C": "audited"}


def _update_fields(model: Mapping[str, Any], id_key: str) -> tuple[str, ...]:
    """NeedUpDateFields: every key sent, including sub-head and entry-row keys."""
    keys: set[str] = set()
    for key, value in model.items():
        if key == id_key:
            continue
        keys.add(key)
        rows = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
        for row in rows:
            if isinstance(row, dict) and not _is_reference(row):
                keys.update(k for k in row if k != "FEntryID")
    return tuple(sorted(keys))


def _is_reference(value: Mapping[str, Any]) -> bool:
    return len(value) == 1 and next(iter(value)).lower() in ("fnumber", "fuserid", "fcontactnumber")
