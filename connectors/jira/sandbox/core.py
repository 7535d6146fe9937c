"""``JiraSandbox``: the simulated site, its options and the control hooks tests drive.

It renders the shared ``Universe`` as a delivery project: each contract an Epic
labelled ``synchub-contract`` and ``contract-<number>``, each milestone a Task
under it labelled ``synchub-milestone`` whose status and resolution follow the
milestone's state (planned: To Do; in progress: In Progress; delivered: Done
with resolution Delivered; accepted: Done with resolution Done). On Cloud a
child points at its epic through ``parent``; on Data Center through the
"Epic Link" field, as Jira Software does there.
"""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from connectors.jira.sandbox.app import JiraApp
from connectors.jira.sandbox.model import (
    EPIC_LINK_FIELD,
    EPIC_NAME_FIELD,
    STATUSES,
    Flavour,
    Issue,
    User,
)
from connectors.jira.sandbox.render import View, issue_json, text_to_adf, user_json
from connectors.jira.sandbox.store import JiraStore
from connectors.jira.sandbox.webhooks import Delivery, Outbox, Webhook, event_payload
from connectors.sdk.fakedata import FakeContract, Universe, build_universe
from connectors.sdk.sandbox import ASGIApp, Sandbox, json_response_body

SHANGHAI = ZoneInfo("Asia/Shanghai")
STREAM_LABELS = {"epics": "synchub-contract", "milestones": "synchub-milestone"}
STREAM_TYPES = {"epics": "10000", "milestones": "10002"}
MILESTONE_STATES = {
    "planned": ("10000", None),
    "in_progress": ("3", None),
    "delivered": ("10001", "10003"),
    "accepted": ("10001", "10000"),
}
WEBHOOK_EVENTS = ["jira:issue_created", "jira:issue_updated", "jira:issue_deleted"]


