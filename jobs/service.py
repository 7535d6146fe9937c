"""The scheduler service: elect one leader, run the schedule there, hand queued runs out.

Every scheduler process runs this loop; each poll it either tries to take the
leader lease (followers) or renews it (the leader). Only the leader runs
APScheduler over the persistent job store, so two schedulers never fire the
same job. When the leader dies its lease expires, and a follower takes over
within one lease period plus one poll; a leader whose renewal is refused
(it stalled, and someone may have taken over) stops its scheduler at once.

On each poll the leader also applies pause flags to the schedule and
dispatches due one-off requests (``RequestQueue``), holding back requests whose
job is paused or whose lease is busy.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.events import EVENT_ALL, SchedulerEvent
from apscheduler.schedulers.background import BackgroundScheduler

from jobs.dispatch import EXECUTE_ONE_OFF, Dispatcher, InlineDispatcher, Runtime, install, uninstall
from jobs.flags import JobFlags
from jobs.leases import Clock, Lease, LeaseManager, utcnow
from jobs.requests import Request, RequestQueue
from jobs.scheduler import ONE_OFF, STORE, JobSpec, build_scheduler, reconcile, stop_scheduler

log = logging.getLogger(__name__)
LEADER_LEASE = "jobs:scheduler-leader"


class SchedulerService:
    """One scheduler process's part in the election and, while leading, the schedule."""

    def __init__(
        self,
        leases: LeaseManager,
        specs: Callable[[], list[JobSpec]],
        dispatcher: Dispatcher,
        *,
        owner: str,
        lease_seconds: float = 30.0,
        poll_seconds: float = 2.0,
        threads: int = 4,
        leader_lease: str = LEADER_LEASE,
        refresh_seconds: float = 30.0,
        listeners: list[Callable[[SchedulerEvent], None]] | None = None,
        clock: Clock = utcnow,
    ) -> None:
        if poll_seconds * 3 > lease_seconds:
            raise ValueError("poll_seconds must be at most a third of lease_seconds")
        self.leases = leases
        engine = leases.engine
        self.flags = JobFlags(engine, clock=clock)
        self.requests = RequestQueue(engine, clock=clock)
        self.specs = specs
        self.dispatcher = dispatcher
        self.owner = owner
        self.lease_seconds = lease_seconds
        self.poll_seconds = poll_seconds
        self.threads = threads
        self.leader_lease = leader_lease
        self.refresh_seconds = refresh_seconds
        self._specs_seen: set[str] = set()
        self._specs_read_at = 0.0
        self.scheduler: BackgroundScheduler | None = None
        self.leading = threading.Event()
        self._lease: Lease | None = None
        self._runtime = Runtime(dispatcher, leases, self.flags)
        self.listeners = list(listeners or [])
        """Called with every APScheduler event (job executed, missed, skipped...) while leading."""
        self.polls = 0
        self._polled = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- life cycle ---------------------------------------------------------------------------
    def start(self) -> SchedulerService:
        """Run the loop in a daemon thread; returns self."""
        self._thread = threading.Thread(
            target=self.run, name=f"scheduler {self.owner}", daemon=True
        )
        self._thread.start()
        return self

    def run(self) -> None:
        """The loop (blocking) until ``stop``; see the module docstring."""
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:
                log.exception("scheduler %s: poll failed; trying again", self.owner)
            with self._polled:
                self.polls += 1
                self._polled.notify_all()
            self._stop.wait(self.poll_seconds)
        self._step_down(release=True, wait=True)

    def stop(self, timeout: float | None = None) -> None:
        """Stop polling, stop the schedule (waiting for running jobs), release the lease."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        else:
            self._step_down(release=True, wait=True)

    def wait_polls(self, count: int, timeout: float) -> bool:
        """Block until ``count`` more polls have completed; False on timeout."""
        with self._polled:
            target = self.polls + count
            return self._polled.wait_for(lambda: self.polls >= target, timeout)

    # -- one poll -------------------------------------------------------------------------------
    def tick(self) -> None:
        """Take or renew the leader lease; when leading, apply flags and dispatch requests."""
        if self._lease is None:
            lease = self.leases.try_acquire(self.leader_lease, self.owner, self.lease_seconds)
            if lease is None:
                return
            self._lease = lease
            try:
                self._become_leader(lease)
            except Exception:
                self._step_down(release=True, wait=False)  # lead properly or not at all
                raise
        else:
            try:
                renewed = self.leases.renew(self._lease)
            except Exception:
                if self.leases.clock() >= self._lease.expires_at:
                    log.error(
                        "scheduler %s could not renew its lease in time; stepping down", self.owner
                    )
                    self._step_down(release=False, wait=False)
                raise
            if renewed is None:
                log.error("scheduler %s lost the leader lease; stopping its schedule", self.owner)
                self._step_down(release=False, wait=False)
                return
            self._lease = renewed
            self.refresh_specs()
        self.apply_flags()
        self.dispatch_requests()

    def _become_leader(self, lease: Lease) -> None:
        scheduler = build_scheduler(self.leases.engine, threads=self.threads)
        for listener in self.listeners:
            scheduler.add_listener(listener, EVENT_ALL)
        scheduler.start(paused=True)
        self.scheduler = scheduler
        specs = self.specs()
        report = reconcile(scheduler, specs)
        self._specs_seen = {spec.fingerprint() for spec in specs}
        self._specs_read_at = time.monotonic()
        install(self._runtime)
        self.apply_flags()
        scheduler.resume()
        took_over = f", taking over from {lease.previous_owner}" if lease.previous_owner else ""
        log.info("scheduler %s leads%s; jobs %s", self.owner, took_over, report)
        self.leading.set()

    def _step_down(self, *, release: bool, wait: bool) -> None:
        self.leading.clear()
        scheduler, self.scheduler = self.scheduler, None
        if scheduler is not None:
            uninstall(self._runtime)
            stop_scheduler(scheduler, wait=wait)
        lease, self._lease = self._lease, None
        if release and lease is not None:
            try:
                self.leases.release(lease)
            except Exception:
                log.exception("scheduler %s could not release its lease", self.owner)

    # -- leader duties ------------------------------------------------------------------------
    def refresh_specs(self, *, force: bool = False) -> None:
        """Every ``refresh_seconds``, re-read the specs and reconcile if any changed."""
        scheduler = self.scheduler
        if scheduler is None:
            return
        if not force and time.monotonic() - self._specs_read_at < self.refresh_seconds:
            return
        self._specs_read_at = time.monotonic()
        specs = self.specs()
        seen = {spec.fingerprint() for spec in specs}
        if seen != self._specs_seen:
            log.info("scheduler %s: jobs changed %s", self.owner, reconcile(scheduler, specs))
            self._specs_seen = seen

    def apply_flags(self) -> None:
        """Pause or resume scheduled jobs to match the flags in the database."""
        scheduler = self.scheduler
        if scheduler is None:
            return
        flags = self.flags.all()
        for job in scheduler.get_jobs(jobstore=STORE):
            flag = flags.get(job.id)
            wanted = bool(flag and flag.paused)
            if wanted and job.next_run_time is not None:
                scheduler.pause_job(job.id, jobstore=STORE)
            elif not wanted and job.next_run_time is None:
                scheduler.resume_job(job.id, jobstore=STORE)

    def dispatch_requests(self) -> None:
        """Hand out due one-off requests, holding back paused and busy ones."""
        scheduler = self.scheduler
        if scheduler is None:
            return
        for request in self.requests.due():
            if request.job_id and self.flags.is_paused(request.job_id):
                continue
            if request.lease and self.leases.holder(request.lease) is not None:
                self.requests.postpone(request, self.poll_seconds)
                continue
            if self.requests.claim(request, claimer=self.owner):
                try:
                    self._submit(scheduler, request)
                except Exception:
                    log.exception("request %s could not be handed out; queued again", request.id)
                    self.requests.submit(
                        request.key,
                        request.target,
                        request.kwargs,
                        delay=self.poll_seconds,
                        job_id=request.job_id,
                        lease=request.lease,
                        requested_by=request.requested_by,
                    )

    def _submit(self, scheduler: BackgroundScheduler, request: Request) -> None:
        log.info("dispatching request %s (%s, %d hit(s))", request.id, request.key, request.hits)
        if isinstance(self.dispatcher, InlineDispatcher):
            scheduler.add_job(
                EXECUTE_ONE_OFF,
                trigger="date",
                run_date=datetime.now(UTC),
                args=[request.target, request.kwargs],
                id=f"request:{request.id}",
                jobstore=ONE_OFF,
                misfire_grace_time=None,
            )
        else:
            self.dispatcher.dispatch(request.target, request.kwargs)
