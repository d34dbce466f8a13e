"""Generated text and numbers thrown at every way data comes in: forms, imports, restore.

Whatever comes in, nothing raises or answers 500: it is refused with a message and the
database is unchanged, or it is stored and every page and command still works with it.
Each example fills a form or file with values it takes, then types anything at all over a
field or two, so that both outcomes are tried. The examples are bounded to keep the suite
quick; --hypothesis-show-statistics shows how many were refused and stored.
"""

import csv
import io
import json
import re
from datetime import date, datetime, time

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from support import HOSTILE, contact_form, export, fill_every_table, writes

from crm.calendar_feed import feed_token
from crm.models import Contact, Event
from crm.transfer import importer
from crm.transfer.records import FormatError, PersonRecord
from crm.transfer.vcard import write_vcards

EXAMPLES = settings(max_examples=50, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])
FIELD_ERROR = re.compile(r'<p class="error" id="[\w-]+-error">[^<]{10,}</p>')

# Anything at all: every character but surrogates, text near the limits, the hostile list,
# and values that look right but are not.
ANYTHING = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=190, max_size=260),
    st.sampled_from(list(HOSTILE.values())),
    st.sampled_from(["bob@example.com?bcc=spy%40evil.example", "https://example.com/\r\nX: 1",
                     "javascript:alert(1)", "a@b", "Mars/Olympus", "-1", "0", "3651",
                     "99999999999999999999", "1e3", "Infinity"]),
    st.integers().map(str),
)
# Values the forms take: printable text, real addresses and zones, numbers in range.
LINE = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=40)
NAME = LINE.filter(lambda text: text.strip())
NOTES = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\x0b\x0c",
                              max_codepoint=0x7e) | st.sampled_from("\n\tëß李🎉"), max_size=200)
EMAIL = st.one_of(st.just(""), st.emails())
WEB = st.one_of(st.just(""), st.from_regex(r"https://[a-z]{1,12}\.example/[a-z0-9/-]{0,20}",
                                          fullmatch=True))
LINKEDIN = st.one_of(st.just(""), st.from_regex(r"https://www\.linkedin\.com/in/[a-z0-9-]{1,20}",
                                               fullmatch=True))
ZONE = st.sampled_from(["UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata"])


def typed(data, valid):
    """A form's fields: values it takes, with up to two typed over by anything at all."""
    values = {name: data.draw(strategy, label=name) for name, strategy in valid.items()}
    for name in data.draw(st.lists(st.sampled_from(sorted(valid)), max_size=2, unique=True),
                          label="typed over"):
        values[name] = data.draw(ANYTHING, label=f"{name} typed over")
    return values


def submitted(client, url, data):
    """Post a form; a refusal must say why next to a field and write nothing."""
    before = writes()
    response = client.submit(url, data)
    assert response.status_code in (200, 302), (url, response.status_code)
    event(f"{url}: {'stored' if response.status_code == 302 else 'refused'}")
    if response.status_code == 200:
        html = response.get_data(as_text=True)
        assert FIELD_ERROR.search(html) or 'role="alert"' in html, url
        assert writes() == before, f"{url} saved part of a refused form"
    return response


def pages_work(client, *urls):
    """Each page answers without an error."""
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 304), (url, response.status_code)


@EXAMPLES
@given(data=st.data())
def test_the_contact_form_refuses_or_stores_anything_typed(client, database, data):
    values = typed(data, {
        "name": NAME, "title": LINE, "company": LINE, "email": EMAIL, "phone": LINE,
        "linkedin_url": LINKEDIN, "cadence_days": st.integers(7, 3650).map(str), "tags": LINE,
        "notes": NOTES})
    response = submitted(client, "/contacts/new", contact_form(**values, save_anyway="y"))
    if response.status_code == 302:
        contact_id = Contact.select().order_by(Contact.id.desc()).get().id
        pages_work(client, response.location, f"/transfer/contacts/{contact_id}.vcf", "/")


@EXAMPLES
@given(data=st.data())
def test_the_event_form_refuses_or_stores_anything_typed(app, client, database, data):
    values = typed(data, {"name": NAME, "place": LINE, "url": WEB, "timezone": ZONE,
                          "notes": NOTES, "start_time": st.just("10:00"),
                          "end_time": st.just("11:30")})
    response = submitted(client, "/events/new", {
        **values, "start_on": "2026-12-01", "end_on": "", "people": "", "companies": ""})
    if response.status_code == 302:
        with app.test_request_context():
            token = feed_token()
        event_id = Event.select().order_by(Event.id.desc()).get().id
        pages_work(client, response.location, f"/events/{event_id}.ics",
                   f"/calendar/{token}.ics")


@EXAMPLES
@given(data=st.data())
def test_the_application_form_refuses_or_stores_anything_typed(client, database, data):
    values = typed(data, {"company": NAME, "position": NAME, "next_contact": LINE,
                          "people": NAME, "notes": NOTES, "applied_on": st.just("2026-11-01")})
    response = submitted(client, "/applications/new", {
        **values, "status": "applied", "decision_expected_on": "", "check_in_on": "",
        "closed_on": "", "next_steps": ""})
    if response.status_code == 302:
        pages_work(client, response.location, "/", "/companies")


