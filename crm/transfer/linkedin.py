"""LinkedIn's data export "Connections.csv", read as it really comes."""

from collections.abc import Iterator
from datetime import date, datetime

from .records import FormatError, PersonRecord
from .text import cells_by_column, csv_rows, decode_upload

# The columns that identify the file; URL (added in 2020), Email Address, Company and Position
# are read when present.
REQUIRED_COLUMNS = ("First Name", "Last Name", "Connected On")

# The export writes "21 Nov 2026"; Excel re-saves it as "21-Nov-26", a tidy user as ISO.
DATE_FORMATS = ("%d %b %Y", "%d-%b-%y", "%d %B %Y", "%Y-%m-%d")

# LinkedIn puts a few lines of notes before the header; look no further than this.
HEADER_SEARCH_LINES = 20


def parse_connections(data: bytes) -> list[PersonRecord]:
    """Read a LinkedIn Connections.csv export into records, or raise FormatError."""
    rows = csv_rows(decode_upload(data, expected="CSV file"))
    header_line, header = _find_header(rows)
    if header_line is None:
        raise FormatError(
            "No header row with 'First Name' and 'Last Name' columns: this is not LinkedIn's"
            " Connections.csv."
        )
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise FormatError(f"Row {header_line}: the header has no '{missing[0]}' column.")
    records = []
    for line, cells in rows:
        values = cells_by_column(line, header, cells)
        record = _record(line, values)
        if record is not None:
            records.append(record)
    return records


def is_connections_export(text: str) -> bool:
    """Tell whether decoded text has LinkedIn's Connections.csv header row."""
    try:
        _, header = _find_header(csv_rows(text))
    except FormatError:
        return False
    return all(column in header for column in REQUIRED_COLUMNS)


def _find_header(rows: Iterator[tuple[int, list[str]]]) -> tuple[int | None, list[str]]:
    """Consume rows up to the header (found by its columns) and return its line and cells."""
    for line, cells in rows:
        if line > HEADER_SEARCH_LINES:
            break
        header = [cell.strip() for cell in cells]
        if "First Name" in header and "Last Name" in header:
            return line, header
    return None, []


def _record(line: int, values: dict[str, str]) -> PersonRecord | None:
    first, last = values["First Name"], values["Last Name"]
    name = f"{first} {last}".strip()
    if not name:
        # Members who restrict what their connections see can come without a name: no one to
        # contact, so they are left out rather than failing the whole import.
        return None
    email = values.get("Email Address", "")
    return PersonRecord(
        name=name,
        first_name=first,
        last_name=last,
        emails=(email,) if email else (),
        company=values.get("Company", ""),
        title=values.get("Position", ""),
        linkedin_url=values.get("URL", ""),
        connected_on=_connected_on(line, values["Connected On"]),
        row=line,
    )


def _connected_on(line: int, value: str) -> date | None:
    if not value:
        return None
    for date_format in DATE_FORMATS:
        try:
            return datetime.strptime(value, date_format).date()
        except ValueError:
            continue
    raise FormatError(f"Row {line}: 'Connected On' is not a date: '{value}'.")
