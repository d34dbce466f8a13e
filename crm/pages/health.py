"""The health check."""

from flask import Blueprint

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