@EXAMPLES
@given(data=st.data())
def test_the_settings_form_refuses_or_stores_anything_typed(client, database, data):
    page = client.get("/settings").get_data(as_text=True)
    shown = dict(re.findall(r'<input[^>]* name="(rule_\w+)"[^>]* value="(\d+)"', page))
    values = typed(data, {"sender_name": LINE, "timezone": ZONE,
                          "rule_max_unanswered_tries": st.integers(1, 10).map(str)})
    response = submitted(client, "/settings", {**shown, **values})
    if response.status_code == 302:
        pages_work(client, "/", "/calendar")


def csv_bytes(header, rows):
    """A CSV file as a spreadsheet writes it: cells quoted as needed."""
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    return out.getvalue().encode()


CSV_COLUMNS = {"Name": NAME, "Title": LINE, "Company": LINE, "Email": EMAIL, "Phone": LINE,
               "LinkedIn": LINKEDIN, "Tags": LINE, "Notes": NOTES}
LINKEDIN_COLUMNS = {"First Name": NAME, "Last Name": LINE, "URL": LINKEDIN,
                    "Email Address": EMAIL, "Company": LINE, "Position": LINE,
                    "Connected On": st.just("21 Nov 2026")}


def upload(data):
    """A contact file with a few people, one or two of their values typed over."""
    kind = data.draw(st.sampled_from(["csv", "linkedin", "vcard", "bytes"]), label="kind")
    if kind == "bytes":
        return "people.csv", data.draw(st.binary(max_size=200), label="bytes")
    columns = {"csv": CSV_COLUMNS, "linkedin": LINKEDIN_COLUMNS, "vcard": CSV_COLUMNS}[kind]
    people = [typed(data, columns) if number == 0 else
              {name: data.draw(strategy) for name, strategy in columns.items()}
              for number in range(data.draw(st.integers(1, 3), label="people"))]
    if kind == "vcard":
        return "people.vcf", write_vcards(PersonRecord(
            name=person["Name"], title=person["Title"], company=person["Company"],
            emails=(person["Email"],), phones=(person["Phone"],),
            linkedin_url=person["LinkedIn"], note=person["Notes"], tags=(person["Tags"],))
            for person in people).encode()
    name = "Connections.csv" if kind == "linkedin" else "people.csv"
    return name, csv_bytes(list(columns), [list(person.values()) for person in people])


@EXAMPLES
@given(data=st.data())
def test_an_import_refuses_with_a_message_or_stores_what_the_forms_take(client, database,
                                                                       data):
    filename, content = upload(data)
    before = writes()
    try:
        parsed = importer.read_upload(filename, content)
    except FormatError as error:
        event("import refused")
        assert str(error) and "Traceback" not in str(error)
        assert writes() == before
        return
    event("import stored")
    done = importer.write(parsed)
    written = [person.contact_id for person in done.new + done.updated]
    for contact in Contact.select().where(Contact.id.in_(written)):
        # What an import stored, the contact form takes back unchanged.
        response = client.submit(f"/contacts/{contact.id}/edit", contact_form(
            name=contact.name, title=contact.title, email=contact.email, phone=contact.phone,
            linkedin_url=contact.linkedin_url, notes=contact.notes,
            company=contact.company.name if contact.company else ""))
        assert response.status_code == 302, FIELD_ERROR.findall(response.get_data(as_text=True))
        pages_work(client, f"/contacts/{contact.id}", f"/transfer/contacts/{contact.id}.vcf")
    pages_work(client, "/", "/contacts")


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | ANYTHING,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(ANYTHING, children,
                                                                      max_size=3),
    max_leaves=4)


def like(value):
    """Values of the same kind as a backup's value: other dates for a date, and so on."""
    if isinstance(value, bool):
        return st.booleans()
    if isinstance(value, int):
        return st.integers(-10, 4000) | st.integers()
    if isinstance(value, str):
        for kind, moments in ((date, st.dates()), (datetime, st.datetimes()),
                              (time, st.times())):
            try:
                kind.fromisoformat(value)
            except ValueError:
                continue
            return moments.map(lambda moment: moment.isoformat())
        return LINE | NOTES | ANYTHING
    return JSON_VALUES


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_a_restore_refuses_with_a_message_or_leaves_every_page_working(app, runner, client,
                                                                      database, tmp_path,
                                                                      data):
    if not Contact.select().exists():
        fill_every_table()
    before = export(runner)
    document = json.loads(before)
    table = data.draw(st.sampled_from([name for name, rows in document["tables"].items()
                                       if rows]), label="table")
    row = data.draw(st.sampled_from(document["tables"][table]), label="row")
    column = data.draw(st.sampled_from(sorted(row)), label="column")
    row[column] = data.draw(like(row[column]) | JSON_VALUES, label="value")
    path, base = tmp_path / "generated.json", tmp_path / "base.json"
    path.write_text(json.dumps(document))
    base.write_bytes(before)
    result = runner.invoke(args=["restore", "--replace", str(path)])
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    event(f"restore {'refused' if result.exit_code else 'accepted'}")
    if result.exit_code == 1:
        assert "Nothing was restored." in result.output
        assert export(runner) == before
        return
    with app.test_request_context():
        token = feed_token()
    pages_work(client, "/", "/calendar", f"/calendar/{token}.ics", "/contacts", "/events",
               "/applications", "/settings")
    for command in (["digest"], ["export", "--format", "vcard"]):
        outcome = runner.invoke(args=command)
        assert outcome.exit_code == 0, (command, outcome.output, outcome.exception)
    # The next example starts from the same data.
    assert runner.invoke(args=["restore", "--replace", str(base)]).exit_code == 0
