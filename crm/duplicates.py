"""Likely duplicates across the whole address book, found in one query and plain dicts.

Two contacts are likely the same person when they share an email, a LinkedIn
profile, or a name at the same company, or when their names are near at the
same company: "Bob Hale" and "Robert Hale", "Zoë Müller" and "Zoe Mueller".
Pairs the user called different people are left out.
"""

import re
import unicodedata
from dataclasses import dataclass

from peewee import JOIN, fn

from crm.db import db
from crm.models import Company, Contact, DistinctPair

# The nicknames people go by, to the name they are filed under elsewhere.
NICKNAMES = {
    "al": "albert", "alex": "alexander", "andy": "andrew", "ben": "benjamin",
    "beth": "elizabeth", "bill": "william", "billy": "william", "bob": "robert",
    "bobby": "robert", "cathy": "catherine", "chris": "christopher", "chuck": "charles",
    "dan": "daniel", "danny": "daniel", "dave": "david", "dick": "richard", "ed": "edward",
    "eddie": "edward", "greg": "gregory", "jake": "jacob", "jim": "james", "jimmy": "james",
    "joe": "joseph", "jon": "jonathan", "kate": "katherine", "katie": "katherine",
    "kathy": "katherine", "ken": "kenneth", "larry": "lawrence", "liz": "elizabeth",
    "maggie": "margaret", "matt": "matthew", "meg": "margaret", "mike": "michael",
    "nick": "nicholas", "pat": "patrick", "peggy": "margaret", "pete": "peter",
    "rick": "richard", "rob": "robert", "robbie": "robert", "ron": "ronald", "sam": "samuel",
    "steve": "stephen", "sue": "susan", "ted": "edward", "tim": "timothy", "tom": "thomas",
    "tony": "anthony", "will": "william",
}
# Spellings of the same letter once accents are gone: "Müller" is also written "Mueller".
SPELLINGS = (("ae", "a"), ("oe", "o"), ("ue", "u"), ("ss", "s"))
# What a name keeps: letters (accents split off by NFKD are dropped), spaces, - and '.
NOT_LETTERS = re.compile(r"[^\w\s'-]|_|\d")
# Strongest first: the order pairs are listed in.
REASONS = ("same email", "same LinkedIn profile", "same name", "similar names")


@dataclass(frozen=True)
class Person:
    """A contact as the duplicates page shows it."""

    id: int
    name: str
    title: str
    company: str
    email: str
    archived: bool


@dataclass
class Pair:
    """Two contacts that are likely one person, and why."""

    first: Person
    second: Person
    reasons: list

    def why(self):
        """The reasons in a sentence: "Same email; similar names at Acme"."""
        text = "; ".join(self.reasons)
        return text[:1].upper() + text[1:]

    def rank(self):
        """Strongest reason first, then by name."""
        return (min(REASONS.index(r.partition(" at ")[0]) for r in self.reasons),
                self.first.name.casefold(), self.first.id, self.second.id)


def name_key(name):
    """A name as near names compare: accents, case, titles, middle names and nicknames gone."""
    plain = name.casefold()
    if not plain.isascii():
        plain = unicodedata.normalize("NFKD", plain)
    plain = NOT_LETTERS.sub("", plain)
    for written, said in SPELLINGS:
        plain = plain.replace(written, said)
    words = [w for w in plain.split() if len(w) > 1 or len(plain.split()) == 1]
    if not words:
        return plain
    first = NICKNAMES.get(words[0], words[0])
    return first if len(words) == 1 else f"{first} {words[-1]}"


def likely_pairs():
    """Every pair of contacts that are likely the same person, strongest reasons first."""
    query = (Contact.select(Contact.id, Contact.name, Contact.title, Contact.email,
                            Contact.linkedin_url, Contact.company,
                            fn.COALESCE(Company.name, ""), Contact.archived_at.is_null(False))
             .join(Company, JOIN.LEFT_OUTER).order_by(Contact.id))
    # The driver's rows as they come: converting 10,000 rows through peewee would cost more
    # than the rest of the page, and these columns need no conversion.
    rows = {row[0]: row for row in db.execute(query).fetchall()}
    groups = {}
    for pk, name, _, email, linkedin, company_id, _, _ in rows.values():
        keys = [("same email", email), ("same LinkedIn profile", linkedin)]
        if company_id is not None:
            keys += [("same name", (company_id, name.casefold())),
                     ("similar names", (company_id, name_key(name)))]
        for kind, value in keys:
            if value:
                groups.setdefault((kind, value), []).append(pk)
    distinct = {tuple(sorted(pair)) for pair in
                DistinctPair.select(DistinctPair.first, DistinctPair.second).tuples()}
    pairs = {}
    for (kind, _), members in groups.items():
        # Each member pairs with the first: a group of n makes n - 1 pairs, not n².
        for other in members[1:]:
            key = (members[0], other)
            if key not in distinct:
                pair = pairs.setdefault(key, Pair(person(rows[key[0]]), person(rows[key[1]]), []))
                pair.reasons.append(kind)
    for pair in pairs.values():
        # Exact names are near names too: say the stronger thing, once, with the company.
        if "same name" in pair.reasons and "similar names" in pair.reasons:
            pair.reasons.remove("similar names")
        pair.reasons = [f"{r} at {pair.first.company}" if r in REASONS[2:] else r
                        for r in pair.reasons]
    return sorted(pairs.values(), key=Pair.rank)


def person(row):
    """The Person of a row of the query above."""
    pk, name, title, email, _, _, company, archived = row
    return Person(pk, name, title, company, email, bool(archived))


def mark_distinct(first_id, second_id):
    """Remember that two contacts are different people (call inside a transaction)."""
    first, second = sorted((first_id, second_id))
    DistinctPair.insert(first=first, second=second).on_conflict_ignore().execute()
