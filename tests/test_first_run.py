"""The first run: who signs the drafts, the time zone, the calendar's address; the demo."""

from support import CSRF_FIELD, load, settings_form

from crm.calendar_feed import subscription_urls
from crm.models import Contact
from crm.settings import base_url, get_setting


def welcome(**changes):
    return {"sender_name": "Jordan Rivera", "timezone": "Europe/Paris",
            "base_url": "http://localhost", **changes}


def test_a_fresh_database_asks_who_you_are_on_today(client):
    html = client.get("/").get_data(as_text=True)
    assert "Welcome to Followthrough" in html
    assert 'name="sender_name"' in html and 'action="/welcome"' in html
    assert '<select data-propose-zone id="timezone"' in html  # the browser proposes its zone
    assert 'value="http://localhost"' in html  # the address this page was asked at


def test_saving_the_first_run_signs_the_drafts_and_sets_the_zone(app, client, database):
    response = client.submit("/welcome", welcome(), form_page="/")
    assert response.status_code == 302 and response.location == "/"
    assert get_setting("sender_name") == "Jordan Rivera"
    assert get_setting("timezone") == "Europe/Paris"
    # The address the app was opened at is not pinned: links follow the port it runs on.
    assert get_setting("base_url") is None
    html = client.get("/").get_data(as_text=True)
    assert "Welcome, Jordan Rivera" in html and "Load the demo" in html
    assert 'name="sender_name"' not in html
    load(app)
    assert "Jordan Rivera" in client.get("/?all=1").get_data(as_text=True)


def test_a_public_address_is_kept_for_the_calendar_links(app, client, database):
    client.submit("/welcome", welcome(base_url="https://crm.example.org/"), form_page="/")
    with app.test_request_context(base_url="http://127.0.0.1:5077"):
        assert base_url() == "https://crm.example.org"
        assert subscription_urls()[0].startswith("https://crm.example.org/calendar/")
    settings = client.get("/settings").get_data(as_text=True)
    assert 'value="https://crm.example.org"' in settings


def test_a_bad_time_zone_is_refused_and_keeps_what_was_typed(client, database):
    response = client.submit("/welcome", welcome(timezone="Mars/Olympus",
                                                 base_url="https://crm.example.org"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Choose a time zone like America/New_York or Europe/Paris." in html
    assert 'value="Jordan Rivera"' in html and 'value="https://crm.example.org"' in html
    assert "data-propose-zone" not in html  # what the user chose is not overridden
    assert get_setting("sender_name") is None and get_setting("timezone") is None


def test_the_name_is_asked_for_and_a_bad_address_refused(client, database):
    html = client.submit("/welcome", welcome(sender_name=" ", base_url="javascript:alert(1)")
                         ).get_data(as_text=True)
    assert "Enter your name, or skip this step for now." in html
    assert "Enter a full web address, like https://example.com/page." in html
    assert get_setting("sender_name") is None and get_setting("base_url") is None


def test_skipping_leaves_the_questions_to_settings(client, database):
    response = client.submit("/welcome/skip", {}, form_page="/")
    assert response.status_code == 302
    html = client.get("/").get_data(as_text=True)
    assert "Skipped for now" in html and 'name="sender_name"' not in html
    assert "Load the demo" in html and get_setting("sender_name") is None


def test_an_address_book_without_a_name_is_reminded_on_today(app, client, database):
    load(app)
    html = client.get("/").get_data(as_text=True)
    assert "Your drafts are signed “[Your name]”" in html and 'href="/welcome"' in html
    client.submit("/settings", settings_form(sender_name="Jo Doe"))
    assert "Your drafts are signed" not in client.get("/").get_data(as_text=True)


def test_load_the_demo_from_the_empty_today_page(client, database):
    client.submit("/welcome/skip", {}, form_page="/")
    response = client.submit("/welcome/demo", {}, form_page="/")
    assert response.status_code == 302
    html = client.get("/").get_data(as_text=True)
    assert "Loaded the demo: 5 contacts" in html and "Bob Hale" in html
    assert Contact.select().count() == 5


def test_the_demo_is_refused_once_the_address_book_holds_someone(client, database):
    client.submit("/welcome/skip", {}, form_page="/")
    token = CSRF_FIELD.search(client.get("/").get_data(as_text=True)).group(1)
    Contact.create(name="Ada Lovelace")
    response = client.post("/welcome/demo", data={"csrf_token": token})
    assert response.status_code == 302
    assert "The demo loads only into an empty address book" in client.get("/").get_data(True)
    assert [c.name for c in Contact.select()] == ["Ada Lovelace"]


def test_the_demo_needs_the_form_token(client, database):
    assert client.post("/welcome/demo").status_code == 400
    assert not Contact.select().exists()
