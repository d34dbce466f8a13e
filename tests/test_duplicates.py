"""Duplicates: found across the address book, compared side by side, merged, and split again."""

from datetime import date

from support import ON_POSTGRES, counting_queries, seen

from crm import followups, merging
from crm.db import db
from crm.demo import load_demo
from crm.duplicates import likely_pairs, name_key
from crm.models import (
    MODELS,
    ApplicationContact,
    Article,
    ArticleMatch,
    Company,
    Contact,
    ContactMerge,
    Event,
    EventAttendee,
    Feed,
    Interview,
    Interviewer,
    JobChange,
    SuggestionState,
    Touch,
)
from crm.settings import today_for_user


def person(name, company=None, **fields):
    """A contact, at a company named by its name."""
    contact = Contact.create(name=name, company=Company.named(company) if company else None,
                             **fields)
    Contact.reindex(Contact.select().where(Contact.id == contact.id))
    return contact


def test_near_names_compare_without_accents_nicknames_or_middle_names():
    assert name_key("Bob Hale") == name_key("Robert Hale") == name_key("Robert J. Hale")
    assert name_key("Zoë Müller") == name_key("Zoe Muller") == name_key("zoe mueller")
    assert name_key("Bob Hale") != name_key("Bob Hall")


def test_the_page_lists_likely_duplicates_with_their_reasons(client, database):
    person("Bob Hale", "Meridian", title="VP")
    person("Robert Hale", "Meridian")
    person("Zoë Müller", "Acme")
    person("Zoe Muller", "Acme")
    person("Ann Lee", email="ann@example.com")
    person("Annie Lee", email="ann@example.com")
    person("Sam Okafor", linkedin_url="https://www.linkedin.com/in/samokafor")
    person("Samuel Okafor", "Northwind", linkedin_url="https://www.linkedin.com/in/samokafor")
    person("Bob Hale", "Other Co")  # a namesake elsewhere is no duplicate
    person("Dana Whitfield", "Meridian")
    person("Dana Whitfield", "Meridian")
    page = seen(client, "/contacts/duplicates")
    assert "5 pairs that may be the same person" in page
    assert "Bob Hale VP, Meridian Robert Hale Meridian Similar names at Meridian" in page
    assert "Zoë Müller Acme Zoe Muller Acme Similar names at Acme" in page
    assert "Same email" in page and "Same LinkedIn profile" in page
    assert "Same name at Meridian" in page
    assert page.index("Same email") < page.index("Same name at") < page.index("Similar names")
    assert "Other Co" not in page


def test_not_the_same_person_leaves_the_list_for_good(client, database):
    first, second = person("Bob Hale", "Meridian"), person("Robert Hale", "Meridian")
    client.submit("/contacts/duplicates/distinct", {"first": second.id, "second": first.id},
                  form_page="/contacts/duplicates")
    page = seen(client, "/contacts/duplicates")
    assert "0 pairs" in page and "No likely duplicates" in page


def story(contact):
    """Everything that names a contact, by table, as the database holds it."""
    found = {}
    for model, field in merging.references():
        rows = model.select().where(field == contact.id).dicts()
        found[f"{model._meta.table_name}.{field.name}"] = sorted(
            tuple(sorted((k, str(v)) for k, v in row.items() if k != field.name))
            for row in rows)
    return found


def two_bobs():
    """The demo's Bob Hale, and a second Bob from another import with a history of his own."""
    load_demo(today_for_user())
    bob = Contact.get(Contact.name == "Bob Hale")
    robert = person("Robert Hale", bob.company.name, phone="+1 212 555 0100",
                    linkedin_url="https://www.linkedin.com/in/bobhale", notes="Met at MIT")
    robert.set_tags(["Yankees fan", "golf"])
    robert.record_touch(happened_on=date(2026, 11, 2), channel="phone", note="Coffee call")
    interview = Interview.get()
    Interviewer.create(interview=interview, contact=robert, values="Speed")  # Bob's seat too
    ApplicationContact.create(application=interview.application, contact=robert)
    EventAttendee.create(event=Event.get(), contact=robert)  # Bob is linked already
    feed = Feed.create(url="https://example.com/feed.xml", company=bob.company)
    article = Article.create(feed=feed, identity="a", title="Meridian news",
                             published_at=today_for_user())
    ArticleMatch.create(article=article, contact=robert)
    SuggestionState.create(key=f"longterm:contact:{robert.id}:2026-12-01", contact=robert,
                           state="skipped")
    JobChange.create(contact=robert, changed_on=date(2026, 11, 1), old_title="Director")
    return bob, robert


