"""Our own contacts CSV, written for Excel and read back, and telling upload formats apart."""

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from .linkedin import is_connections_export
from .records import FormatError, PersonRecord, unique
from .text import cells_by_column, csv_rows, decode_upload

CONTACT_COLUMNS = ("Name", "Title", "Company", "Email", "Phone", "LinkedIn", "Tags", "Notes")

# The header spellings read back (compared lower-case), and the record field each one fills.
COLUMN_FIELDS = {
    "name": "name",
    "full name": "name",
    "first name": "first_name",
    "last name": "last_name",
    "title": "title",
    "job title": "title",
    "company": "company",
    "organization": "company",
    "email": "emails",
    "emails": "emails",
    "email address": "emails",
    "phone": "phones",
    "phones": "phones",
    "linkedin": "linkedin_url",
    "linkedin url": "linkedin_url",
    "website": "urls",
    "websites": "urls",
    "urls": "urls",
    "tags": "tags",
    "notes": "note",
    "note": "note",
}
# A row needs one of these to name the person.
NAME_FIELDS = {"name", "first_name", "last_name"}
# Fields holding several values in one cell, and what separates them.
LIST_SEPARATORS = {
    "emails": re.compile(r"[,;\s]+"),
    "urls": re.compile(r"[,;\s]+"),
    "phones": re.compile(r"[,;\n]+"),
    "tags": re.compile(r"[,;\n]+"),
}
# A spreadsheet runs a cell starting with these as a formula (CSV injection); a leading
# apostrophe makes it text. The apostrophe itself is included so that reading back is exact.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")


def write_contacts_csv(
    rows: Iterable[Mapping[str, object]], columns: Sequence[str] = CONTACT_COLUMNS
) -> str:
    """Write rows (dicts keyed by column) as CSV text for Excel, with formulas neutralised."""
    out = io.StringIO()
    # The BOM makes Excel read UTF-8 instead of the ANSI code page; CRLF is csv's default.
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_neutralise(_cell_text(row.get(column))) for column in columns])
    return out.getvalue()


def parse_contacts_csv(data: bytes) -> list[PersonRecord]:
    """Read a contacts CSV with a header row (our export's columns, any case) into records."""
    rows = csv_rows(decode_upload(data, expected="CSV file"))
    header_line, header = next(rows, (1, []))
    if not _names_people(header):
        raise FormatError(f"Row {header_line}: the header has no 'Name' column.")
    fields = _header_fields(header)
    return [_record(line, cells_by_column(line, header, cells), fields) for line, cells in rows]


def sniff_format(filename: str, data: bytes) -> str:
    """Tell from the content whether an upload is 'linkedin', 'csv' or 'vcard'."""
    is_vcf = filename.lower().endswith((".vcf", ".vcard"))
    is_csv = filename.lower().endswith(".csv")
    expected = "vCard file" if is_vcf else "CSV file" if is_csv else "CSV or vCard file"
    text = decode_upload(data, expected=expected)
    if text.lstrip().upper().startswith("BEGIN:VCARD"):
        return "vcard"
    if is_vcf:
        raise FormatError(f"{filename} is not a vCard file: it does not start with BEGIN:VCARD.")
    if is_connections_export(text):
        return "linkedin"
    _, header = next(csv_rows(text), (1, []))
    if _names_people(header):
        return "csv"
    raise FormatError(
        f"{filename} is not LinkedIn's Connections.csv, a contacts CSV with a 'Name' column,"
        " or a vCard file."
    )


def _header_fields(header: list[str]) -> dict[str, str]:
    """Map each header cell we know to its record field."""
    known = {column: COLUMN_FIELDS.get(" ".join(column.lower().split())) for column in header}
    return {column: field for column, field in known.items() if field}


def _names_people(header: list[str]) -> bool:
    """Tell whether a header has a column that names the person."""
    return bool(NAME_FIELDS & set(_header_fields(header).values()))


def _record(line: int, values: dict[str, str], fields: dict[str, str]) -> PersonRecord:
    found: dict[str, list[str]] = {}
    for column, field in fields.items():
        found.setdefault(field, []).append(_unneutralise(values[column]))
    texts = {field: next((v for v in cells if v), "") for field, cells in found.items()}
    name = texts.get("name") or f"{texts.get('first_name', '')} {texts.get('last_name', '')}"
    if not name.strip():
        raise FormatError(f"Row {line}: the name is empty.")
    lists = {
        field: unique(part for cell in found.get(field, []) for part in separator.split(cell))
        for field, separator in LIST_SEPARATORS.items()
    }
    return PersonRecord(
        name=name.strip(),
        first_name=texts.get("first_name", ""),
        last_name=texts.get("last_name", ""),
        company=texts.get("company", ""),
        title=texts.get("title", ""),
        linkedin_url=texts.get("linkedin_url", ""),
        note=texts.get("note", ""),
        row=line,
        **lists,
    )


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Iterable):
        return ", ".join(str(item) for item in value)
    return str(value)


def _neutralise(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _unneutralise(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text
