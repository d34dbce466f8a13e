"""The resume and cover letter sent with an application, kept as files in the instance folder.

Only PDF and DOCX, told apart by their first bytes rather than their names, and
only up to a size cap. Each file is stored under a random name, so nothing the
user uploads decides a path; the name it was uploaded as is kept for the download.
"""

import io
import os
import secrets
import zipfile
from pathlib import Path

from flask import current_app

MAX_BYTES = 5 * 2**20  # a resume is a few hundred kilobytes; a scan, a few megabytes
KINDS = {  # extension: (MIME type, what the user calls it)
    ".pdf": ("application/pdf", "PDF"),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
              "Word (DOCX)"),
}
STORED_NAME_LENGTH = 32  # hex digits of randomness, then the extension


class DocumentError(ValueError):
    """An upload refused; the message tells the user what to send instead."""


def kind_of(data):
    """The extension the bytes really are (".pdf" or ".docx"), or None."""
    if data.startswith(b"%PDF-"):
        return ".pdf"
    if data.startswith(b"PK\x03\x04"):
        # Any Office file and any ZIP start alike; a Word document has its main part inside.
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if "word/document.xml" in archive.namelist():
                    return ".docx"
        except zipfile.BadZipFile:
            return None
    return None


def check(filename, data):
    """The extension to store the upload under, or DocumentError saying what is wrong."""
    if not data:
        raise DocumentError("The file is empty.")
    if len(data) > MAX_BYTES:
        raise DocumentError(f"The file is {len(data) / 2**20:.1f} MB; the limit is "
                            f"{MAX_BYTES // 2**20} MB. Save a smaller PDF.")
    kind = kind_of(data)
    named = os.path.splitext(filename or "")[1].lower()
    if kind is None or named != kind:
        raise DocumentError("Upload a PDF or a Word (.docx) file; this one "
                            + ("is not one, whatever its name says." if named in KINDS
                               else "is neither."))
    return kind


def folder():
    """The instance folder's documents folder, made on first need."""
    path = Path(current_app.instance_path) / "documents"
    path.mkdir(parents=True, exist_ok=True)
    return path


def store(filename, data):
    """Check and write an upload; return the random name it is stored under."""
    stored = secrets.token_hex(STORED_NAME_LENGTH // 2) + check(filename, data)
    target = folder() / stored
    # Exclusive creation: a (vanishingly unlikely) clash never overwrites another file.
    with open(target, "xb") as out:
        out.write(data)
    return stored


def path_of(stored):
    """The file stored under a name this module gave, or None when it is not there."""
    stem, extension = os.path.splitext(stored or "")
    # The name comes from the database, which a backup fills: only our own shape is a path.
    if extension not in KINDS or len(stem) != STORED_NAME_LENGTH or not all(
            c in "0123456789abcdef" for c in stem):
        return None
    path = folder() / stored
    return path if path.is_file() else None


def mimetype(stored):
    """The MIME type of a stored file, from the extension it was checked to have."""
    return KINDS[os.path.splitext(stored)[1]][0]


def remove(stored):
    """Delete a stored file, if it is there."""
    path = path_of(stored)
    if path is not None:
        path.unlink(missing_ok=True)
