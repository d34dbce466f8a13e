"""The Today page: what to do now, why, with a draft; done, snoozed and skipped suggestions."""

import re
from datetime import date, timedelta

from support import counting_queries, load, settings_form

from crm import create_app
from crm.models import Contact, SuggestionState, Touch
from crm.settings import today_for_user


def suggestion_keys(html):
    """The keys of the suggestions on a page, in order, each once."""
    return list(dict.fromkeys(re.findall(r'name="key" value="([^"]+)"', html)))


def test_follow_through_letter_is_due_the_day_after_the_interview(app, client):
    load(app)
    html = client.get("/").get_data(as_text=True)
    due_today = html.split('id="h-today"')[1].split("</section>")[0]
    assert "Sam Okafor" in due_today and "follow-through letter" in due_today
    assert "the follow-through letter is due the day after" in due_today
    assert "Dear Sam," in due_today and "Senior Partnerships Analyst" in due_today
    assert "mailto:sam.okafor@example.com?subject=" in due_today


def test_rejection_is_one_group_with_a_row_per_person_and_the_invitation_folded_in(app,
                                                                                   client):
    load(app)
    html = client.get("/").get_data(as_text=True)
    overdue = html.split('id="h-overdue"')[1].split('id="h-today"')[0]
    assert overdue.count('class="group') == 1
    heading = re.search(r'<h3 id="g-overdue-1-h">([^<]+)</h3>', overdue).group(1)
    assert re.fullmatch(r"Meridian Sports &amp; Entertainment said no \(\w{3} \d+ \w{3}\): "
                        r"ask 3 people to keep you in mind", heading)
    assert overdue.count("say you enjoyed meeting them and ask them to keep you in mind") == 1
    rows = re.findall(r'<a class="who" href="/contacts/\d+">([^<]+)</a>', overdue)
    assert rows == ["Bob Hale", "Dana Whitfield", "Priya Shah"]
    # No card of its own: each person's LinkedIn invitation is a second action in their row.
    assert overdue.count("<summary>LinkedIn invitation</summary>") == 3
    assert overdue.count("connect on LinkedIn so they stay a contact") == 3  # its why, inside
    assert "search LinkedIn for Bob Hale" in overdue and 'maxlength="300"' in overdue
    assert "Done for all 3" in overdue and "Snooze all" in overdue


def test_skipped_suggestion_stays_gone_after_a_restart(app, client, database):
    load(app)
    html = client.get("/").get_data(as_text=True)
    key = suggestion_keys(html)[0]
    contact_id = SuggestionState.select().count()  # none yet
    assert contact_id == 0
    sam = Contact.get(Contact.name == "Sam Okafor")
    followthrough = next(k for k in suggestion_keys(html) if k.startswith("followthrough"))
    response = client.submit(f"/suggestions/{sam.id}/skip", {"key": followthrough}, form_page="/")
    assert response.status_code == 302
    assert followthrough not in suggestion_keys(client.get("/").get_data(as_text=True))
    restarted = create_app({"DATABASE_URL": app.config["DATABASE_URL"], "SECRET_KEY": "x"})
    page = restarted.test_client().get("/").get_data(as_text=True)
    assert followthrough not in suggestion_keys(page) and key


def test_snoozed_suggestion_moves_to_its_new_date(app, client, database):
    load(app)
    sam = Contact.get(Contact.name == "Sam Okafor")
    key = next(k for k in suggestion_keys(client.get("/").get_data(as_text=True))
               if k.startswith("followthrough"))
    until = today_for_user() + timedelta(days=3)
    client.submit(f"/suggestions/{sam.id}/snooze", {"key": key, "until": until.isoformat()},
                  form_page="/")
    html = client.get("/").get_data(as_text=True)
    upcoming = html.split('id="h-upcoming"')[1].split("</section>")[0]
    assert key in upcoming and f"due {until:%a %-d %b}" in upcoming


def test_snooze_into_the_past_is_refused_with_a_message(app, client, database):
    load(app)
    sam = Contact.get(Contact.name == "Sam Okafor")
    key = suggestion_keys(client.get("/").get_data(as_text=True))[0]
    response = client.submit(f"/suggestions/{sam.id}/snooze",
                             {"key": key, "until": "2000-01-01"}, form_page="/")
    assert "Pick a date after today." in client.get(response.location).get_data(as_text=True)
    assert SuggestionState.select().count() == 0


def test_answering_an_unknown_suggestion_is_a_404(app, client, database):
    load(app)
    sam = Contact.get(Contact.name == "Sam Okafor")
    response = client.submit(f"/suggestions/{sam.id}/skip", {"key": "made:up"}, form_page="/")
    assert response.status_code == 404
    assert SuggestionState.select().count() == 0