def test_merging_moves_everything_to_the_one_kept_in_one_go(client, database):
    bob, robert = two_bobs()
    page = seen(client, f"/contacts/merge?first={bob.id}&second={robert.id}")
    assert "Merge two contacts" in page
    assert "Phone — +1 212 555 0100" in page
    for moved in ("2 tags", "1 touch,", "1 interview seat,", "1 application role,", "1 event,",
                  "1 article match,", "1 answer to a suggestion,", "1 job change"):
        assert moved in page
    response = client.submit("/contacts/merge", {
        "first": bob.id, "second": robert.id, "keep": "first", "pick_phone": "second",
        "pick_name": "first"}, form_page=f"/contacts/merge?first={bob.id}&second={robert.id}")
    assert response.status_code == 302 and response.location.endswith(f"/contacts/{bob.id}")
    assert Contact.get_or_none(Contact.id == robert.id) is None
    kept = Contact.get_by_id(bob.id)
    assert (kept.name, kept.phone) == ("Bob Hale", "+1 212 555 0100")
    assert kept.linkedin_url == "https://www.linkedin.com/in/bobhale"  # only Robert had one
    assert kept.notes.endswith("\n\nMet at MIT")
    assert kept.tag_names() == ["golf", "sports sponsorship", "Yankees fan"]
    assert Touch.select().where(Touch.contact == bob).count() == 3  # his two and the call
    assert Interviewer.select().where(Interviewer.contact == bob).count() == 1
    assert EventAttendee.select().where(EventAttendee.contact == bob).count() == 1
    assert ArticleMatch.get().contact_id == bob.id and JobChange.get().contact_id == bob.id
    assert SuggestionState.get(SuggestionState.contact == bob).key == (
        f"longterm:contact:{bob.id}:2026-12-01")
    assert kept.last_touch_on == max(t.happened_on for t in kept.touches)
    contact_page = seen(client, f"/contacts/{bob.id}")
    assert "Merged Robert Hale into Bob Hale" in contact_page and "Coffee call" in contact_page
    assert "Merged here Robert Hale" in contact_page
    assert followups.current().suggestions == followups.compute(
        today_for_user(), followups.user_timezone()).suggestions


def test_undoing_a_merge_puts_every_row_back(client, database):
    bob, robert = two_bobs()
    before = {c.id: story(c) for c in (bob, robert)}
    rows_before = {model: model.select().count() for model in MODELS}
    client.submit("/contacts/merge", {"first": bob.id, "second": robert.id, "keep": "first",
                                      "pick_phone": "second"},
                  form_page=f"/contacts/merge?first={bob.id}&second={robert.id}")
    undo = client.submit(f"/contacts/merges/{ContactMerge.get().id}/undo", {},
                         form_page="/contacts/duplicates")
    assert undo.status_code == 302
    assert "Undid the merge: Robert Hale is a contact of their own again." in seen(
        client, "/contacts/duplicates")
    assert {c.id: story(c) for c in (bob, robert)} == before
    assert {model: model.select().count() for model in MODELS} == rows_before
    assert Contact.get_by_id(bob.id).phone == "" and Contact.get_by_id(robert.id).tag_names() == [
        "golf", "Yankees fan"]


def test_a_merge_that_fails_half_way_changes_nothing(client, database):
    bob, robert = two_bobs()
    before = {c.id: story(c) for c in (bob, robert)}
    # The database itself refuses the last step, deleting the merged contact.
    if ON_POSTGRES:
        db.execute_sql("CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql "
                       "AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$")
        db.execute_sql("CREATE TRIGGER no_delete BEFORE DELETE ON contact "
                       "FOR EACH ROW EXECUTE FUNCTION refuse()")
    else:
        db.execute_sql("CREATE TRIGGER no_delete BEFORE DELETE ON contact "
                       "BEGIN SELECT RAISE(ABORT, 'refused'); END")
    try:
        merging.merge(bob, robert, {"phone"})
    except Exception as error:  # noqa: BLE001 - whatever the driver raises
        assert "refused" in str(error)
    else:
        raise AssertionError("the merge should have failed")
    assert {c.id: story(c) for c in (bob, robert)} == before
    assert not ContactMerge.select().exists()


