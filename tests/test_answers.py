"""Done in one step and Undo, a group's Done for all and Snooze all, skipped suggestions
brought back, and the contact page's next step."""

import re
from datetime import timedelta

import pytest
from support import CSRF_FIELD, load, shown

from crm import followups
from crm.models import Contact, SuggestionState, Touch
from crm.settings import today_for_user


def keys(html):
    """The keys of the suggestions a page offers, each once, in order."""
    return list(dict.fromkeys(re.findall(r'name="key" value="([^"]+)"', html)))


def person(name):
    return Contact.get(Contact.name == name)


def open_keys(kind=""):
    return [s.key for s in followups.current().suggestions if s.key.startswith(kind)]


def post(client, url, data, page="/"):
    """POST as the page's form does: its CSRF token, and repeated fields as lists."""
    token = CSRF_FIELD.search(client.get(page).get_data(as_text=True)).group(1)
    return client.post(url, data={**data, "csrf_token": token})


def undo_token(html):
    return re.search(r'name="token" value="([^"]+)"', html).group(1)


@pytest.fixture
def demo(app, client, database):
    load(app)
    return client


def test_done_logs_the_draft_as_sent_and_offers_undo(demo):
    sam = person("Sam Okafor")
    key = open_keys("followthrough")[0]
    response = post(demo, "/suggestions/done", {"key": key, "next": "/"})
    assert response.status_code == 302 and response.location == "/"
    touch = Touch.get(Touch.suggestion_key == key)
    assert touch.contact_id == sam.id and touch.channel == "email" and touch.direction == "out"
    assert touch.happened_on == today_for_user() and touch.happened_at is not None
    subject, body = touch.note.split("\n\n", 1)
    assert subject.startswith("Subject: ") and body.startswith("Dear Sam,")
    assert "Senior Partnerships Analyst" in body
    page = demo.get("/").get_data(as_text=True)
    assert "Done: “Send Sam Okafor a follow-through letter”." in page
    assert re.search(r'<button type="submit" class="small">Undo</button>', page)
    assert key not in keys(page)
    assert person("Sam Okafor").last_touch_on == today_for_user()


def test_undo_deletes_exactly_that_touch_and_the_suggestion_comes_back(demo):
    sam = person("Sam Okafor")
    typed = sam.record_touch(happened_on=today_for_user() - timedelta(days=40), note="Typed")
    key = open_keys("followthrough")[0]
    post(demo, "/suggestions/done", {"key": key, "next": "/"})
    token = undo_token(demo.get("/").get_data(as_text=True))
    response = post(demo, "/suggestions/undo", {"token": token, "next": "/"})
    assert response.status_code == 302
    page = demo.get("/").get_data(as_text=True)
    assert "Undone: 1 touch deleted" in page and key in keys(page)
    assert [t.id for t in Touch.select().where(Touch.contact == sam)] == [typed.id]
    assert person("Sam Okafor").last_touch_on == typed.happened_on
    # The same Undo again finds nothing left to delete, and says so.
    post(demo, "/suggestions/undo", {"token": token, "next": "/"})
    assert "Nothing to undo" in demo.get("/").get_data(as_text=True)


def test_done_for_all_logs_one_touch_per_person_and_undo_takes_all_back(demo):
    letters = open_keys("keepinmind")
    assert len(letters) == 3
    post(demo, "/suggestions/done", {"key": letters, "next": "/"})
    touches = list(Touch.select().where(Touch.suggestion_key.in_(letters)))
    assert sorted(t.contact.name for t in touches) == ["Bob Hale", "Dana Whitfield",
                                                       "Priya Shah"]
    assert all("keep me in mind" in t.note for t in touches)
    page = demo.get("/").get_data(as_text=True)
    assert "Done: 3 things, for Bob Hale, Dana Whitfield, Priya Shah." in page
    # The LinkedIn invitations were not sent: they stay, each in its person's row.
    assert len([k for k in keys(page) if k.startswith("linkedin:application")]) == 3
    post(demo, "/suggestions/undo", {"token": undo_token(page), "next": "/"})
    assert Touch.select().where(Touch.suggestion_key.in_(letters)).count() == 0
    assert set(letters) <= set(keys(demo.get("/").get_data(as_text=True)))


def test_snooze_all_puts_off_every_suggestion_of_the_group(demo):
    group = open_keys("keepinmind") + open_keys("linkedin:application")
    until = today_for_user() + timedelta(days=5)
    post(demo, "/suggestions/snooze", {"key": group, "until": until.isoformat(), "next": "/"})
    page = demo.get("/").get_data(as_text=True)
    assert "Snoozed 6 until" in page
    assert {s.state for s in SuggestionState.select()} == {"snoozed"}
    upcoming = page.split('id="h-upcoming"')[1]
    assert set(group) <= set(keys(upcoming))


def test_snooze_all_into_the_past_is_refused_and_changes_nothing(demo):
    post(demo, "/suggestions/snooze", {"key": open_keys("keepinmind"), "until": "2000-01-01"})
    assert "Pick a date after today." in demo.get("/").get_data(as_text=True)
    assert SuggestionState.select().count() == 0


