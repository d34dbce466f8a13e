"""A referral is a touch occasion: thank the referrer, and tell them how it ended."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from support import TODAY, application_form, load

from crm import followups
from crm.drafts import letters_environment, render_draft, shipped_letters_dir
from crm.models import Application, Contact
from crm.playbook import ApplicationFacts, ContactFacts, History, Rules, TouchFacts, suggest

NEW_YORK = ZoneInfo("America/New_York")
MON = date(2026, 11, 2)
ANA = ContactFacts(id=4, name="Ana Lee", company="Globex", role="other")
SHIPPED = letters_environment([shipped_letters_dir()])


def referral(status="applied", closed_on=None, **fields):
    return ApplicationFacts(id=9, company="Acme", position="Analyst", status=status,
                            applied_on=MON, closed_on=closed_on, referrer_id=ANA.id, **fields)


def found(history, today):
    return suggest(history, today, NEW_YORK, Rules())


def test_the_referrer_is_thanked_the_day_after_you_apply():
    history = History(contact=ANA, referrals=[referral()])
    [thanks] = found(history, MON)
    assert thanks.kind == "referral_thanks" and thanks.due == MON + timedelta(days=1)
    assert thanks.key == "referral_thanks:application:9:contact:4"
    assert thanks.title == "Thank Ana Lee for referring you"
    assert "They referred you for the Analyst position at Acme" in thanks.reason


def test_a_letter_since_applying_is_the_thanks():
    sent = TouchFacts(id=1, contact_id=ANA.id, on=MON + timedelta(days=2), direction="out")
    assert found(History(contact=ANA, referrals=[referral()], touches=[sent]), MON) == []


def test_a_referrer_is_never_chased_about_the_process():
    # Weeks of silence in a running process: still only the thanks, no check-in.
    history = History(contact=ANA, referrals=[referral(status="interviewing")])
    assert [s.kind for s in found(history, MON + timedelta(days=40))] == ["referral_thanks"]


def test_when_it_closes_the_referrer_hears_the_outcome():
    closed = MON + timedelta(days=20)
    history = History(contact=ANA, referrals=[referral(status="rejected", closed_on=closed)])
    [outcome] = found(history, closed)
    assert outcome.kind == "referral_outcome" and outcome.due == closed + timedelta(days=1)
    assert outcome.title == "Tell Ana Lee how it ended at Acme"
    assert "they went with someone else" in outcome.reason
    draft = render_draft(outcome, history, "John Doe", SHIPPED)
    assert draft.subject == "An update on the Analyst position at Acme"
    assert draft.body.startswith("Dear Ana,")
    assert "Acme has decided to go with another candidate for the Analyst position.\n" in draft.body
    assert "Thank you again for referring me." in draft.body
    assert draft.body.endswith("Best regards,\nJohn Doe")


def test_the_outcome_letter_fits_each_ending():
    closed = MON + timedelta(days=20)
    for status, words in (("hired", "I have accepted the offer for the Analyst position"),
                          ("withdrawn", "I have withdrawn from the process")):
        history = History(contact=ANA, referrals=[referral(status=status, closed_on=closed)])
        [outcome] = found(history, closed)
        draft = render_draft(outcome, history, "John Doe", SHIPPED)
        assert words in draft.body and "[" not in draft.subject


def test_the_thanks_letter_reads_as_thanks():
    history = History(contact=ANA, referrals=[referral()])
    [thanks] = found(history, MON)
    draft = render_draft(thanks, history, "John Doe", SHIPPED)
    assert draft.subject == "Thank you for the referral"
    assert "Thank you so much for referring me for the Analyst position at Acme." in draft.body
    assert "I will let you know how it goes." in draft.body


def test_through_the_app_the_referrer_gets_the_thanks_then_the_outcome(app, client, database):
    load(app)
    client.get("/")  # the suggestions computed, as a running server has them
    ana = Contact.create(name="Ana Lee")
    response = client.submit("/applications/new", application_form(
        company="Globex", position="Analyst", source="referral", referrer="Ana Lee",
        applied_on=(TODAY - timedelta(days=1)).isoformat()))
    assert response.status_code == 302
    kinds = [s.kind for s in followups.current().suggestions if s.contact_id == ana.id]
    assert kinds == ["referral_thanks"]
    assert "Thank Ana Lee for referring you" in client.get("/").get_data(as_text=True)
    application = Application.get(Application.referrer == ana)
    client.submit(f"/applications/{application.id}/move", {"status": "rejected"},
                  form_page="/applications/board")
    assert [s.kind for s in followups.current().suggestions if s.contact_id == ana.id] == [
        "referral_outcome"]
    assert Contact.get_by_id(ana.id).status == "active"  # a referrer is not made long-term
    # Naming someone else as the referrer takes the letters from Ana.
    Application.update(referrer=Contact.get(Contact.name == "Bob Hale")).where(
        Application.id == application.id).execute()
    assert not [s for s in followups.current().suggestions if s.contact_id == ana.id]
    assert followups.current().suggestions == followups.compute(
        TODAY, followups.user_timezone()).suggestions


def test_a_late_thanks_says_where_the_process_stands():
    for status, words in (("interviewing", "It has already led to interviews"),
                          ("offer", "It has led to an offer, which I am considering now")):
        history = History(contact=ANA, referrals=[referral(status=status)])
        [thanks] = found(history, MON)
        body = render_draft(thanks, history, "John Doe", SHIPPED).body
        assert f"for the Analyst position at Acme. {words}" in body
        assert "I have sent in my application" not in body
