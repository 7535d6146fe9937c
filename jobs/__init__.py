"""Scheduling machinery: runs targets named by reference; imports nothing of ours.

- ``leases``/``holding``: named leases with owner, expiry, heartbeat and fencing.
- ``scheduler``: APScheduler 3 wiring over a persistent job store.
- ``service``: leader election and the schedule, run by every scheduler process.
- ``requests``/``flags``: one-off runs and pause flags shared through the database.
- ``dispatch``/``celery_app``: running a due target here or on a Celery worker.
- ``schema``: the tables all of these keep.
"""