def test_skipped_suggestions_are_listed_and_can_be_brought_back(demo):
    sam = person("Sam Okafor")
    key = open_keys("followthrough")[0]
    assert "Skipped (" not in demo.get("/").get_data(as_text=True)
    post(demo, f"/suggestions/{sam.id}/skip", {"key": key})
    today = demo.get("/").get_data(as_text=True)
    assert key not in keys(today) and '<a href="/suggestions/skipped">Skipped (1)</a>' in today
    listed = demo.get("/suggestions/skipped").get_data(as_text=True)
    assert "Send Sam Okafor a follow-through letter" in listed and keys(listed) == [key]
    response = post(demo, f"/suggestions/{sam.id}/restore", {"key": key},
                    page="/suggestions/skipped")
    assert response.status_code == 302
    assert "Brought back “Send Sam Okafor a follow-through letter”." in demo.get(
        "/suggestions/skipped").get_data(as_text=True)
    assert key in keys(demo.get("/").get_data(as_text=True))
    assert SuggestionState.select().count() == 0


def test_done_on_a_check_in_not_yet_due_is_refused_with_the_anti_pest_warning(demo):
    post(demo, "/suggestions/done", {"key": open_keys("followthrough")[0]})
    check_in = open_keys("checkin")[0]  # due on the day the decision is expected
    written = Touch.select().count()
    post(demo, "/suggestions/done", {"key": check_in})
    page = demo.get("/").get_data(as_text=True)
    assert "Not logged: “Check in with Sam Okafor”. Your last note to Sam Okafor was on" in page
    assert "so that following up never turns into pestering" in page
    assert Touch.select().count() == written and check_in in open_keys("checkin")


def test_answer_buttons_refuse_a_post_without_the_csrf_token(demo):
    key = open_keys("followthrough")[0]
    for url, data in [("/suggestions/done", {"key": key}),
                      ("/suggestions/snooze", {"key": key, "until": "2099-01-01"}),
                      ("/suggestions/undo", {"token": "x"}),
                      (f"/suggestions/{person('Sam Okafor').id}/restore", {"key": key})]:
        assert demo.post(url, data=data).status_code == 400
    assert Touch.select().count() == 5 and SuggestionState.select().count() == 0


@pytest.mark.parametrize("url, data", [
    ("/suggestions/done", {"key": "followthrough:interview:999:contact:999"}),
    ("/suggestions/snooze", {"key": "made:up", "until": "2099-01-01"}),
    ("/suggestions/1/restore", {"key": "made:up"}),
    ("/suggestions/99999999999999999999/restore", {"key": "made:up"}),
])
def test_answering_what_is_not_open_is_a_404_and_changes_nothing(demo, url, data):
    assert post(demo, url, data).status_code == 404
    assert Touch.select().count() == 5 and SuggestionState.select().count() == 0


def test_done_for_all_with_one_unknown_key_logs_nothing(demo):
    response = post(demo, "/suggestions/done", {"key": open_keys("keepinmind") + ["made:up"]})
    assert response.status_code == 404 and Touch.select().count() == 5


def test_a_forged_or_garbled_undo_deletes_nothing(demo):
    post(demo, "/suggestions/done", {"key": open_keys("followthrough")[0]})
    real = undo_token(demo.get("/").get_data(as_text=True))
    for token in ("garbage", real[:-3] + "abc", ""):
        response = post(demo, "/suggestions/undo", {"token": token})
        assert response.status_code == 302
    assert "That Undo no longer works" in demo.get("/").get_data(as_text=True)
    assert Touch.select().count() == 6


def test_contact_page_shows_what_is_due_with_the_same_buttons(demo):
    bob = person("Bob Hale")
    page = demo.get(f"/contacts/{bob.id}").get_data(as_text=True)
    box = page.split('id="next-step-h"')[1].split('class="columns"')[0]
    assert re.search(r"said no \(\w{3} \d+ \w{3}\): ask Bob Hale to keep you in mind", box)
    assert "say you enjoyed meeting them" in box and "Dear Bob," in box
    assert "Done, but I changed it…" in box and "<summary>LinkedIn invitation</summary>" in box
    assert f'name="next" value="/contacts/{bob.id}"' in box
    letter = next(k for k in keys(box) if k.startswith("keepinmind"))
    response = post(demo, "/suggestions/done", {"key": letter, "next": f"/contacts/{bob.id}"},
                    page=f"/contacts/{bob.id}")
    assert response.location == f"/contacts/{bob.id}"
    assert "Undo" in demo.get(response.location).get_data(as_text=True)


def test_contact_page_says_when_the_next_step_is_when_nothing_is_due(app, client, database):
    ann = Contact.create(name="Ann Lee", status="long_term")
    ann.record_touch(happened_on=today_for_user() - timedelta(days=10))
    page = client.get(f"/contacts/{ann.id}").get_data(as_text=True)
    due = today_for_user() + timedelta(days=80)
    assert "Nothing due now. Next: <strong>Say hello to Ann Lee</strong>" in page
    assert shown(due.isoformat()) in page and "You keep in touch every 90 days" in page
    quiet = Contact.create(name="Quiet Person", status="do_not_contact")
    assert "Marked “do not contact”" in client.get(f"/contacts/{quiet.id}").get_data(
        as_text=True)
