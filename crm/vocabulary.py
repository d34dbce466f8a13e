"""The words of the domain, defined once: each choice a column, a form and the playbook share.

Pure data at the bottom of the tree: the models give these to their columns
as choices, the forms to their select boxes, the playbook checks its facts
against them, and the pages show the labels.
"""

CONTACT_STATUSES = (
    ("active", "Active"),
    ("long_term", "Long-term contact"),
    ("do_not_contact", "Do not contact"),
)
ROLES = (
    ("interviewer", "Interviewer"),
    ("hiring_manager", "Hiring manager"),
    ("recruiter", "Recruiter"),
    ("assistant", "Assistant / receptionist"),
    ("other", "Other"),
)
CHANNELS = (
    ("email", "Email"),
    ("phone", "Phone call"),
    ("voicemail", "Voicemail"),
    ("letter", "Letter"),
    ("linkedin_message", "LinkedIn message"),
    ("linkedin_invitation", "LinkedIn invitation"),
    ("meeting", "Meeting"),
    ("article", "Article forwarded"),
    ("congratulations", "Congratulations"),
    ("other", "Other"),
)
# The ways a person may prefer to be reached: a few of the channels, or none.
PREFERRED_CHANNELS = (
    ("", "No preference"),
    ("email", "Email"),
    ("phone", "Phone"),
    ("linkedin_message", "LinkedIn"),
    ("letter", "Letter"),
)
DIRECTIONS = (
    ("out", "I reached out (outbound)"),
    ("in", "They replied or reached out (inbound)"),
)
APPLICATION_STATUSES = (
    ("applied", "Applied"),
    ("interviewing", "Interviewing"),
    ("offer", "Offer"),
    ("rejected", "Rejected"),
    ("withdrawn", "Withdrawn"),
    ("hired", "Hired"),
)
# Where an application came from; a referral and a recruiter are people bringing you in.
SOURCES = (
    ("", "Not recorded"),
    ("job_board", "Job board"),
    ("company_site", "Company website"),
    ("recruiter", "Recruiter"),
    ("referral", "Referral"),
    ("other", "Other"),
)
THROUGH_A_PERSON = frozenset({"referral", "recruiter"})
WORK_MODES = (
    ("", "Not recorded"),
    ("onsite", "On site"),
    ("hybrid", "Hybrid"),
    ("remote", "Remote"),
)
# ISO 4217 codes of the currencies job postings most often quote salaries in.
CURRENCIES = (("", "—"), *((code, code) for code in (
    "USD", "EUR", "GBP", "CAD", "AUD", "CHF", "SEK", "NOK", "DKK", "PLN", "INR", "JPY",
    "SGD", "NZD", "BRL", "MXN", "ZAR")))
INTERVIEW_KINDS = (
    ("phone", "Phone screen"),
    ("video", "Video call"),
    ("onsite", "On site"),
    ("other", "Other"),
)
ARTICLE_KINDS = (("forward", "Forward"), ("congratulate", "Congratulate"))
# Whether the user means to attend an event. Events read from a published calendar come in
# as "maybe"; only those the user marks going or interested count (suggestions, the feed).
ATTENDANCE = (
    ("going", "Going"),
    ("interested", "Interested"),
    ("maybe", "Maybe"),
)
ATTENDING = ("going", "interested")
EVENT_STATUSES = (("confirmed", "Confirmed"), ("cancelled", "Cancelled"))
# How the app talks to the IMAP server; plain only to this machine (checked by the mail page).
MAIL_SECURITY = (
    ("imaps", "IMAPS (TLS, port 993)"),
    ("starttls", "STARTTLS (port 143)"),
    ("plain", "None (this computer only)"),
)
SUGGESTION_STATES = (("done", "Done"), ("snoozed", "Snoozed"), ("skipped", "Skipped"))

# A process is "running" while the employer is still deciding; "open" also
# covers an offer on the table, when a fresh resume still matters; "closed"
# is everything else, and a closed process has a closing date.
RUNNING_STATUSES = frozenset({"applied", "interviewing"})
OPEN_STATUSES = RUNNING_STATUSES | {"offer"}
CLOSED_STATUSES = frozenset(value for value, _ in APPLICATION_STATUSES) - OPEN_STATUSES
# An application in these has had the employer's answer, whatever it was.
ANSWERED_STATUSES = frozenset({"interviewing", "offer", "rejected", "hired"})

# LinkedIn refuses an invitation note longer than this.
LINKEDIN_NOTE_LIMIT = 300

LABELS = {
    "role": dict(ROLES),
    "status": dict(CONTACT_STATUSES),
    "channel": dict(CHANNELS),
    "preferred_channel": dict(PREFERRED_CHANNELS),
    "application_status": dict(APPLICATION_STATUSES),
    "interview_kind": dict(INTERVIEW_KINDS),
    "source": dict(SOURCES),
    "work_mode": dict(WORK_MODES),
    "attendance": dict(ATTENDANCE),
}


def values(choices):
    """The stored values of a choice list, in order."""
    return tuple(value for value, _ in choices)
