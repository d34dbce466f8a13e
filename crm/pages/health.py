"""The health check, and the icon browsers ask for at the root."""

from flask import Blueprint, current_app

from crm.db import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Answer 200 when the database answers, 503 when it does not."""
    try:
        db.execute_sql("SELECT 1").fetchone()
    except Exception as exc:  # any database failure means unhealthy
        return {"status": "error", "error": str(exc)}, 503
    return {"status": "ok"}


@bp.get("/favicon.ico")
def favicon():
    """Browsers and feed readers ask for /favicon.ico whatever the page says: the icon."""
    return current_app.send_static_file("favicon.svg")
