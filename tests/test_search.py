"""Search finds what a person types: accents and case ignored, words in any order, prefixes."""

from datetime import UTC, date, datetime

import pytest
from support import (
    ON_POSTGRES,
    another_program,
    contact_form,
    counting_queries,
    trigger_names,
)

from crm.models import Application, Article, Company, Contact, Event, Feed
from crm.search import INDEXED, index_name


def names(client, url):
    html = client.get(url).get_data(as_text=True)
    return html


@pytest.fixture
def people(client, database):
    for name, company, title in (("Zoë Müller", "Ångström Labs", "Talent partner"),
                                 ("Bob Hale", "Meridian Sports", "VP Partnerships"),
                                 ("José Núñez", "Meridian Sports", "Recruiter")):
        response = client.submit("/contacts/new", contact_form(name=name, company=company,
                                                                title=title))
        assert response.status_code == 302
    return database


@pytest.mark.parametrize("typed", ["muller", "MÜLLER", "zoe muller", "muller zoe", "zo mul",
                                   "angstrom", "talent"])
def test_the_contact_list_finds_zoe_muller_however_it_is_typed(client, people, typed):
    html = client.get("/contacts", query_string={"q": typed}).get_data(as_text=True)
    assert "Zoë Müller" in html and "Bob Hale" not in html, typed


def test_every_word_must_match_somewhere(client, people):
    html = client.get("/contacts?q=meridian recruiter").get_data(as_text=True)
    assert "José Núñez" in html and "Bob Hale" not in html
    assert "No contact matches" in client.get("/contacts?q=meridian zzz").get_data(as_text=True)


@pytest.mark.parametrize("typed", ['"', "*", 'zo" OR "bob', "NEAR(a b)", "-bob", "a:b", "^",
                                   "(", "%", "\\", "’"])
def test_search_syntax_typed_by_a_user_never_fails(client, people, typed):
    for url in ("/contacts", "/companies", "/search"):
        response = client.get(url, query_string={"q": typed})
        assert response.status_code == 200, (url, typed)
    html = client.get("/search", query_string={"q": typed}).get_data(as_text=True)
    # Only the words count: "zo OR bob" is three words, none of them an operator.
    assert ("Bob Hale" in html) == (typed == "-bob"), typed


def test_one_box_searches_people_companies_applications_events_and_articles(client, people):
    meridian = Company.get(Company.name == "Meridian Sports")
    Application.create(company=meridian, position="Partnership Strategy Manager")
    Event.create(name="Sports Sponsorship Summit", start_on=date(2026, 12, 10),
                 end_on=date(2026, 12, 11), place="Javits Center")
    feed = Feed.create(url="https://meridian.example/feed", company=meridian)
    Article.create(feed=feed, identity="a", link="https://meridian.example/a",
                   title="Meridian signs a stadium deal", published_at=datetime.now(UTC))
    html = client.get("/search?q=meridian").get_data(as_text=True)
    for found in ("Bob Hale", "José Núñez", "Meridian Sports", "Partnership Strategy Manager",
                  "Meridian signs a stadium deal"):
        assert found in html, found
    assert "Sports Sponsorship Summit" not in html
    assert "Sports Sponsorship Summit" in client.get("/search?q=javits").get_data(True)
    assert "Nothing matches" in client.get("/search?q=nobody").get_data(True)


def test_the_index_follows_edits_deletes_and_writes_from_other_programs(app, client, people):
    zoe = Contact.get(Contact.name == "Zoë Müller")
    client.submit(f"/contacts/{zoe.id}/edit", contact_form(name="Zoë Schmidt",
                                                            company="Ångström Labs"))
    assert "Zoë Schmidt" in client.get("/contacts?q=schmidt").get_data(True)
    assert "No contact matches" in client.get("/contacts?q=muller").get_data(True)
    with another_program(app) as other:
        other.execute("UPDATE company SET name = 'Nordlicht GmbH' WHERE name = 'Ångström Labs'")
        other.execute("DELETE FROM contact WHERE name = 'Bob Hale'")
    html = client.get("/search?q=nordlicht").get_data(as_text=True)
    assert "Nordlicht GmbH" in html
    assert "Bob Hale" not in client.get("/search?q=hale").get_data(True)


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's FTS5 tables and their triggers; "
                    "PostgreSQL indexes the columns themselves (migration 0018)")
def test_every_searched_table_has_its_index_and_triggers(database):
    triggers = trigger_names()
    for model in INDEXED:
        assert database.table_exists(index_name(model)), model
        for event in ("insert", "update", "delete"):
            assert f"{model._meta.table_name}_{event}_searched" in triggers, (model, event)


def test_searching_costs_the_same_queries_however_many_rows(client, people, database):
    def queries(url):
        with counting_queries() as sent:
            client.get(url)
        return len(sent)

    few = queries("/search?q=meridian")
    for n in range(30):
        client.submit("/contacts/new", contact_form(name=f"Meridian person {n}",
                                                    company="Meridian Sports"))
    assert queries("/search?q=meridian") == few


def test_a_restored_backup_is_searchable_at_once(client, people, runner, tmp_path):
    backup = tmp_path / "backup.json"
    assert runner.invoke(args=["export", "-o", str(backup)]).exit_code == 0
    assert runner.invoke(args=["restore", "--replace", str(backup)]).exit_code == 0
    assert "Zoë Müller" in client.get("/search?q=muller").get_data(as_text=True)
