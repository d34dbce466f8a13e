"""Tables of the whole product, and the named queries the pages use, one module per noun.

The schema itself is created and changed only by the numbered scripts in
`crm/migrations/`; these classes must describe the schema they leave behind.
"""

from crm.models.base import BaseModel, DateField, DateTimeField, utcnow
from crm.models.events import (
    Event,
    EventAttendee,
    EventCalendar,
    EventCompany,
    companies_at,
    ends_at,
    people_at,
    starts_at,
    upcoming_for,
)
from crm.models.history import ContactMerge, DistinctPair, JobChange, job_words
from crm.models.mail import (
    ContactAddress,
    MailAccount,
    MailCandidate,
    MailFolder,
    MailMessage,
    addresses_taken,
)
from crm.models.news import Article, ArticleMatch, Feed
from crm.models.people import (
    Company,
    Contact,
    ContactTag,
    Tag,
    contacts_for,
    contacts_for_labels,
    match_contacts,
    match_labels,
    normal_email,
    normal_linkedin,
    split_label,
    tags_by_contact,
)
from crm.models.process import (
    Application,
    ApplicationContact,
    Interview,
    Interviewer,
    application_people,
    recent_applications,
)
from crm.models.state import Setting, SuggestionState
from crm.models.touches import Touch

MODELS = [Company, Contact, Tag, ContactTag, Application, ApplicationContact, Interview,
          Interviewer, Feed, Article, ArticleMatch, MailMessage, Touch, EventCalendar, Event,
          EventAttendee, EventCompany, SuggestionState, Setting, JobChange, ContactMerge,
          DistinctPair, ContactAddress, MailAccount, MailFolder, MailCandidate]

__all__ = [
    "MODELS", "Application", "ApplicationContact", "Article", "ArticleMatch", "BaseModel",
    "Company", "Contact", "ContactAddress", "ContactMerge", "ContactTag", "DateField",
    "DateTimeField", "DistinctPair", "Event", "EventAttendee", "EventCalendar", "EventCompany",
    "Feed", "Interview", "Interviewer", "JobChange", "MailAccount", "MailCandidate",
    "MailFolder", "MailMessage", "Setting", "SuggestionState", "Tag", "Touch",
    "addresses_taken", "application_people", "companies_at", "contacts_for",
    "contacts_for_labels", "match_labels", "ends_at",
    "job_words", "match_contacts", "normal_email", "normal_linkedin", "people_at",
    "recent_applications", "split_label", "starts_at", "tags_by_contact", "upcoming_for", "utcnow",
]
