"""Background jobs that `crm serve` runs on their intervals in one daemon thread."""

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
    """Start the jobs thread; set the `stop` event to end it."""
    stop = stop or threading.Event()
    jobs = list(app.extensions.get("crm.jobs", []))

    def loop():
        next_run = {job.name: 0.0 for job in jobs}
        while not stop.is_set():
            for job in jobs:
                if time.monotonic() >= next_run[job.name]:
                    next_run[job.name] = time.monotonic() + job.every_seconds
                    run_job(app, job)
            stop.wait(1)

    thread = threading.Thread(target=loop, name="crm-jobs", daemon=True)
    thread.start()
    return stop
