"""Reading a mailbox without changing it: the folders to read, the new UIDs, their headers.

Folders are opened read-only (EXAMINE) and fetched with BODY.PEEK, so no
message is marked as seen. Only the headers and the first few kilobytes of the
body are fetched: enough for a snippet, never an attachment, whatever the
size of the message.
"""

from datetime import UTC, timedelta

SENT_NAMES = ("Sent", "Sent Items", "Sent Messages", "Sent Mail", "[Gmail]/Sent Mail",
              "INBOX.Sent", "INBOX/Sent", "Gesendet", "Envoyés", "Enviados")
HEADER, TEXT = b"BODY[HEADER]", b"BODY[TEXT]<0>"
FETCH = ["BODY.PEEK[HEADER]", "BODY.PEEK[TEXT]<0.4096>", "INTERNALDATE"]
BATCH = 500  # UIDs a FETCH asks for at once


def find_folders(client):
    """The folders to read by role: "sent" (RFC 6154's \\Sent, else a usual name), "inbox"."""
    folders = client.list_folders()
    sent = next((name for flags, _, name in folders if b"\\Sent" in flags), None)
    if sent is None:
        names = {name.casefold(): name for _, _, name in folders}
        sent = next((names[n.casefold()] for n in SENT_NAMES if n.casefold() in names), None)
    # Sent first: a reply in the inbox is then found through the letter it answers.
    return {"sent": sent, "inbox": "INBOX"} if sent else {"inbox": "INBOX"}


def new_uids(client, name, uid_validity, last_uid, since):
    """Open a folder read-only; return its UIDVALIDITY, the UIDs to read (oldest first), UIDNEXT.

    A folder never read, or whose UIDVALIDITY changed (its UIDs mean other
    messages now), is read from `since` on; otherwise only UIDs after `last_uid`.
    """
    status = client.select_folder(name, readonly=True)
    validity, uid_next = status.get(b"UIDVALIDITY"), status.get(b"UIDNEXT")
    if uid_validity is None or validity != uid_validity:
        # SINCE compares the arrival day; a day earlier covers every time zone.
        return validity, sorted(client.search(["SINCE", since - timedelta(days=1)])), uid_next
    if uid_next is not None and uid_next <= last_uid + 1:
        return validity, [], uid_next  # nothing new: no search at all
    # "N:*" always names the last message, even one already read: hence the filter.
    uids = client.search(["UID", f"{last_uid + 1}:*"])
    return validity, sorted(uid for uid in uids if uid > last_uid), uid_next


def fetch(client, uids):
    """Yield lists of (uid, raw bytes, arrival time) for the UIDs, BATCH at a time."""
    for start in range(0, len(uids), BATCH):
        chunk = uids[start:start + BATCH]
        answers = client.fetch(chunk, FETCH)
        yield [(uid, answers[uid].get(HEADER, b"") + answers[uid].get(TEXT, b""),
                _utc(answers[uid].get(b"INTERNALDATE")))
               for uid in chunk if uid in answers]


def _utc(moment):
    # imapclient gives the arrival time in this machine's zone, naive; stored times are UTC.
    return moment.astimezone(UTC).replace(tzinfo=None) if moment else None
