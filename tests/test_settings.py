"""The settings page: the playbook's timings, the time zone, the sender, the resume."""

from support import load, settings_form

from crm.settings import get_setting, rules


def test_changed_rule_changes_the_playbook(app, client, database):
    response = client.submit("/settings", settings_form(rule_long_term_cadence_days="30",
                                                         sender_name="Jo Doe"))
    assert response.status_code == 302
    assert rules().long_term_cadence_days == 30 and get_setting("sender_name") == "Jo Doe"
    html = client.get("/settings").get_data(as_text=True)
    assert 'value="30"' in html and "Settings saved." in html


def test_out_of_range_rule_is_an_error_that_keeps_input(app, client, database):
    response = client.submit("/settings", settings_form(rule_max_unanswered_tries="99",
                                                         timezone="Mars/Olympus"))
    html = response.get_data(as_text=True)
    assert "Choose between 1 and 10." in html
    assert "Choose a time zone like America/New_York or Europe/Paris." in html
    assert 'value="99"' in html
    assert rules().max_unanswered_tries == 3 and get_setting("timezone") is None


def test_drafts_are_signed_with_the_sender_name(app, client, database):
    load(app)
    client.submit("/settings", settings_form(sender_name="Jordan Rivera"))
    assert "Jordan Rivera" in client.get("/").get_data(as_text=True)


def test_updated_resume_suggests_sending_it_to_open_processes(app, client, database):
    load(app)
    client.submit("/settings/resume", {}, form_page="/settings")
    assert get_setting("resume_updated_on")
    html = client.get("/?all=1").get_data(as_text=True)
    assert "resume" in html.lower() and "Sam Okafor" in html
