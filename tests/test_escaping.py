"""Text typed by a user comes out escaped on every page that shows it."""

from support import contact_form

from crm.models import Company, Contact

HOSTILE = "<script>alert(1)</script>"


def test_a_contact_named_like_a_script_is_shown_escaped_everywhere(client, database):
    client.submit("/contacts/new", contact_form(
        name=HOSTILE, company=HOSTILE, title='"><img src=x onerror=alert(1)>',
        tags=HOSTILE, notes=HOSTILE))
    contact = Contact.get()
    contact.record_touch(happened_on="2026-11-20", note=HOSTILE)
    company = Company.get()
    pages = ["/", "/contacts", f"/contacts?q={HOSTILE}", f"/contacts/{contact.id}",
             f"/contacts/{contact.id}/edit", f"/contacts/{contact.id}/delete", "/companies",
             f"/companies/{company.id}", f"/companies/{company.id}/edit"]
    for url in pages:
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html, url
        assert "<img src=x" not in html, url
    detail = client.get(f"/contacts/{contact.id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in detail
