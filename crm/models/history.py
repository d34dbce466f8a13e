"""What happened to contacts over the years: job changes, merged duplicates, and non-duplicates."""

from peewee import JOIN, ForeignKeyField, IntegerField, TextField

from crm.fields import LineField
from crm.models.base import BaseModel, DateField, DateTimeField, utcnow
from crm.models.people import Company, Contact


class JobChange(BaseModel):
    """A contact moved to another company or position; the old one stays in their history."""

    contact = ForeignKeyField(Contact, backref="job_changes", on_delete="CASCADE", index=True)
    old_company = ForeignKeyField(Company, null=True, backref="past_people",
                                  on_delete="SET NULL", index=True)
    old_title = LineField(200, default="")
    new_company = ForeignKeyField(Company, null=True, backref="new_people",
                                  on_delete="SET NULL")
    new_title = LineField(200, default="")
    changed_on = DateField(index=True)
    source = LineField(200, default="")  # the file that told us

    @classmethod
    def with_companies(cls):
        """Job changes with both companies and the contact, in one query."""
        old, new = Company.alias(), Company.alias()
        return (cls.select(cls, Contact, old, new)
                .join_from(cls, Contact, on=(cls.contact == Contact.id))
                .join_from(cls, old, JOIN.LEFT_OUTER, on=(cls.old_company == old.id),
                           attr="old_company")
                .join_from(cls, new, JOIN.LEFT_OUTER, on=(cls.new_company == new.id),
                           attr="new_company")
                .order_by(cls.changed_on.desc(), cls.id.desc()))

    @classmethod
    def past_people(cls, company):
        """Who worked at the company and has moved on, with the position they left, newest first."""
        return cls.with_companies().where(
            cls.old_company == company,
            (Contact.company != company) | Contact.company.is_null())

    def old_job(self):
        """The position left, in words ("VP Partnerships at Meridian")."""
        return job_words(self.old_title, self.old_company.name if self.old_company else "")

    def new_job(self):
        """The position taken, in words."""
        return job_words(self.new_title, self.new_company.name if self.new_company else "")


class ContactMerge(BaseModel):
    """Two contacts made one, recorded well enough to split them again.

    `record` is JSON: the merged contact's row and tags, the kept contact's
    fields before the merge, and every row moved or dropped, by table.
    """

    kept = ForeignKeyField(Contact, backref="merges", on_delete="CASCADE", index=True)
    merged_id = IntegerField()
    merged_name = LineField(200, blank=False)
    record = TextField()
    merged_at = DateTimeField(default=utcnow, index=True)


class DistinctPair(BaseModel):
    """Two contacts the user said are different people: never listed as duplicates again."""

    first = ForeignKeyField(Contact, backref="+", on_delete="CASCADE")
    second = ForeignKeyField(Contact, backref="+", on_delete="CASCADE", index=True)
    decided_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("first", "second"), True),)


def job_words(title, company):
    """A position in words: "Title at Company", either alone, or "" when neither is known."""
    return " at ".join(part for part in (title, company) if part)
