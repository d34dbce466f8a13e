"""`crm mail import`: an mbox (Gmail Takeout) or a folder of .eml files, matched as a sync is."""

import mailbox
from email import message_from_bytes

from support import letter

from crm.models import Contact, Touch

ME = "me@example.com"


def notes(contact):
    return [(t.direction, t.note) for t in Touch.select().where(Touch.contact == contact)
            .order_by(Touch.id)]


def takeout(path, *raws_and_labels):
    """An mbox as Gmail's Takeout writes it: each message with its X-Gmail-Labels."""
    box = mailbox.mbox(path)
    for raw, labels in raws_and_labels:
        message = message_from_bytes(raw)
        message["X-Gmail-Labels"] = labels
        box.add(message)
    box.flush()
    box.close()
    return path


def test_a_gmail_takeout_is_imported_once(runner, database, tmp_path):
    bob = Contact.create(name="Bob", email="bob@acme.example")
    path = takeout(tmp_path / "All mail.mbox",
                   (letter(f"Me <{ME}>", "bob@acme.example", "Thanks", message_id="<a@x>"),
                    "Sent,Opened"),
                   (letter("bob@acme.example", ME, "Re: Thanks", in_reply_to="<a@x>"),
                    "Inbox,Category Personal"),
                   (letter("news@shop.example", ME, "Sale"), "Inbox"))
    result = runner.invoke(args=["mail", "import", str(path), "--address", ME])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith(
        "3 new messages read: 2 touches logged, 0 joined to touches already logged, "
        "0 people to review.")
    assert notes(bob) == [("out", "Thanks"), ("in", "Re: Thanks")]
    again = runner.invoke(args=["mail", "import", str(path), "--address", ME])
    assert "0 touches logged" in again.output and len(notes(bob)) == 2


def test_a_folder_of_eml_files_is_imported(runner, database, tmp_path):
    bob = Contact.create(name="Bob", email="bob@acme.example")
    folder = tmp_path / "exported"
    folder.mkdir()
    (folder / "1.eml").write_bytes(letter(ME, "bob@acme.example", "One"))
    (folder / "2.EML").write_bytes(letter("bob@acme.example", ME, "Two"))
    (folder / "broken.eml").write_bytes(b"\x00\x01 no headers here")
    (folder / "notes.txt").write_text("not mail")
    result = runner.invoke(args=["mail", "import", str(folder), "--address", ME])
    assert result.exit_code == 0, result.output
    assert "skipped exported message 3: it has no sender address" in result.output
    assert "1 could not be read" in result.output
    assert notes(bob) == [("out", "One"), ("in", "Two")]


def test_an_import_needs_to_know_which_address_is_yours(runner, database, tmp_path):
    path = tmp_path / "one.eml"
    path.write_bytes(letter(ME, "bob@acme.example"))
    result = runner.invoke(args=["mail", "import", str(path)])
    assert result.exit_code == 1
    assert "Say which address is yours" in result.output


def test_a_file_that_is_not_mail_is_refused(runner, database, tmp_path):
    path = tmp_path / "photo.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0 not mail")
    result = runner.invoke(args=["mail", "import", str(path), "--address", ME])
    assert result.exit_code == 1
    assert "is neither an mbox file nor an .eml message" in result.output