def test_do_not_contact_silences_every_suggestion(app, client, database):
    load(app)
    Contact.update(status="do_not_contact").execute()
    html = client.get("/?all=1").get_data(as_text=True)
    assert suggestion_keys(html) == []
    assert "Nothing due today." in html


def test_warmth_chart_counts_contacts_by_last_touch(app, client, database):
    today = today_for_user()
    for name, days in [("A", 1), ("B", 3), ("C", 20), ("D", 60), ("E", 200)]:
        Contact.create(name=name).record_touch(happened_on=today - timedelta(days=days))
    Contact.create(name="F")
    html = client.get("/").get_data(as_text=True)
    title = re.search(r'<title id="warmth-title">([^<]+)</title>', html).group(1)
    assert title == ("Contacts by time since your last touch: This week 2; This month 1; "
                     "This quarter 1; Colder or never 2")


def test_user_text_in_drafts_is_escaped(app, client, database):
    load(app)
    Contact.update(notes="<script>alert(1)</script>").where(Contact.name == "Sam Okafor").execute()
    html = client.get("/").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html


def test_today_query_count_does_not_grow_with_contacts(app, client, database):
    def queries():
        app.extensions.pop("crm.followups", None)  # computed from nothing each time
        with counting_queries() as sent:
            client.get("/?all=1")
        return len(sent)

    load(app)
    few = queries()
    today = today_for_user()
    for n in range(40):
        contact = Contact.create(name=f"Long {n}", status="long_term", email=f"l{n}@x.example")
        contact.record_touch(happened_on=today - timedelta(days=100 + n))
    assert queries() == few


def test_empty_database_welcomes_the_user(client):
    html = client.get("/").get_data(as_text=True)
    assert "Welcome to Followthrough" in html and "Your name, to sign the drafts" in html


def test_time_zone_setting_decides_what_today_is(app, client, database):
    client.submit("/settings", {**settings_form(), "timezone": "Pacific/Kiritimati"})
    assert today_for_user() in (date.today(), date.today() + timedelta(days=1))
    assert "Pacific/Kiritimati" in client.get("/settings").get_data(as_text=True)


def test_done_but_changed_opens_the_touch_form_holding_the_draft_to_edit(app, client, database):
    load(app)
    html = client.get("/").get_data(as_text=True)
    letter = html.split('id="h-today"')[1]
    changed = re.search(r'href="([^"]+)">Done, but I changed it…', letter).group(1)
    changed = changed.replace("&amp;", "&")
    form = client.get(changed).get_data(as_text=True)
    key = re.search(r'name="suggestion_key" type="hidden" value="([^"]+)"', form).group(1)
    assert key.startswith("followthrough:")
    note = re.search(r'<textarea[^>]*name="note"[^>]*>\s*([^<]*)</textarea>', form).group(1)
    assert note.startswith("Subject: ") and "Dear Sam," in note
    response = client.submit(changed, {"happened_on": today_for_user().isoformat(),
                                       "channel": "email", "direction": "out",
                                       "note": "Dear Sam, my own words.", "suggestion_key": key,
                                       "article_id": ""})
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    assert key not in suggestion_keys(client.get("/?all=1").get_data(as_text=True))
    assert Touch.get(Touch.suggestion_key == key).note == "Dear Sam, my own words."


def test_an_article_whose_summary_matches_their_interest_is_suggested(app, client, database):
    from datetime import datetime

    from crm.models import Article, ArticleMatch, Company, Feed

    today = today_for_user()
    fan = Contact.create(name="Ann Lee", status="long_term", company=Company.named("Acme"))
    fan.set_tags(["sports sponsorship"])
    fan.record_touch(happened_on=today - timedelta(days=100))
    other = Feed.create(url="https://other.example/feed", company=Company.named("Other"))
    article = Article.create(feed=other, identity="a1", link="https://other.example/a1",
                             title="Quarterly update",
                             summary_html="<p>A new <b>sports sponsorship</b> deal.</p>",
                             published_at=datetime.combine(today, datetime.min.time()))
    ArticleMatch.create(article=article, contact=fan, kind="forward",
                        reason="mentions sports sponsorship")
    html = client.get("/").get_data(as_text=True)
    assert "News: “Quarterly update”: forward it to Ann Lee" in html


def test_a_letter_template_in_the_instance_folder_overrides_the_shipped_one(
        app, client, tmp_path):
    load(app)
    app.instance_path = str(tmp_path)
    assert "Dear Sam," in client.get("/").get_data(as_text=True)
    (tmp_path / "letters").mkdir()
    (tmp_path / "letters" / "followthrough.txt").write_text(
        "Subject: Thanks\n\nHi {{ first_name }}, my own words.\n")
    html = client.get("/").get_data(as_text=True)
    assert "Hi Sam, my own words." in html and "Dear Sam," not in html
