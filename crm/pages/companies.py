"""Companies: the list, a company's page with its people, adding and editing."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from peewee import JOIN, IntegrityError, fn

from crm.db import db
from crm.models import Application, Company, Contact, JobChange, utcnow
from crm.pages.forms import CompanyForm
from crm.pages.lookup import get_or_404
from crm.pagination import page_number, paginate
from crm.search import matching

bp = Blueprint("companies", __name__, url_prefix="/companies")


def get_company(company_id):
    """The company with this id, or a 404 page."""
    return get_or_404(Company, company_id)


@bp.get("")
def index():
    """List companies with how many people you know there."""
    q = request.args.get("q", "").strip()
    people = fn.COUNT(Contact.id).alias("people")
    query = (Company.select(Company, people)
             .join(Contact, JOIN.LEFT_OUTER,
                   on=(Contact.company == Company.id) & Contact.archived_at.is_null())
             .group_by(Company.id).order_by(Company.name))
    if q:
        query = query.where(matching(Company, q))
    page = paginate(query, page_number(request.args.get("page")),
                    current_app.config["PER_PAGE"])
    return render_template("companies/list.html", page=page, q=q)


@bp.get("/<int:company_id>")
def detail(company_id):
    """A company's page: its people and your applications there."""
    company = get_company(company_id)
    people = company.contacts.order_by(Contact.archived_at.is_null(False), Contact.name)
    applications = company.applications.order_by(Application.created_at.desc())
    # Someone who left and came back is among the people, not the past people.
    past = {change.contact_id: change for change in JobChange.past_people(company)}
    return render_template("companies/detail.html", company=company, people=people,
                           past_people=list(past.values()), applications=applications)


@bp.route("/new", methods=["GET", "POST"])
def create():
    """Add a company."""
    return edit_form(Company(), "Added")


@bp.route("/<int:company_id>/edit", methods=["GET", "POST"])
def edit(company_id):
    """Change a company's name, website or notes."""
    return edit_form(get_company(company_id), "Saved")


def edit_form(company, verb):
    """Show the company form and save it when valid; a taken name is a form error."""
    form = CompanyForm(obj=company)
    if form.validate_on_submit():
        try:
            with db.atomic():
                form.populate_obj(company)
                company.updated_at = utcnow()
                company.save()
                # Contacts are searched by company name, so a rename reindexes them.
                Contact.reindex(Contact.select().where(Contact.company == company))
        except IntegrityError:
            form.name.errors.append("A company with this name is already here.")
        else:
            flash(f"{verb} {company.name}.", "success")
            return redirect(url_for(".detail", company_id=company.id))
    return render_template("companies/form.html", form=form, company=company)
