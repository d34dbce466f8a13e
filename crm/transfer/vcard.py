"""vCard files (3.0 and 4.0, and the quoted-printable 2.1 of older phones), read and written."""

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator

from vobject.base import ContentLine, VObjectError, backslashEscape, textLineToContentLine

from .records import FormatError, PersonRecord, unique
from .text import decode_upload

# Google puts every contact in this system group; it is not a tag the user chose.
GOOGLE_ALL_CONTACTS = "mycontacts"

LINKEDIN_PROFILE = re.compile(r"^(https?://)?([\w-]+\.)*linkedin\.com/(in|pub)/", re.IGNORECASE)
ESCAPED = re.compile(r"\\(.)", re.DOTALL)


def parse_vcards(data: bytes) -> list[PersonRecord]:
    """Read every card of a vCard file into records, or raise FormatError naming the card."""
    records: list[PersonRecord] = []
    card: list[ContentLine] | None = None
    start = 0
    for number, text in _logical_lines(decode_upload(data, expected="vCard file")):
        where = f"Card {len(records) + 1} (line {number})"
        try:
            # vobject splits the line into group, name, parameters and value and decodes
            # quoted-printable. Unescaping the text is ours: vobject's keeps only what comes
            # before the first unescaped comma ("NOTE:Met at PyCon, Berlin" -> "Met at PyCon").
            line = textLineToContentLine(text, number)
        except (VObjectError, LookupError, ValueError):
            raise FormatError(f"{where}: not a vCard line: {text[:60]!r}.") from None
        is_vcard = line.value.strip().upper() == "VCARD"
        if line.name == "BEGIN" and is_vcard:
            if card is not None:
                raise FormatError(
                    f"Card {len(records) + 1} (line {start}): BEGIN:VCARD has no END:VCARD"
                    f" before the next card starts at line {number}."
                )
            card, start = [], number
        elif line.name == "END" and is_vcard and card is not None:
            records.append(_record(len(records) + 1, card))
            card = None
        elif card is None:
            raise FormatError(f"{where}: expected BEGIN:VCARD, found {text[:60]!r}.")
        else:
            card.append(line)
    if card is not None:
        raise FormatError(
            f"Card {len(records) + 1} (line {start}): BEGIN:VCARD has no END:VCARD;"
            " the file looks cut short."
        )
    return records


def write_vcards(records: Iterable[PersonRecord]) -> str:
    """Write records as vCard 3.0 text (CRLF, folded lines), the version most programs import."""
    # By hand rather than through vobject's objects, which take 2 s for 10,000 cards.
    return "".join(_card(record) for record in records)


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """Yield (line number, line) with folded lines and quoted-printable soft breaks rejoined."""
    # vobject's own unfolding misnumbers lines after blank ones; messages need the right number.
    current, start = "", 0
    for number, physical in enumerate(text.split("\n"), 1):
        if current.endswith("=") and "QUOTED-PRINTABLE" in current.upper():
            current += "\n" + physical  # the decoder drops the "=\n" soft break itself
        elif current and physical[:1] in (" ", "\t"):
            current += physical[1:]
        else:
            if current.strip():
                yield start, current
            current, start = physical, number
    if current.strip():
        yield start, current


def _record(number: int, card: list[ContentLine]) -> PersonRecord:
    lines: dict[str, list[ContentLine]] = defaultdict(list)
    for line in card:
        lines[line.name].append(line)

    def texts(name: str) -> list[str]:
        return [value for line in lines[name] if (value := _unescape(line.value).strip())]

    family, given = (_split(lines["N"][0].value) + ["", ""])[:2] if lines["N"] else ("", "")
    name = next(iter(texts("FN")), "") or f"{given} {family}".strip()
    if not name:
        raise FormatError(f"Card {number}: no name (neither FN nor N has one).")
    web = [_unescape(line.value) for line in lines["URL"]]
    web += [_social_profile(line) for line in lines["X-SOCIALPROFILE"]]
    linkedin_url = next((url.strip() for url in web if LINKEDIN_PROFILE.match(url.strip())), "")
    return PersonRecord(
        name=name,
        first_name=given.strip(),
        last_name=family.strip(),
        emails=unique(_unescape(line.value) for line in _preferred_first(lines["EMAIL"])),
        phones=unique(_phone(line.value) for line in _preferred_first(lines["TEL"])),
        # ORG is "company;department;sub-department"; only the company has a place here.
        company=_split(lines["ORG"][0].value)[0].strip() if lines["ORG"] else "",
        title=next(iter(texts("TITLE") + texts("ROLE")), ""),
        urls=tuple(url for url in unique(web) if url != linkedin_url),
        linkedin_url=linkedin_url,
        note="\n\n".join(texts("NOTE")),
        tags=unique(
            tag
            for line in lines["CATEGORIES"]
            for tag in _split(line.value, ",")
            if tag.strip().casefold() != GOOGLE_ALL_CONTACTS
        ),
        row=number,
    )


