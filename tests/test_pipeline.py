"""Applications as a pipeline: the fields job seekers track, the board, What works, the CSV."""

import csv
import io
from datetime import timedelta

from support import TODAY, application_form, counting_queries, interview_form, load, writes

from crm.models import Application, Company, Contact, Interview


def add(client, **fields):
    """Add an application through the form; return it."""
    response = client.submit("/applications/new", application_form(**fields))
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    return Application.get_by_id(int(response.location.rsplit("/", 1)[1]))


def html(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_the_tracked_fields_are_saved_and_shown(client, database):
    bob = Contact.create(name="Bob Hale")
    application = add(
        client, source="referral", referrer="Bob Hale",
        posting_url="https://jobs.example.com/42", location="New York, NY", work_mode="hybrid",
        salary_min="95000", salary_max="120000", currency="USD", resume_version="2026-11 sports",
        cover_letter_version="v3", job_description="Own partnerships.\nTravel 20%.")
    assert application.referrer_id == bob.id and application.work_mode == "hybrid"
    page = html(client, f"/applications/{application.id}")
    for text in ("Referral", "Bob Hale", "https://jobs.example.com/42", "New York, NY · Hybrid",
                 "95,000–120,000 USD", "2026-11 sports", "v3", "Travel 20%."):
        assert text in page, text
    form = html(client, f"/applications/{application.id}/edit")
    assert 'value="Bob Hale"' in form and 'value="95000"' in form


def test_a_new_referrer_becomes_a_contact(client, database):
    application = add(client, source="referral", referrer="Jo  Friend")
    assert application.referrer.name == "Jo Friend"
    assert application.referrer.company is None


def test_bad_tracked_fields_change_nothing_and_keep_what_was_typed(client, database):
    before = writes()
    response = client.submit("/applications/new", application_form(
        posting_url="javascript:alert(1)", salary_min="120000", salary_max="90000",
        location="Somewhere nice", work_mode="on the moon"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter a full web address" in page
    assert "at least the “from” amount" in page
    assert "Not a valid choice" in page
    assert 'value="Somewhere nice"' in page and 'value="120000"' in page
    assert Application.select().count() == 0 and writes() == before


def test_moving_out_of_applied_records_the_first_answer(client, database):
    application = add(client, applied_on=(TODAY - timedelta(days=9)).isoformat())
    client.submit(f"/applications/{application.id}/move", {"status": "interviewing"},
                  form_page="/applications/board")
    moved = Application.get_by_id(application.id)
    assert moved.status == "interviewing" and moved.answered_on == TODAY
    client.submit(f"/applications/{application.id}/move", {"status": "offer"},
                  form_page="/applications/board")
    assert Application.get_by_id(application.id).answered_on == TODAY  # kept: the first answer


def board_column(page, status):
    """The HTML of one column of the board."""
    start = page.index(f'data-status="{status}"')
    end = page.find('<section class="column"', start)
    return page[start:end if end != -1 else page.index("closed-column")]


def test_the_board_shows_a_column_per_open_status_with_people_and_next_steps(app, client,
                                                                               database):
    load(app)
    page = html(client, "/applications/board")
    interviewing = board_column(page, "interviewing")
    assert "Senior Partnerships Analyst" in interviewing and "Northwind Athletics" in interviewing
    assert "Send the marathon sponsorship figures Sam asked for." in interviewing
    # Sam's follow-through letter is due: his initials carry the dot.
    assert "Sam Okafor, a suggestion is due" in interviewing and ">SO<" in interviewing
    assert "Senior Partnerships Analyst" not in board_column(page, "applied")
    closed = page[page.index("closed-column"):]
    assert "Manager of Partnership Strategy and Service" in closed and "Rejected" in closed
    listed = html(client, "/applications?status=closed")
    assert "Manager of Partnership Strategy and Service" in listed
    assert "Senior Partnerships Analyst" not in listed


def test_the_next_step_falls_back_to_the_next_date(client, database):
    add(client, position="Analyst", check_in_on=(TODAY + timedelta(days=4)).isoformat())
    page = board_column(html(client, "/applications/board"), "applied")
    assert "Check in" in page and (TODAY + timedelta(days=4)).isoformat() in page


def test_a_move_button_changes_the_status_like_the_status_form(app, client, database):
    load(app)
    northwind = Application.get(Application.status == "interviewing")
    page = html(client, "/applications/board")
    assert f'action="/applications/{northwind.id}/move"' in page
    assert 'name="status" value="rejected"' in page
    response = client.submit(f"/applications/{northwind.id}/move", {"status": "rejected"},
                             form_page="/applications/board")
    assert response.status_code == 302 and "/applications/board" in response.location
    after = client.get(response.location).get_data(as_text=True)
    assert "Moved Senior Partnerships Analyst at Northwind Athletics to rejected." in after
    assert "Now long-term contacts: Sam Okafor." in after
    assert Contact.get(Contact.name == "Sam Okafor").status == "long_term"
    assert Application.get_by_id(northwind.id).closed_on == TODAY


def test_a_bad_move_says_so_and_changes_nothing(app, client, database):
    load(app)
    northwind = Application.get(Application.status == "interviewing")
    before = writes()
    response = client.submit(f"/applications/{northwind.id}/move", {"status": "promoted"},
                             form_page="/applications/board")
    assert "was not moved: Not a valid choice" in client.get(response.location).get_data(True)
    assert writes() == before
    assert client.post(f"/applications/{northwind.id}/move", data={"status": "offer"}
                       ).status_code == 400  # no CSRF token
    assert client.post("/applications/99999/move").status_code in (400, 404)


def test_the_board_and_what_works_read_a_fixed_number_of_queries(app, client, database):
    def queries_for(url):
        client.get(url)  # the suggestions' snapshot brought up to date first
        with counting_queries() as sent:
            html(client, url)
        return len(sent)

    load(app)
    few = [queries_for(url) for url in ("/applications/board", "/applications/stats")]
    meridian = next(c for c in Company.select() if "Meridian" in c.name)
    bob = Contact.get(Contact.name == "Bob Hale")
    for n in range(15):
        application = Application.create(company=meridian, position=f"Role {n}",
                                         status=("applied", "interviewing", "offer")[n % 3],
                                         referrer=bob, source="referral")
        Interview.create(application=application, starts_at=TODAY + timedelta(days=3))
    assert [queries_for(url) for url in ("/applications/board", "/applications/stats")] == few


def test_what_works_counts_sources_referrals_and_answers(client, database):
    Contact.create(name="Bob Hale")
    for n in range(3):
        add(client, position=f"Cold {n}", source="job_board",
            applied_on=(TODAY - timedelta(days=20)).isoformat())
    referred = add(client, position="Warm", source="referral", referrer="Bob Hale",
                   applied_on=(TODAY - timedelta(days=10)).isoformat())
    client.submit(f"/applications/{referred.id}/interviews/new",
                  interview_form(("Dana Whitfield", "", ""),
                                 on_date=(TODAY - timedelta(days=2)).isoformat()))
    Application.update(status="interviewing",
                       answered_on=TODAY - timedelta(days=4)).where(
        Application.id == referred.id).execute()
    page = html(client, "/applications/stats")
    assert "<strong>100%</strong> of your interviews came through a person: 1 of 1" in page
    assert "<strong>4</strong> processes open" in page
    figures = {name: page[page.index(f'id="figures-{name}"'):] for name in (
        "weekly", "open", "referral-answers", "referral-interviews", "source-answers",
        "source-interviews", "wait")}
    assert "<th scope=\"row\">Referred by someone (1)</th><td>100% (1 of 1)</td>" in figures[
        "referral-answers"]
    assert "<th scope=\"row\">Without a referral (3)</th><td>0% (0 of 3)</td>" in figures[
        "referral-answers"]
    assert "<th scope=\"row\">Job board (3)</th><td>0.00 (0 in 3)</td>" in figures[
        "source-interviews"]
    assert "<th scope=\"row\">4 to 7 days</th><td>1</td>" in figures["wait"]
    assert page.count("<svg class=\"chart\"") == 7 and page.count('role="img"') == 7


def test_what_works_with_nothing_yet_says_so(client, database):
    page = html(client, "/applications/stats")
    assert "No interview recorded yet" in page and "No application yet." in page


def test_applications_in_the_csv_export(app, client, runner, database):
    load(app)
    Application.update(source="referral", referrer=Contact.get(Contact.name == "Bob Hale"),
                       salary_min=90000, notes="=HYPERLINK(\"x\")").where(
        Application.status == "interviewing").execute()
    response = client.get("/transfer/applications.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "applications.csv" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    northwind = next(r for r in rows if r["Company"] == "Northwind Athletics")
    assert northwind["Status"] == "Interviewing" and northwind["Source"] == "Referral"
    assert northwind["Referred by"] == "Bob Hale" and northwind["Salary from"] == "90000"
    assert northwind["People"] == "Sam Okafor" and northwind["Interviews"] == "1"
    assert northwind["Notes"].startswith("'=")  # a formula stays text in a spreadsheet
    meridian = next(r for r in rows if r["Company"] != "Northwind Athletics")
    assert meridian["People"] == "Bob Hale; Dana Whitfield; Maria Lopez; Priya Shah"
    result = runner.invoke(args=["export", "--format", "csv", "--applications"])
    assert result.exit_code == 0 and result.output.lstrip("\ufeff") == response.get_data(
        as_text=True).lstrip("\ufeff").replace("\r\n", "\n")
    assert runner.invoke(args=["export", "--format", "vcard", "--applications"]).exit_code == 2


def test_the_referrer_s_page_tells_the_referral(client, database):
    ana = Contact.create(name="Ana Lee")
    add(client, position="Analyst", company="Globex", source="referral", referrer="Ana Lee")
    assert "Referred you for Analyst at Globex (applied)" in html(client, f"/contacts/{ana.id}")


def test_migration_0013_keeps_every_application(tmp_path):
    from peewee import SqliteDatabase

    from crm.db import db as proxy
    from crm.schema import migration_runner

    database = SqliteDatabase(str(tmp_path / "old.db"))
    proxy.initialize(database)
    with database.connection_context():
        migration_runner().up("0008_change_log")
        database.execute_sql("INSERT INTO company (name, website, notes, created_at, updated_at) "
                             "VALUES ('Acme', '', '', '2026-01-01', '2026-01-01')")
        database.execute_sql(
            "INSERT INTO application (company_id, position, status, applied_on, next_steps, "
            "next_contact, notes, created_at, updated_at) VALUES (1, 'Analyst', 'interviewing', "
            "'2026-10-01', 'Call back', 'HR', 'kept', '2026-10-01', '2026-10-01')")
        assert "0013_application_tracking" in migration_runner().up()
        application = Application.get()
    # 0009 keeps a point-of-contact text naming nobody at the end of the notes.
    assert (application.position, application.status) == ("Analyst", "interviewing")
    assert application.notes.startswith("kept")
    assert (application.source, application.referrer_id, application.salary_min,
            application.resume_file, application.job_description) == ("", None, None, "", "")
