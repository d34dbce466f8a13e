"""The News page, OPML in and out, and the feed buttons on a company's page."""

from urllib.parse import urlencode

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from crm.models import Company, Feed
from crm.news import feeds, queries
from crm.news.match import CONGRATULATE
from crm.news.opml import OpmlError
from crm.news.sync import plural
from crm.pages.forms import ConfirmForm
from crm.pages.lookup import as_id, get_or_404
from crm.pagination import page_number
from crm.settings import rules, today_for_user

bp = Blueprint("news", __name__)

MAX_OPML_BYTES = 5 * 1024 * 1024
# Summaries come from other people's sites: even sanitized, they may not run
# script, load images that track the reader, or frame anything.
CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' data:; script-src 'self'; "
                           "style-src 'self'; frame-src 'none'; object-src 'none'; "
                           "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")


class FeedForm(FlaskForm):
    url = StringField("Feed or website address",
                      [DataRequired("Enter the address of a feed or a website."), Length(max=2000)])


class OpmlForm(FlaskForm):
    file = FileField("OPML file", [FileRequired("Choose an OPML file.")])


@bp.after_request
def _forbid_outside_content(response):
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/news")
def index():
    """The latest articles, newest first, optionally of one company, with who they suit."""
    company_id = as_id(request.args.get("company"))
    company = Company.get_or_none(Company.id == company_id) if company_id else None
    page = queries.page_of_articles(company.id if company else None,
                                    page_number(request.args.get("page")),
                                    current_app.config["PER_PAGE"])
    return render_template("news/index.html", page=page, company=company,
                           readers=queries.readers(a.id for a in page.items),
                           companies=queries.companies_with_feeds(),
                           feed_count=Feed.select().count(), import_form=OpmlForm())


@bp.get("/news/feeds.opml")
def export_opml():
    """Download every feed as OPML, for another feed reader or a backup."""
    return Response(feeds.export_opml(), mimetype="text/x-opml",
                    headers={"Content-Disposition": 'attachment; filename="followthrough.opml"'})


@bp.post("/news/import")
def import_opml():
    """Follow the feeds of an uploaded OPML file, under the companies it names."""
    form = OpmlForm()
    if not form.validate_on_submit():
        for error in form.file.errors or ["The form expired; try again."]:
            flash(error, "error")
        return redirect(url_for(".index"))
    data = form.file.data.read(MAX_OPML_BYTES + 1)
    if len(data) > MAX_OPML_BYTES:
        flash("Nothing imported: the file is larger than 5 MB.", "error")
    else:
        try:
            report = feeds.import_opml(data)
        except OpmlError as error:
            flash(f"Nothing imported: {error}", "error")
        else:
            flash(report.line() + " They are fetched on the next refresh.", "success")
    return redirect(url_for(".index"))


@bp.post("/companies/<int:company_id>/feeds")
def add_feed(company_id):
    """Follow a feed for the company, from its address or the website announcing it."""
    company = get_or_404(Company, company_id)
    form = FeedForm()
    back = url_for("companies.detail", company_id=company.id)
    if not form.validate_on_submit():
        for error in form.url.errors or ["The form expired; try again."]:
            flash(error, "error")
        return redirect(back)
    try:
        feed, others, warning = feeds.add_feed(form.url.data, company)
    except feeds.FeedProblem as problem:
        flash(str(problem), "error")
        # The address comes back in the field, to correct it rather than retype it.
        return redirect(url_for("companies.detail", company_id=company.id,
                                feed_url=form.url.data))
    if warning:
        flash(warning, "warning")
        return redirect(back)
    message = feeds.fetch_now(feed)
    if others:
        message += " The page also announces " + ", ".join(others) + "."
    flash(message, "success")
    return redirect(back)


@bp.post("/companies/<int:company_id>/feeds/news-search")
def add_news_search(company_id):
    """Follow a news search for the company's name."""
    company = get_or_404(Company, company_id)
    if ConfirmForm().validate_on_submit():
        try:
            feed = feeds.add_news_search(company)
        except (feeds.FeedProblem, ValueError) as problem:
            flash(str(problem), "error")
        else:
            flash(feeds.fetch_now(feed), "success")
    return redirect(url_for("companies.detail", company_id=company.id))


@bp.post("/feeds/<int:feed_id>/retry")
def retry_feed(feed_id):
    """Fetch a failing or paused feed again now."""
    feed = get_or_404(Feed, feed_id)
    if ConfirmForm().validate_on_submit():
        flash(feeds.retry(feed), "success")
    return redirect(_company_page(feed))


@bp.post("/feeds/<int:feed_id>/delete")
def delete_feed(feed_id):
    """Stop following a feed; its articles go too (those you sent stay on the touches' notes)."""
    feed = get_or_404(Feed, feed_id)
    if ConfirmForm().validate_on_submit():
        count = feeds.delete(feed)
        flash(f"Stopped following {feed.title or feed.url} and removed its "
              f"{plural(count, 'article')}.", "success")
    return redirect(_company_page(feed))


def _company_page(feed):
    if feed.company_id:
        return url_for("companies.detail", company_id=feed.company_id)
    return url_for(".index")


@bp.app_template_global()
def send_url(contact_id, article_id, title, link, kind):
    """The touch form's address, filled in to log sending this article to the contact."""
    # The query is the same for everyone an article suits: encoded once per
    # page, not once per person, as the News page lists hundreds of these.
    queries_made = g.setdefault("news_send_queries", {})
    if (article_id, kind) not in queries_made:
        channel, verb = (("congratulations", "Congratulated them on") if kind == CONGRATULATE
                         else ("article", "Forwarded"))
        note = f"{verb} “{title}”" + (f"\n{link}" if link else "")
        queries_made[article_id, kind] = urlencode(
            {"channel": channel, "article_id": article_id, "note": note,
             "next": request.full_path})
    return url_for("touches.create", contact_id=contact_id) + "?" + queries_made[article_id, kind]


@bp.app_template_global()
def company_news(company):
    """For the company page: its feeds with their status, its latest articles, the forms."""
    found = queries.company_feeds(company)
    url = request.args.get("feed_url") or ("" if found else company.website)
    return {"feeds": [(feed, feeds.status(feed)) for feed in found],
            "articles": queries.company_articles(company),
            "form": FeedForm(formdata=None, url=url), "confirm": ConfirmForm()}


@bp.app_template_global()
def news_for_contact(contact):
    """For the contact page: recent articles matched to them and not sent to them yet."""
    if contact.status == "do_not_contact" or contact.archived:
        return []
    since = queries.news_window(today_for_user(), rules().news_max_age_days)
    return queries.worth_sending(contact, since)
