"""Background jobs that `crm serve` runs on their intervals, each in a daemon thread of its own."""

import logging
import threading
import time
from dataclasses import dataclass

from crm.db import db

log = logging.getLogger(__name__)


@dataclass
class Job:
    name: str
    every_seconds: float
    function: object  # called with the app, inside an app context


def register(app, name, every_seconds, function):
    """Add a job for `crm serve` to run every so many seconds (first run at start)."""
    app.extensions.setdefault("crm.jobs", []).append(Job(name, every_seconds, function))


def run_job(app, job):
    """Run one job with its own database connection; a failure is logged, never raised."""
    with app.app_context():
        db.connect(reuse_if_open=True)
        try:
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
