"""Background sync: pipelines on their schedules, maintenance jobs, leases, the control API.

``jobs`` is the machinery (APScheduler, leases, Celery); this package tells it
what to run: ``specs`` turns pipelines into jobs, ``tasks`` holds the targets
it runs by reference, ``guard`` runs a pipeline under its lease, ``control`` is
what the web app and the command line use, ``inprocess`` runs it all inside
``synchub serve``.
"""
