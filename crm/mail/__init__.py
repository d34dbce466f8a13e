"""Mail: the user's mailbox read over IMAP (or an mbox / .eml export) into touches.

A one-way pipeline, as the news is: connect (log in, say exactly what failed),
read (new messages' headers and the start of their text, per folder, by UID),
parse (bytes -> plain records, pure), match (records -> touches and people to
review, pure), store (one transaction per batch), and sync (the one function
behind `crm mail sync`, the schedule and the Sync now button). The mailbox is
opened read-only; the password stays in the instance folder (`secret`).
"""
