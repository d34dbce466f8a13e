"""The resume and cover letter files: PDF or DOCX only, capped, stored privately, downloaded."""

import io
import zipfile
from pathlib import Path

from support import application_form

from crm import documents
from crm.models import Application

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def docx():
    """The smallest ZIP a Word document is recognised by, the same bytes every time."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in (("[Content_Types].xml", "<Types/>"),
                           ("word/document.xml", "<w:document/>")):
            # A fixed time: ZIP entries carry one, and two calls must give the same bytes.
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 11, 1, 0, 0, 0)), text)
    return out.getvalue()


def post(client, url, files, **fields):
    """Submit the application form with files, as a browser sends multipart data."""
    page = client.get(url).get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    data = {**application_form(**fields), "csrf_token": token}
    data.update({name: (io.BytesIO(content), filename)
                 for name, (content, filename) in files.items()})
    return client.post(url, data=data, content_type="multipart/form-data")


def stored_files(app):
    folder = Path(app.instance_path) / "documents"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_a_resume_is_stored_under_a_random_name_and_downloaded_as_uploaded(app, client,
                                                                            database):
    response = post(client, "/applications/new", {
        "resume_upload": (PDF, "Résumé – Jo.pdf"), "cover_letter_upload": (docx(), "cover.docx")},
        resume_version="2026-11")
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    application = Application.get()
    assert application.resume_filename == "Résumé – Jo.pdf"
    assert len(application.resume_file) == 36 and application.resume_file.endswith(".pdf")
    assert stored_files(app) == sorted([application.resume_file, application.cover_letter_file])
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "Résumé – Jo.pdf" in page and f"/applications/{application.id}/resume" in page
    download = client.get(f"/applications/{application.id}/resume")
    assert download.status_code == 200 and download.data == PDF
    assert download.mimetype == "application/pdf"
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''R%C3%A9sum%C3%A9%20%E2%80%93%20Jo.pdf" in disposition
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    letter = client.get(f"/applications/{application.id}/cover-letter")
    assert letter.data == docx() and "wordprocessingml" in letter.mimetype


def test_a_file_that_is_not_pdf_or_docx_is_refused_and_nothing_is_saved(app, client,
                                                                         database):
    for content, name in ((b"<html><script>alert(1)</script>", "resume.pdf"),
                          (b"MZ\x90\x00 program", "resume.docx"),
                          (PDF, "resume.html"),
                          (b"PK\x03\x04 not really a zip", "resume.docx")):
        response = post(client, "/applications/new", {"resume_upload": (content, name)},
                        location="Kept as typed")
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "Upload a PDF or a Word (.docx) file" in page, name
        assert 'value="Kept as typed"' in page and "Choose any file again" in page
    assert Application.select().count() == 0 and stored_files(app) == []


def test_a_file_over_the_cap_is_refused(app, client, database):
    big = PDF + b"0" * documents.MAX_BYTES
    page = post(client, "/applications/new", {"resume_upload": (big, "big.pdf")}
                ).get_data(as_text=True)
    assert "the limit is 5 MB" in page and stored_files(app) == []


def test_replacing_and_removing_a_file_deletes_the_old_one(app, client, database):
    post(client, "/applications/new", {"resume_upload": (PDF, "one.pdf")})
    application = Application.get()
    first = application.resume_file
    edit = f"/applications/{application.id}/edit"
    assert post(client, edit, {"resume_upload": (docx(), "two.docx")}).status_code == 302
    second = Application.get().resume_file
    assert second != first and stored_files(app) == [second]
    assert Application.get().resume_filename == "two.docx"
    assert post(client, edit, {}, remove_resume="y").status_code == 302
    assert Application.get().resume_file == "" and stored_files(app) == []
    gone = client.get(f"/applications/{application.id}/resume", follow_redirects=True)
    assert "No resume file is stored for this application." in gone.get_data(as_text=True)


def test_deleting_the_application_deletes_its_files(app, client, database):
    post(client, "/applications/new", {"resume_upload": (PDF, "one.pdf")})
    application = Application.get()
    client.submit(f"/applications/{application.id}/delete", {})
    assert stored_files(app) == []


def test_only_names_the_app_made_are_served(app, client, database):
    post(client, "/applications/new", {})
    application = Application.get()
    (Path(app.instance_path) / "secret.txt").write_text("not yours")
    for name in ("../secret.txt", "/etc/passwd", "../../crm.db", "x" * 32 + ".txt"):
        Application.update(resume_file=name).execute()
        response = client.get(f"/applications/{application.id}/resume")
        assert response.status_code == 302 and b"not yours" not in response.data