class JiraSandbox(Sandbox):
    """A Jira Cloud (v3) or Data Center (v2) site over real HTTP; see the module docstring.

    Vendor options: ``flavour`` (cloud | dc), ``project_key``, ``time_zone`` of the
    integration user, ``index_lag`` (seconds before search sees a write),
    ``anonymous_access`` (unauthenticated search answers 200 with no issues),
    ``populate`` (render the universe; False starts empty), ``page_cap``
    (search/jql page limit with fields), ``dc_max_results`` (DC's silent cap),
    ``epic_name_required`` (default: on DC), ``webhook_url`` / ``webhook_secret``
    (register an admin webhook at start), ``webhook_autodeliver``.
    """

    name: ClassVar[str] = "jira"

    def __init__(
        self,
        *,
        seed: int = 0,
        companies: int = 20,
        universe: Universe | None = None,
        flavour: Flavour = "cloud",
        project_key: str = "DLV",
        time_zone: str = "Asia/Shanghai",
        index_lag: float = 0.0,
        anonymous_access: bool = False,
        populate: bool = True,
        page_cap: int = 100,
        dc_max_results: int = 1000,
        epic_name_required: bool | None = None,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        webhook_autodeliver: bool = False,
        captcha_after: int = 3,
    ) -> None:
        super().__init__(seed=seed)
        if flavour not in ("cloud", "dc"):
            raise ValueError(f"flavour must be 'cloud' or 'dc', not {flavour!r}")
        ZoneInfo(time_zone)  # fail early on a zone the site would not know
        self.flavour: Flavour = flavour
        self.project_key = project_key.upper()
        self.anonymous_access = _flag(anonymous_access)
        self.page_cap = int(page_cap)
        self.dc_max_results = int(dc_max_results)
        self.captcha_after = int(captcha_after)
        self.failed_logins = 0
        self.sessions: dict[str, str] = {}
        self.base_url = "http://127.0.0.1"
        self.store = JiraStore(
            flavour=flavour,
            lock=self.lock,
            now=self._now,
            index_lag=timedelta(seconds=float(index_lag)),
            epic_name_required=(
                flavour == "dc" if epic_name_required is None else _flag(epic_name_required)
            ),
        )
        self.default_user = User(
            account_id="5b10a2844c20165700ede21g",
            name="ada.ops",
            display_name="Ada Ops",
            email="ada@example.com",
            time_zone=time_zone,
            api_token=f"sandbox-api-token-{seed:04d}-ATATT3xFfGF0",
            pat=f"sandbox-pat-{seed:04d}-NjQ5MzA2MTc4",
        )
        self.store.users[self.default_user.account_id] = self.default_user
        self.store.add_project(self.project_key, "Delivery")
        self.store.add_project("OPS", "Operations")
        self.outbox = Outbox()
        self.store.on_event = self._on_event
        if webhook_url:
            self.outbox.register(webhook_url, WEBHOOK_EVENTS, name="synchub", secret=webhook_secret)
        if _flag(webhook_autodeliver):
            self.outbox.start()
        if _flag(populate):
            self._render(universe or build_universe(seed, companies))

    def _now(self) -> datetime:
        now = self.clock.now()
        return now.replace(microsecond=now.microsecond // 1000 * 1000)

    # -- the app and its vendor-shaped failures --------------------------------------------
    def build_app(self) -> ASGIApp:
        """The routed Starlette app."""
        return JiraApp(self).build()

    def rate_limit_response(self, retry_after: float | None) -> tuple[int, dict[str, str], bytes]:
        """429 with Retry-After and the X-RateLimit-* headers (Cloud burst or DC bucket)."""
        wait = max(1, int(retry_after if retry_after is not None else 1))
        reset = (self.clock.now() + timedelta(seconds=wait)).strftime("%Y-%m-%dT%H:%MZ")
        headers = {
            "content-type": "application/json;charset=UTF-8",
            "Retry-After": str(wait),
            "X-RateLimit-Limit": str(self.faults.rate_burst),
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": reset,
        }
        if self.flavour == "cloud":
            headers["RateLimit-Reason"] = "jira-burst-based"
        else:
            headers["X-RateLimit-Interval-Seconds"] = "1"
            headers["X-RateLimit-FillRate"] = str(int(self.faults.rate_limit or 1))
        body = json_response_body(
            {"errorMessages": ["Rate limit exceeded. Try again later."], "errors": {}}
        )
        return 429, headers, body

    def error_response(self, status: int) -> tuple[int, dict[str, str], bytes]:
        """Jira's envelope for an injected server error (no Retry-After: a plain failure)."""
        headers = {"content-type": "application/json;charset=UTF-8"}
        messages = {
            409: "The issue was updated by someone else; reload and try again.",
            503: "Service unavailable: the site is overloaded, try again shortly.",
        }
        message = messages.get(status, "Internal server error.")
        return status, headers, json_response_body({"errorMessages": [message], "errors": {}})

    # -- what scripts and tests need ----------------------------------------------------------
    def credentials(self, base_url: str) -> dict[str, Any]:
        """``base_url``, ``email``, ``api_token`` (Cloud), ``pat`` (DC), ``project_key``."""
        with self.lock:
            self.base_url = base_url.rstrip("/")
        user = self.default_user
        return {
            "base_url": self.base_url,
            "email": user.email,
            "api_token": user.api_token,
            "pat": user.pat,
            "project_key": self.project_key,
        }

    def connector_config(self, base_url: str) -> dict[str, Any]:
        """A ``jira`` connector config for this site's flavour."""
        creds = self.credentials(base_url)
        config: dict[str, Any] = {
            "flavour": self.flavour,
            "base_url": creds["base_url"],
            "project_key": self.project_key,
            "hub_url": "http://127.0.0.1:8000",
        }
        if self.flavour == "cloud":
            config.update({"email": creds["email"], "api_token": creds["api_token"]})
        else:
            config["pat"] = creds["pat"]
        return config

    def bad_credentials_config(self, base_url: str) -> dict[str, Any]:
        """The connector config with a wrong API token (Cloud) or PAT (DC); nothing else changed."""
        config = self.connector_config(base_url)
        secret = "api_token" if self.flavour == "cloud" else "pat"
        config[secret] = f"wrong-{config[secret]}"
        return config

    def reset(self, stream: str, count: int) -> list[str]:
        """Replace ``stream``'s issues with ``count`` generated ones, ``updated`` spread out."""
        label = _label(stream)
        with self.lock:
            doomed = [i for i in self.store.issues.values() if label in i.labels]
            if stream == "epics":
                ids = {i.id for i in doomed}
                doomed += [i for i in self.store.issues.values() if self._epic_of(i) in ids]
            for issue in doomed:
                self.store.issues.pop(issue.id, None)
            now = self._now()
            ids_out = []
            for n in range(count):
                when = now - timedelta(seconds=37 * (count - n))
                issue = self._generate(stream, n, when)
                ids_out.append(str(issue.id))
            return ids_out

    def remote_ids(self, stream: str) -> set[str]:
        """Ids of the issues of ``stream`` (by its marker label)."""
        label = _label(stream)
        with self.lock:
            return {str(i.id) for i in self.store.issues.values() if label in i.labels}

    def get_record(self, stream: str, remote_id: str) -> dict[str, Any] | None:
        """The issue as this flavour's API (v3 Cloud, v2 DC) returns it with all fields."""
        label = _label(stream)
        with self.lock:
            issue = self.store.find(remote_id)
            if issue is None or label not in issue.labels:
                return None
            return issue_json(issue, self._view(), self.store, fields=["*all"])

    def touch(self, stream: str, remote_ids: list[str]) -> None:
        """A person edits each issue's description at ``clock.now()``."""
        with self.lock:
            for rid in remote_ids:
                issue = self._stream_issue(stream, rid)
                self.store.user_edit(issue, self.default_user)

    def delete(self, stream: str, remote_ids: list[str]) -> None:
        """A person deletes the issues (Jira deletes for good; webhooks say so)."""
        with self.lock:
            for rid in remote_ids:
                self.store.delete(self._stream_issue(stream, rid), self.default_user)

    def expire_credentials(self) -> None:
        """End every login session; API tokens and PATs are per request and stay valid."""
        with self.lock:
            self.sessions.clear()

    def sample_record(self, stream: str, n: int) -> dict[str, Any]:
        """A record as the hub's outbound mapping shapes it for ``stream``."""
        if stream == "epics":
            number = f"HT2099{n:05d}"
            return {
                "fields": {
                    "summary": f"{number} 区块链平台开发项目 {n}",
                    "labels": [f"contract-{number}"],
                    "description": f"Contract {number}, sample {n}.",
                }
            }
        with self.lock:
            epic = self._any_epic()
        return {
            "fields": {
                "summary": f"里程碑 {n}: 上线验收",
                "duedate": (date(2026, 1, 1) + timedelta(days=n)).isoformat(),
                "parent": {"id": str(epic.id)},
            }
        }

    def invalid_record(self, stream: str) -> tuple[dict[str, Any], str]:
        """A record without a summary: Jira answers "You must specify a summary"."""
        _label(stream)
        return {"fields": {"summary": "", "duedate": "2026-03-01"}}, "summary"

    # -- extra controls for Jira-specific tests -------------------------------------------------
    def set_time_zone(self, zone: str) -> None:
        """Change the integration user's profile time zone (it shifts every JQL literal)."""
        ZoneInfo(zone)
        with self.lock:
            self.default_user.time_zone = zone

    def revoke_tokens(self) -> None:
        """Revoke the API token and the PAT (a person must issue new ones)."""
        with self.lock:
            self.default_user.api_token += "-revoked"
            self.default_user.pat += "-revoked"
            self.sessions.clear()

    def set_index_lag(self, seconds: float) -> None:
        """How long search keeps serving the previous version of a written issue."""
        with self.lock:
            self.store.index_lag = timedelta(seconds=seconds)

    def work_on(self, remote_id: str, status: str, resolution: str | None = None) -> None:
        """A person walks the workflow to ``status`` (name), choosing ``resolution`` at Done."""
        with self.lock:
            issue = self.store.find(remote_id)
            if issue is None:
                raise KeyError(remote_id)
            for _ in range(len(STATUSES) + 1):
                if STATUSES[issue.status].name == status:
                    return
                step = self._next_step(issue, status)
                payload: dict[str, Any] = {"transition": {"id": step.id}}
                if step.sets_resolution and resolution:
                    payload["fields"] = {"resolution": {"name": resolution}}
                self.store.transition(issue, payload, self.default_user)
            raise ValueError(f"no path to status {status!r}")

    def register_webhook(
        self, url: str, secret: str | None = None, jql: str | None = None
    ) -> Webhook:
        """Register an admin webhook for issue events (as an admin would in the UI)."""
        return self.outbox.register(url, WEBHOOK_EVENTS, name="synchub", secret=secret, jql=jql)

    def deliver_webhooks(self) -> list[Delivery]:
        """Send every queued webhook delivery now; returns those that succeeded."""
        return self.outbox.deliver()

    def issue_by_key(self, key: str) -> Issue | None:
        """The stored issue (for assertions)."""
        with self.lock:
            return self.store.find(key)

    # -- internals --------------------------------------------------------------------------
    def _view(self, version: str | None = None) -> View:
        user = self.default_user
        chosen = version or ("3" if self.flavour == "cloud" else "2")
        return View(self.base_url, chosen, self.flavour, user, ZoneInfo(user.time_zone))

    def _on_event(self, event: str, issue: Issue, items: list[dict[str, Any]], user: User) -> None:
        view = self._view("2")
        body = issue_json(issue, view, self.store, fields=["*all"])

        def matches(hook: Webhook) -> bool:
            if not hook.jql or event == "jira:issue_deleted":
                return True
            try:
                return any(i.id == issue.id for i in self.store.search(hook.jql, user))
            except ValueError:
                return False

        self.outbox.enqueue(
            event,
            event_payload(event, body, user_json(user, view), items, self.clock.now()),
            matches,
        )

    def _stream_issue(self, stream: str, remote_id: str) -> Issue:
        issue = self.store.find(remote_id)
        if issue is None or _label(stream) not in issue.labels:
            raise KeyError(f"{stream} has no issue {remote_id}")
        return issue

    def _epic_of(self, issue: Issue) -> int | None:
        if issue.parent is not None:
            return issue.parent
        key = issue.custom.get(EPIC_LINK_FIELD)
        epic = self.store.find(key) if key else None
        return epic.id if epic else None

    def _any_epic(self) -> Issue:
        label = STREAM_LABELS["epics"]
        epic = next((i for i in self.store.issues.values() if label in i.labels), None)
        return epic or self._generate("epics", 0, self._now())

    def _next_step(self, issue: Issue, status: str) -> Any:
        offered = self.store.transitions(issue)
        direct = next((t for t in offered if STATUSES[t.target].name == status), None)
        if direct is not None:
            return direct
        order = ["new", "indeterminate", "done"]
        goal = order.index(next(s.category for s in STATUSES.values() if s.name == status))
        here = order.index(STATUSES[issue.status].category)
        return next(
            t
            for t in offered
            if (order.index(STATUSES[t.target].category) - here) * (goal - here) > 0
        )

    def _insert(
        self, itype: str, summary: str, when: datetime, labels: list[str], **extra: Any
    ) -> Issue:
        project = self.store.projects[self.project_key]
        issue = Issue(
            id=self.store.next_issue_id,
            key=f"{project.key}-{project.next_number}",
            project=project.id,
            issuetype=itype,
            summary=summary,
            created=when,
            updated=when,
            labels=labels,
            reporter=self.default_user.account_id,
            **extra,
        )
        self.store.next_issue_id += 1
        project.next_number += 1
        self.store.issues[issue.id] = issue
        return issue

    def _link(self, child: Issue, epic: Issue) -> None:
        if self.flavour == "cloud":
            child.parent = epic.id
        else:
            child.custom[EPIC_LINK_FIELD] = epic.key

    def _generate(self, stream: str, n: int, when: datetime) -> Issue:
        label = _label(stream)
        if stream == "epics":
            number = f"HT2098{n:05d}"
            epic = self._insert(
                STREAM_TYPES["epics"],
                f"{number} 生成合同 {n}",
                when,
                [label, f"contract-{number}"],
                description=text_to_adf(f"Generated contract {number}."),
            )
            if self.flavour == "dc":
                epic.custom[EPIC_NAME_FIELD] = epic.summary
            return epic
        epics = [i for i in self.store.issues.values() if STREAM_LABELS["epics"] in i.labels]
        parent = epics[n % len(epics)] if epics else self._generate("epics", 0, when)
        issue = self._insert(
            STREAM_TYPES["milestones"],
            f"生成里程碑 {n}",
            when,
            [label],
            duedate=(when.date() + timedelta(days=30 + n)).isoformat(),
        )
        self._link(issue, parent)
        return issue

    def _render(self, universe: Universe) -> None:
        for index, contract in enumerate(universe.contracts):
            self._render_contract(contract, index)

    def _render_contract(self, contract: FakeContract, index: int) -> None:
        now = self._now()
        created = min(
            now, datetime.combine(contract.sign_date, time(9, 30), SHANGHAI).astimezone(UTC)
        )
        created = created + timedelta(minutes=index % 50)
        label = f"contract-{contract.number}"
        epic = self._insert(
            STREAM_TYPES["epics"],
            f"{contract.number} {contract.title}",
            min(now, created),
            [STREAM_LABELS["epics"], label],
            description=text_to_adf(
                f"Contract {contract.number}: {contract.title}\n{contract.payment_terms}"
            ),
            duedate=contract.end_date.isoformat(),
        )
        if self.flavour == "dc":
            epic.custom[EPIC_NAME_FIELD] = contract.number
        for seq, milestone in enumerate(contract.milestones):
            when = min(now, created + timedelta(days=1 + seq, minutes=seq))
            child = self._insert(
                STREAM_TYPES["milestones"],
                milestone.name,
                when,
                [STREAM_LABELS["milestones"], label],
                duedate=milestone.due_date.isoformat(),
                description=text_to_adf(f"{milestone.percent}% of {contract.number}"),
            )
            self._link(child, epic)
            status, resolution = MILESTONE_STATES[milestone.status]
            if status != "10000":
                done_at = min(now, datetime.combine(milestone.due_date, time(17, 0), SHANGHAI))
                child.updated = max(child.updated, done_at.astimezone(UTC))
            self.store.set_state(child, status, resolution)


def _label(stream: str) -> str:
    try:
        return STREAM_LABELS[stream]
    except KeyError:
        raise ValueError(
            f"the jira sandbox has streams epics and milestones, not {stream!r}"
        ) from None


def _flag(value: Any) -> bool:
    """Options arrive as strings from the command line (``--option populate=false``)."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def basic_header(email: str, token: str) -> str:
    """``Authorization`` value for Cloud's Basic email:token (handy in tests)."""
    return "Basic " + base64.b64encode(f"{email}:{token}".encode()).decode()
