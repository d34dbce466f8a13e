"""Background jobs that `crm serve` runs on their intervals, each in a daemon thread of its own.

Several `crm serve` processes may share one database (two servers behind a
proxy): a job runs in the process that first claims its lease for the
interval (`job_lease`, migration 0019), so it runs once, not once per process.
Not in `crm.models.MODELS`, as logins are not: a lease is no data to back up.
"""

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

from peewee import CharField, DateTimeField, Model

from crm.db import db
from crm.models import utcnow

log = logging.getLogger(__name__)


@dataclass
class Job:
    name: str
    every_seconds: float
    function: object  # called with the app, inside an app context


class JobLease(Model):
    name = CharField(primary_key=True)
    until = DateTimeField()  # no other process runs the job before then
    holder = CharField(default="")  # host and process id, for an administrator's eyes

    class Meta:
        database = db
        table_name = "job_lease"


def claim(job):
    """Take the job's lease for its interval; False when another process holds it."""
    now = utcnow()
    holder = f"{socket.gethostname()}:{os.getpid()}"[:255]
    # A little short of the interval: the thread wakes an interval after it started,
    # a moment before its last claim's interval ends.
    until = now + timedelta(seconds=job.every_seconds * 0.9)
    JobLease.insert(name=job.name, until=now, holder=holder).on_conflict_ignore().execute()
    # One UPDATE decides: of two processes claiming at once, one changes the row.
    return JobLease.update(until=until, holder=holder).where(
        JobLease.name == job.name, JobLease.until <= now).execute() == 1


def register(app, name, every_seconds, function):
    """Add a job for `crm serve` to run every so many seconds (first run at start)."""
    app.extensions.setdefault("crm.jobs", []).append(Job(name, every_seconds, function))


def run_job(app, job):
    """Run one job with its own database connection, unless another process has it this
    interval; a failure is logged, never raised."""
    with app.app_context():
        db.connect(reuse_if_open=True)
        try:
            if claim(job):
                job.function(app)
        except Exception:  # a failing job must not stop the others or the server
            log.exception("Background job %s failed", job.name)
        finally:
            db.close()


def start(app, stop=None):
    """Start one thread per job; set the `stop` event to end them."""
    stop = stop or threading.Event()
    for job in app.extensions.get("crm.jobs", []):
        # A thread each, so that a refresh waiting on slow feeds never holds up
        # the digest or any other job.
        thread = threading.Thread(target=_every, args=(app, job, stop), name=f"crm-job-{job.name}",
                                  daemon=True)
        thread.start()
    return stop


def _every(app, job, stop):
    while not stop.is_set():
        started = time.monotonic()
        run_job(app, job)
        stop.wait(max(0.0, started + job.every_seconds - time.monotonic()))
