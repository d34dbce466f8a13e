"""The health check, and the pages the later features fill in."""

from flask import Blueprint, render_template
from peewee import JOIN

from crm.db import db
from crm.models import Article, Company, Feed

bp = Blueprint("pages", __name__)


@bp.get("/news")
def news():
    """The latest articles from the companies' feeds."""
    articles = (Article.select(Article, Feed, Company).join(Feed).join(Company, JOIN.LEFT_OUTER)
                .order_by(Article.published_at.desc()).limit(50))
    return render_template("pages/news.html", articles=articles)


@bp.get("/healthz")
def healthz():
    """Answer 200 when the database answers, 503 when it does not."""
    try:
        db.execute_sql("SELECT 1").fetchone()
    except Exception as exc:  # any database failure means unhealthy
        return {"status": "error", "error": str(exc)}, 503
    return {"status": "ok"}
