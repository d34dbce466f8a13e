"""Keeping and browsing contacts: the list, a contact's page, and the forms."""

import re

from support import contact_form, counting_queries

from crm.models import Contact, Touch


def add(client, **fields):
    """Add a contact through the form and return the response."""
    return client.submit("/contacts/new", contact_form(**fields))


def names_on(response):
    """The contact names listed on a page of the contact list, in order."""
    html = response.get_data(as_text=True)
    return re.findall(r'<a href="/contacts/\d+">([^<]+)</a>', html)


def test_adding_a_contact_shows_their_page(client):
    response = add(client, name="Bob Hale", title="VP, Partnerships",
                   company="Meridian", email="Bob.Hale@Example.com ",
                   tags="sports sponsorship, Yankees fan", notes="Yankees fan")
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "Bob Hale" in page and "VP, Partnerships" in page and "Meridian" in page
    assert "bob.hale@example.com" in page
    assert "sports sponsorship" in page and "Yankees fan" in page


def test_invalid_form_shows_errors_and_keeps_what_was_typed(client, database):
    response = add(client, name="", title="Recruiter", email="not-an-email",
                   linkedin_url="linkedin", cadence_days="2")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "A contact needs a name." in html
    assert "Enter an email address like name@example.com" in html
    assert "Enter a full web address" in html
    assert "Choose between 7 and 3650 days." in html
    assert 'value="Recruiter"' in html and 'value="not-an-email"' in html
    assert Contact.select().count() == 0


def test_post_without_csrf_token_is_refused(client, database):
    response = client.post("/contacts/new", data=contact_form(name="Mallory"))
    assert response.status_code == 400
    assert "form has expired" in response.get_data(as_text=True)
    assert Contact.select().count() == 0


def test_editing_changes_fields_company_and_tags(client, database):
    add(client, name="Dana", company="Meridian", tags="a, b")
    contact = Contact.get(Contact.name == "Dana")
    response = client.submit(f"/contacts/{contact.id}/edit",
                             contact_form(name="Dana Whitfield", company="Northwind",
                                          tags="b, c", status="long_term"))
    assert response.status_code == 302
    page = client.get(f"/contacts/{contact.id}").get_data(as_text=True)
    assert "Dana Whitfield" in page and "Northwind" in page and "Long-term contact" in page
    assert Contact.get_by_id(contact.id).tag_names() == ["b", "c"]
    assert names_on(client.get("/contacts?q=northwind")) == ["Dana Whitfield"]


def test_archived_contacts_leave_the_list_and_can_come_back(client, database):
    add(client, name="Priya Shah")
    contact = Contact.get(Contact.name == "Priya Shah")
    client.submit(f"/contacts/{contact.id}/archive", {}, form_page=f"/contacts/{contact.id}")
    assert names_on(client.get("/contacts")) == []
    assert names_on(client.get("/contacts?archived=1")) == ["Priya Shah"]
    assert "archived" in client.get(f"/contacts/{contact.id}").get_data(as_text=True)
    client.submit(f"/contacts/{contact.id}/archive", {}, form_page=f"/contacts/{contact.id}")
    assert names_on(client.get("/contacts")) == ["Priya Shah"]


def test_delete_asks_first_then_removes_contact_and_history(client, database):
    add(client, name="Sam Okafor")
    contact = Contact.get(Contact.name == "Sam Okafor")
    contact.record_touch(happened_on="2026-11-01", channel="email")
    confirm = client.get(f"/contacts/{contact.id}/delete").get_data(as_text=True)
    assert "Delete Sam Okafor?" in confirm
    assert Contact.select().count() == 1
    client.submit(f"/contacts/{contact.id}/delete", {})
    assert Contact.select().count() == 0 and Touch.select().count() == 0
    assert client.get(f"/contacts/{contact.id}").status_code == 404


def test_duplicate_warning_names_the_existing_contact(client, database):
    add(client, name="Bob Hale", company="Meridian", email="bob@example.com",
        linkedin_url="https://www.linkedin.com/in/bobhale")
    for fields in ({"name": "Robert Hale", "email": "BOB@example.com"},
                   {"name": "R. Hale", "linkedin_url": "http://linkedin.com/in/BobHale/"},
                   {"name": "Bob Hale", "company": "meridian"}):
        response = add(client, **fields)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, fields
        assert "This looks like someone you already have" in html and "Bob Hale" in html
    assert Contact.select().count() == 1
    response = add(client, name="Bob Hale", company="Meridian", save_anyway="y")
    assert response.status_code == 302
    assert Contact.select().count() == 2


