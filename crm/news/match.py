"""Which contacts an article is good for: pure matching against an index built once."""

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from crm.news.parse import plain_text

FORWARD = "forward"
CONGRATULATE = "congratulate"

CONGRATULATE_WORDS = frozenset(
    """award awards awarded promoted promotion named names joins joined appointed
    appoints appointment honored honoured honors honours honoree wins won
    recognized recognised recognition elected hired hires welcomes""".split()
)
# A congratulation word counts only this many words from the name, so a press
# release that quotes Jane Doe and, three paragraphs later, lists awards the
# company won does not suggest congratulating her.
NEARBY_WORDS = 12

_WORD = re.compile(r"\w+")
_ACCENT = re.compile("[\u0300-\u036f]")


@dataclass(frozen=True)
class ContactInfo:
    """What matching needs to know about a contact."""

    id: object
    name: str
    company_id: object = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class ArticleInfo:
    """What matching needs to know about an article; `summary` may be HTML."""

    title: str
    summary: str = ""
    company_id: object = None


@dataclass(frozen=True)
class Match:
    """A contact this article suits, how (forward or congratulate) and why."""

    contact_id: object
    kind: str
    reason: str


def words(text):
    """Split text into lowercase words, accents dropped, so "José" matches "Jose"."""
    text = _ACCENT.sub("", unicodedata.normalize("NFKD", text.casefold()))
    return _WORD.findall(text)


def _singular(word):
    # Enough for interests: "sponsorships" should find "sponsorship".
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _phrases(tokens, lengths):
    """Yield (start, phrase) for every run of tokens whose length is in `lengths`."""
    for size in lengths:
        for start in range(len(tokens) - size + 1):
            yield start, tuple(tokens[start : start + size])


class ContactIndex:
    """Contacts indexed once by company, full name and interest, to match many articles."""

    def __init__(self, contacts):
        self.by_company = defaultdict(list)
        self.by_name = defaultdict(list)
        self.by_interest = defaultdict(list)
        for contact in contacts:
            if contact.company_id is not None:
                self.by_company[contact.company_id].append(contact)
            name = tuple(words(contact.name))
            # A one-word name ("Will", "Grace") is an ordinary word too often.
            if len(name) >= 2:
                self.by_name[name].append(contact)
            for tag in contact.tags:
                phrase = tuple(_singular(word) for word in words(tag))
                if phrase:
                    self.by_interest[phrase].append((contact, tag.strip()))
        # Articles are scanned for phrases of only these lengths.
        self.name_sizes = {len(name) for name in self.by_name}
        self.interest_sizes = {len(phrase) for phrase in self.by_interest}

    def matches(self, article):
        """Return the Matches for one article, one per contact and kind, reasons joined."""
        tokens = words(f"{article.title} {plain_text(article.summary)}")
        reasons = defaultdict(list)
        for contact in self.by_company.get(article.company_id, ()):
            reasons[contact.id, FORWARD].append("news about their company")
        self._congratulations(tokens, reasons)
        singular = [_singular(word) for word in tokens]
        for _, phrase in _phrases(singular, self.interest_sizes):
            for contact, tag in self.by_interest.get(phrase, ()):
                reasons[contact.id, FORWARD].append(f'fits their interest in "{tag}"')
        return [
            Match(contact_id, kind, "; ".join(dict.fromkeys(why)))
            for (contact_id, kind), why in reasons.items()
        ]

    def _congratulations(self, tokens, reasons):
        triggers = [i for i, word in enumerate(tokens) if word in CONGRATULATE_WORDS]
        if not triggers:
            return
        for start, phrase in _phrases(tokens, self.name_sizes):
            contacts = self.by_name.get(phrase)
            if not contacts:
                continue
            end = start + len(phrase)
            nearest = min(triggers, key=lambda i: start - i if i < start else i - end + 1)
            if start - NEARBY_WORDS <= nearest < end + NEARBY_WORDS:
                for contact in contacts:
                    reasons[contact.id, CONGRATULATE].append(
                        f'names {contact.name} next to "{tokens[nearest]}"'
                    )
