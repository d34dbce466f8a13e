"""Companies: the list with their people counts, a company's page, the form."""

from support import contact_form

from crm.models import Company


def test_company_page_lists_its_people_and_the_list_counts_them(client, database):
    for name in ("Bob Hale", "Dana Whitfield"):
        client.submit("/contacts/new", contact_form(name=name, company="Meridian"))
    client.submit("/contacts/new", contact_form(name="Sam", company="Northwind"))
    listing = client.get("/companies").get_data(as_text=True)
    assert "Meridian" in listing and "Northwind" in listing
    assert '<td data-label="People">2</td>' in listing
    meridian = Company.get(Company.name == "Meridian")
    page = client.get(f"/companies/{meridian.id}").get_data(as_text=True)
    assert "Bob Hale" in page and "Dana Whitfield" in page and "Sam" not in page


def test_company_names_are_matched_without_case(client, database):
    client.submit("/contacts/new", contact_form(name="A", company="Meridian"))
    client.submit("/contacts/new", contact_form(name="B", company="MERIDIAN"))
    assert Company.select().count() == 1


def test_renaming_a_company_keeps_its_people_searchable(client, database):
    client.submit("/contacts/new", contact_form(name="Bob", company="Meridian"))
    company = Company.get(Company.name == "Meridian")
    client.submit(f"/companies/{company.id}/edit",
                  {"name": "Meridian Sports", "website": "https://meridian.example", "notes": ""})
    assert "Bob" in client.get("/contacts?q=sports").get_data(as_text=True)


def test_taken_company_name_is_a_form_error_not_a_crash(client, database):
    client.submit("/companies/new", {"name": "Acme", "website": "", "notes": ""})
    response = client.submit("/companies/new", {"name": "acme", "website": "nope",
                                                "notes": "typed"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter a full web address" in html and "typed" in html
    response = client.submit("/companies/new", {"name": "acme", "website": "", "notes": "x"})
    assert "A company with this name is already here." in response.get_data(as_text=True)
    assert Company.select().count() == 1


def test_company_search(client):
    for name in ("Acme", "Northwind", "Acme Labs"):
        client.submit("/companies/new", {"name": name, "website": "", "notes": ""})
    html = client.get("/companies?q=acme").get_data(as_text=True)
    assert "Acme Labs" in html and "Northwind" not in html