def test_a_bad_pick_keeps_the_choices_and_changes_nothing(client, database):
    bob, robert = two_bobs()
    url = f"/contacts/merge?first={bob.id}&second={robert.id}"
    response = client.submit("/contacts/merge", {"first": bob.id, "second": robert.id,
                                                 "keep": "third", "pick_phone": "second"},
                             form_page=url)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Pick one side for each field and the contact to keep." in page
    assert 'name="pick_phone" value="second" checked' in page
    assert Contact.get_or_none(Contact.id == robert.id) is not None
    assert client.get("/contacts/merge?first=1").location.endswith("/contacts/duplicates")
    assert client.get(f"/contacts/merge?first={bob.id}&second={bob.id}").status_code == 404
    assert client.get(f"/contacts/merge?first={bob.id}&second=999999").status_code == 404


def test_the_duplicates_page_query_count_does_not_grow(client, database):
    def queries():
        with counting_queries() as sent:
            assert client.get("/contacts/duplicates").status_code == 200
        return len(sent)

    person("Bob Hale", "Meridian"), person("Robert Hale", "Meridian")
    few = queries()
    for n in range(20):
        person(f"Zoë Müller {n}", f"Co {n}"), person(f"Zoe Muller {n}", f"Co {n}")
    assert queries() == few
    assert len(likely_pairs()) == 21


def test_the_commands_list_merge_and_unmerge(runner, database):
    bob, robert = two_bobs()
    listed = runner.invoke(args=["contacts", "duplicates"])
    assert listed.exit_code == 0
    assert (f"{bob.id} {robert.id}\tBob Hale (Meridian Sports & Entertainment) / Robert Hale "
            "(Meridian Sports & Entertainment): same LinkedIn profile") not in listed.output
    assert f"{bob.id} {robert.id}\tBob Hale" in listed.output
    assert "similar names at Meridian Sports & Entertainment" in listed.output
    dry = runner.invoke(args=["contacts", "merge", str(bob.id), str(robert.id), "--dry-run"])
    assert dry.exit_code == 0
    assert (f"Would merge Robert Hale (#{robert.id}) into Bob Hale (#{bob.id}): moves 2 tags,"
            in dry.output)
    assert "fills in phone, linkedin url." in dry.output
    assert Contact.get_or_none(Contact.id == robert.id) is not None
    done = runner.invoke(args=["contacts", "merge", str(bob.id), str(robert.id)])
    assert done.exit_code == 0 and "Undo with: crm contacts unmerge 1" in done.output
    kept = Contact.get_by_id(bob.id)
    assert kept.title == "VP, Partnerships" and kept.phone == "+1 212 555 0100"
    back = runner.invoke(args=["contacts", "unmerge", "1"])
    assert back.exit_code == 0 and "Robert Hale is a contact of their own again" in back.output
    for args, message in ((["contacts", "merge", str(bob.id), "999999"], "No contact #999999"),
                          (["contacts", "merge", str(bob.id), str(bob.id)], "with itself"),
                          (["contacts", "unmerge", "1"], "No merge #1")):
        result = runner.invoke(args=args)
        assert result.exit_code == 1 and message in result.output
        assert "Nothing was" in result.output


def test_an_earlier_merge_cannot_be_undone_under_a_later_one(client, database):
    bob, robert = person("Bob Hale", "Meridian"), person("Robert Hale", "Meridian")
    bobby = person("Bobby Hale", "Meridian")
    first = merging.merge(bob, robert, set())
    merging.merge(bobby, bob, set())  # the kept Bob is merged away in turn
    client.submit(f"/contacts/merges/{first.id}/undo", {}, form_page="/contacts/duplicates")
    page = seen(client, "/contacts/duplicates")
    assert "Bob Hale was merged into another contact since; undo that merge first." in page
    assert Contact.get_or_none(Contact.id == robert.id) is None