def _unescape(value: str) -> str:
    r"""Undo vCard escaping (\n, \, \; \\, and the \: Apple and Google write in URLs)."""
    text = ESCAPED.sub(lambda match: "\n" if match[1] in "nN" else match[1], value)
    # Quoted-printable values (vCard 2.1) carry the CRLF of the phone that wrote them.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _split(value: str, separator: str = ";") -> list[str]:
    """Split a structured value (N, ORG, CATEGORIES) on unescaped separators, then unescape."""
    parts, current, chars = [], "", iter(value)
    for char in chars:
        if char == "\\":
            current += char + next(chars, "")
        elif char == separator:
            parts.append(current)
            current = ""
        else:
            current += char
    return [_unescape(part) for part in [*parts, current]]


def _types(line: ContentLine) -> set[str]:
    # TYPE=work,voice, TYPE="work,voice" and TYPE=work;TYPE=voice all occur, and vCard 2.1
    # writes bare types (TEL;CELL;PREF).
    values = [*line.params.get("TYPE", []), *line.singletonparams]
    return {part.strip().upper() for value in values for part in value.split(",")}


def _preferred_first(lines: list[ContentLine]) -> list[ContentLine]:
    return sorted(lines, key=lambda line: not ("PREF" in _types(line) or "PREF" in line.params))


def _phone(value: str) -> str:
    # vCard 4.0 writes phones as URIs: TEL;VALUE=uri:tel:+1-555-0100.
    value = _unescape(value).strip()
    return value[4:] if value.lower().startswith("tel:") else value


def _social_profile(line: ContentLine) -> str:
    url = _unescape(line.value).strip()
    if "://" in url:
        return url
    if "LINKEDIN" in _types(line):
        # Apple sometimes stores only the user name, in x-user or as "x-apple:name".
        user = line.params.get("X-USER", [url.rsplit(":", 1)[-1]])[0]
        return f"https://www.linkedin.com/in/{user}"
    return ""  # another service's bare user name is not a web address


def _card(record: PersonRecord) -> str:
    lines = [
        "BEGIN:VCARD",
        "VERSION:3.0",
        f"FN:{backslashEscape(record.name)}",
        f"N:{backslashEscape(record.last_name)};{backslashEscape(record.first_name)};;;",
    ]
    for name, value in (("ORG", record.company), ("TITLE", record.title), ("NOTE", record.note)):
        if value:
            lines.append(f"{name}:{backslashEscape(value)}")
    lines += _typed_lines("EMAIL", "INTERNET", record.emails)
    lines += _typed_lines("TEL", "VOICE", record.phones)
    lines += [f"URL:{backslashEscape(url)}" for url in (record.linkedin_url, *record.urls) if url]
    if record.tags:
        lines.append("CATEGORIES:" + ",".join(backslashEscape(tag) for tag in record.tags))
    lines.append("END:VCARD")
    return "".join(_fold(line) + "\r\n" for line in lines)


def _typed_lines(name: str, kind: str, values: tuple[str, ...]) -> list[str]:
    # The first value is marked preferred, as the parser (and every address book) reads it.
    return [
        f"{name};TYPE={kind}{',PREF' if index == 0 else ''}:{backslashEscape(value)}"
        for index, value in enumerate(values)
    ]


def _fold(line: str) -> str:
    """Fold a line to 75 octets per physical line (RFC 2426) without splitting a character."""
    if len(line.encode()) <= 75:
        return line
    parts, current, size = [], "", 0
    for char in line:
        width = len(char.encode())
        if size + width > 75:
            parts.append(current)
            current, size = " ", 1
        current += char
        size += width
    return "\r\n".join([*parts, current])
