"""Turning uploaded bytes into text and CSV rows, with messages a user can act on."""

import csv
import io
from collections.abc import Iterator

from .records import FormatError

# Files people upload by mistake, recognised by their first bytes.
MAGIC_NUMBERS = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (an Excel workbook, or LinkedIn's export before unzipping)"),
    (b"\xd0\xcf\x11\xe0", "an old Excel or Word document"),
    (b"\x1f\x8b", "a gzip archive"),
)

# What the csv module says, in words that tell the user what to fix.
CSV_ERRORS = {
    "unexpected end of data": "a quoted field is never closed",
    "',' expected after '\"'": "text follows a closing quote (double a quote inside a field)",
    f"field larger than field limit ({csv.field_size_limit()})":
        f"a value is longer than {csv.field_size_limit()} characters",
}


def decode_upload(data: bytes, expected: str = "text file") -> str:
    """Decode uploaded bytes (UTF-8, UTF-16 with BOM, else cp1252) into text with \\n newlines."""
    for magic, kind in MAGIC_NUMBERS:
        if data.startswith(magic):
            raise FormatError(f"This file looks like {kind}, not a {expected}.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Outlook and some Google exports write "Unicode" text: UTF-16 announced by a BOM.
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise FormatError("This file starts as UTF-16 text but is not valid UTF-16.") from None
    elif b"\x00" in data:
        raise FormatError(f"This file contains binary data, not a {expected}.")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            # Excel on Windows saves "CSV" in the ANSI code page; cp1252 leaves five bytes
            # undefined, which Latin-1 still maps.
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                text = data.decode("latin-1")
    if not text.strip():
        raise FormatError("The file is empty.")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """Yield (line number, cells) for each CSV record that is not blank."""
    reader = csv.reader(io.StringIO(text), strict=True)
    start = 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                yield start, cells
            start = reader.line_num + 1
    except csv.Error as error:
        reason = CSV_ERRORS.get(str(error), str(error))
        raise FormatError(f"Row {start}: {reason}.") from None


def cells_by_column(line: int, header: list[str], cells: list[str]) -> dict[str, str]:
    """Map a row's cells to the header's column names, refusing a row of the wrong width."""
    if len(cells) != len(header):
        raise FormatError(
            f"Row {line}: expected {len(header)} fields like the header, found {len(cells)}"
            " (a comma inside a value needs quotes around the value)."
        )
    return {column: cell.strip() for column, cell in zip(header, cells, strict=True)}