def test_search_finds_name_company_title_email_tag_and_note(client):
    add(client, name="Bob Hale", company="Meridian Sports", title="VP Partnerships",
        email="bob@meridian.example", tags="Yankees fan", notes="Loves the Bronx")
    add(client, name="Zoë Ångström", company="Northwind", title="Recruiter")
    for query in ("hale", "MERIDIAN", "partnerships", "bob@meridian", "yankees", "bronx",
                  "bob meridian"):
        assert names_on(client.get("/contacts", query_string={"q": query})) == ["Bob Hale"], query
    assert names_on(client.get("/contacts?q=zoë ÅNGSTRÖM")) == ["Zoë Ångström"]
    assert names_on(client.get("/contacts?q=%25")) == []
    assert "No contact matches" in client.get("/contacts?q=nobody").get_data(as_text=True)


def test_each_filter_narrows_the_list(client):
    add(client, name="Ann", status="long_term", role="recruiter", company="Acme", tags="golf")
    add(client, name="Ben", status="active", role="interviewer", company="Beta", tags="chess")
    add(client, name="Cy", status="do_not_contact", role="interviewer", company="Acme")
    assert names_on(client.get("/contacts?status=long_term")) == ["Ann"]
    assert names_on(client.get("/contacts?role=interviewer")) == ["Ben", "Cy"]
    assert names_on(client.get("/contacts?company=acme")) == ["Ann", "Cy"]
    assert names_on(client.get("/contacts?tag=chess")) == ["Ben"]
    assert names_on(client.get("/contacts?role=interviewer&company=Acme")) == ["Cy"]


def test_sorts_by_name_company_last_contact_and_date_added(client, database):
    add(client, name="Carla", company="Alpha")
    add(client, name="Abe", company="Gamma")
    add(client, name="Bea")
    Contact.get(Contact.name == "Bea").record_touch(happened_on="2026-11-20")
    Contact.get(Contact.name == "Abe").record_touch(happened_on="2026-10-01")
    assert names_on(client.get("/contacts")) == ["Abe", "Bea", "Carla"]
    assert names_on(client.get("/contacts?sort=company")) == ["Carla", "Abe", "Bea"]
    assert names_on(client.get("/contacts?sort=last_contact")) == ["Bea", "Abe", "Carla"]
    assert names_on(client.get("/contacts?sort=added")) == ["Bea", "Abe", "Carla"]
    assert names_on(client.get("/contacts?sort=bogus")) == ["Abe", "Bea", "Carla"]


def test_pagination_walks_every_contact_once(client, database):
    for n in range(23):
        Contact.create(name=f"Person {n:02}", search_text=f"person {n:02}")
    first = client.get("/contacts").get_data(as_text=True)
    assert "23 contacts" in first and "Page 1 of 3" in first
    seen = []
    for number in (1, 2, 3):
        seen += names_on(client.get(f"/contacts?page={number}"))
    assert seen == [f"Person {n:02}" for n in range(23)]
    assert names_on(client.get("/contacts?page=99")) == ["Person 20", "Person 21", "Person 22"]
    assert names_on(client.get("/contacts?page=abc"))[0] == "Person 00"


def test_contact_page_tells_the_story_newest_first(client, database):
    add(client, name="Bob Hale")
    bob = Contact.get(Contact.name == "Bob Hale")
    bob.record_touch(happened_on="2026-11-02", channel="email", note="Follow-through letter")
    bob.record_touch(happened_on="2026-11-09", channel="voicemail", note="Checked in")
    bob.record_touch(happened_on="2026-11-12", channel="email", direction="in",
                     note="Thanks, still deciding")
    page = client.get(f"/contacts/{bob.id}").get_data(as_text=True)
    order = [page.index(text) for text in ("Thanks, still deciding", "Checked in",
                                           "Follow-through letter")]
    assert order == sorted(order)
    assert "They replied" in page


def test_list_page_query_count_does_not_grow_with_rows(client, database):
    def queries_for(url):
        with counting_queries() as sent:
            client.get(url)
        return len(sent)

    for n in range(3):
        add(client, name=f"Few {n}", company=f"Co {n}", tags="x, y")
    few = queries_for("/contacts")
    for n in range(30):
        add(client, name=f"Many {n}", company=f"Co {n}", tags=f"x, t{n}")
    assert queries_for("/contacts") == few
    assert queries_for("/contacts?q=many&sort=company&tag=x") == few


def test_ids_too_large_for_the_database_are_a_404_or_ignored(client):
    for url in ("/contacts/99999999999999999999", "/companies/99999999999999999999/edit",
                "/events/99999999999999999999", "/events/99999999999999999999.ics"):
        assert client.get(url).status_code == 404, url
    # A filter naming no company that can exist shows everything, as an unknown one does.
    assert client.get("/news?company=99999999999999999999").status_code == 200


def test_a_form_sent_with_fields_missing_saves_what_it_has(client, database):
    response = client.submit("/contacts/new", {"name": "Only A Name"})
    assert response.status_code == 302
    assert Contact.get(Contact.name == "Only A Name").title == ""
