"""Search everything: one box in the navigation over contacts, companies, applications,
events and articles, accents and case ignored."""

from flask import Blueprint, render_template, request

from crm.models import Application, Article, Company, Contact, Event
from crm.search import matching

bp = Blueprint("search", __name__)

SHOWN = 10  # of each kind; the contact list pages through all the people found


@bp.get("/search")
def index():
    """What matches the words typed, grouped by kind, the first few of each."""
    q = request.args.get("q", "").strip()
    found = {}
    if q:
        companies = Company.select(Company.id).where(matching(Company, q))
        found = {
            "people": Contact.browse(q=q),
            "companies": Company.select().where(matching(Company, q)).order_by(Company.name),
            # An application is found by its own words or by its company's name.
            "applications": (Application.select(Application, Company).join(Company)
                             .where(matching(Application, q)
                                    | Application.company.in_(companies))
                             .order_by(Application.created_at.desc())),
            "events": Event.select().where(matching(Event, q)).order_by(Event.start_on.desc()),
            "articles": (Article.select().where(matching(Article, q),
                                                Article.duplicate_of.is_null())
                         .order_by(Article.published_at.desc())),
        }
        found = {kind: (list(query.limit(SHOWN)), query.count()) for kind, query in found.items()}
    return render_template("search/index.html", q=q, found=found)
