"""The JSON backup: every table out, and back in exactly as it was."""

import json
from datetime import datetime, time, timedelta

import pytest
from support import FILLED_ON, export, fill_every_table

from crm import create_app
from crm.db import db
from crm.models import (
    MODELS,
    Application,
    BaseModel,
    Contact,
    Touch,
)
from crm.transfer import backup

TODAY = FILLED_ON
# Tables that are not data: the migration history (the backup's "schema"), the change log,
# the signed-in browsers (a restore must not bring back a login that was ended) and the
# background jobs' leases.
BOOKKEEPING = {"schema_migration", "change_log", "login_session", "job_lease"}


def empty_app(tmp_path, name):
    """A second app on its own new database (the backup's destination)."""
    return create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                       "DATABASE_URL": f"sqlite:///{tmp_path / name}"})


def test_backup_has_every_table_of_the_database(app, runner, database):
    fill_every_table()
    document = json.loads(export(runner))
    tables = {name for name in database.get_tables() if not name.startswith("sqlite_")}
    # The search indexes (and their own tables) are rebuilt from the data, not backed up.
    indexes = {name for name in tables if "_search" in name}
    assert set(document["tables"]) == tables - BOOKKEEPING - indexes
    # And every model class is one of them: a model left out of MODELS would be missed.
    models = set(BaseModel.__subclasses__())
    assert models == set(MODELS), f"not in crm.models.MODELS: {models - set(MODELS)}"


def test_backup_is_versioned_with_iso_dates_and_rows_in_key_order(runner, database):
    fill_every_table()
    document = json.loads(export(runner))
    assert (document["format"], document["version"]) == ("followthrough-backup", 1)
    assert document["schema"][0] == "0001_initial"
    touch = document["tables"]["touch"][0]
    assert touch["happened_on"] == (TODAY - timedelta(days=29)).isoformat()
    assert datetime.fromisoformat(touch["created_at"]) and "T" in touch["created_at"]
    event = document["tables"]["event"][0]
    assert (event["start_time"], event["end_time"]) == ("09:00:00", "17:00:00")
    for rows in document["tables"].values():
        keys = [row.get("id", row.get("key")) for row in rows]
        assert keys == sorted(keys)


def test_export_then_restore_gives_back_the_same_data(app, runner, tmp_path):
    with app.app_context(), db.connection_context():
        fill_every_table()
    first = export(runner)
    empty_columns = [f"{table}.{column}" for table, rows in json.loads(first)["tables"].items()
                     for column in {column for row in rows for column in row}
                     if all(row[column] in (None, "", 0, False) for row in rows)]
    assert not empty_columns, f"fill_every_table leaves these empty: {empty_columns}"
    path = tmp_path / "backup.json"
    path.write_bytes(first)
    restored = empty_app(tmp_path, "restored.db").test_cli_runner()
    result = restored.invoke(args=["restore", str(path)])
    assert result.exit_code == 0, result.output
    assert "Restored" in result.output and "5 contacts" in result.output
    assert export(restored) == first


def test_restore_refuses_a_database_with_data_unless_told_to_replace_it(runner, database,
                                                                       tmp_path):
    priya = fill_every_table()
    path = tmp_path / "backup.json"
    path.write_bytes(export(runner))
    Contact.create(name="Added after the backup")
    priya.delete_instance()
    result = runner.invoke(args=["restore", str(path)])
    assert result.exit_code == 1
    assert "The database is not empty" in result.output and "--replace" in result.output
    assert Contact.select().where(Contact.name == "Added after the backup").exists()
    result = runner.invoke(args=["restore", "--replace", str(path)])
    assert result.exit_code == 0, result.output
    names = {c.name for c in Contact.select()}
    assert "Added after the backup" not in names and "Priya Shah" in names
    assert export(runner) == path.read_bytes()


def test_restore_refuses_a_backup_from_a_newer_schema(app, runner, tmp_path):
    document = {"format": "followthrough-backup", "version": 1,
                "schema": ["0001_initial", "0099_from_the_future"], "tables": {}}
    path = tmp_path / "future.json"
    path.write_text(json.dumps(document))
    result = runner.invoke(args=["restore", str(path)])
    assert result.exit_code == 1
    assert ("This backup comes from a newer database schema (it has migration"
            " 0099_from_the_future). Upgrade Followthrough, then restore it.") in result.output


@pytest.mark.parametrize(("content", "message"), [
    (b"\x89PNG\r\n", "is not a JSON backup"),
    (b'{"hello": 1}', 'This is not a Followthrough backup: no "format": "followthrough-backup".'),
    (b'{"format": "followthrough-backup", "version": 2, "tables": {}}',
     "This backup is in format version 2, newer than this Followthrough reads (1)."),
    (b'{"format": "followthrough-backup", "version": 1, "tables": {"gossip": []}}',
     "The backup has a table this version does not know: gossip."),
    (b'{"format": "followthrough-backup", "version": 1, "tables": {"contact": [{"id": 1,'
     b' "name": "Ada", "last_touch_on": "yesterday"}]}}',
     "Table contact, row 1, field last_touch_on 'yesterday': Expected a date like 2026-11-20."),
    (b'{"format": "followthrough-backup", "version": 1, "tables": {"touch": [{"id": 1,'
     b' "contact_id": 42, "happened_on": "2026-11-22"}]}}',
     "The backup's rows do not fit together: "),
], ids=["not json", "not a backup", "newer format", "unknown table", "bad date", "broken link"])
def test_a_bad_backup_restores_nothing_and_says_why(runner, database, tmp_path, content,
                                                    message):
    path = tmp_path / "backup.json"
    path.write_bytes(content)
    result = runner.invoke(args=["restore", str(path)])
    assert result.exit_code == 1 and message in result.output, result.output
    assert "Nothing was restored." in result.output
    assert backup.is_empty()


def test_a_broken_row_in_the_last_table_leaves_the_database_empty(runner, database, tmp_path):
    fill_every_table()
    document = json.loads(export(runner))
    document["tables"]["setting"].append({"key": "broken"})  # no value: NOT NULL
    with db.atomic():
        for model in reversed(MODELS):
            model.delete().execute()
    with pytest.raises(backup.BackupError, match=r"Table setting, row \d+, field value: A value"
                                                 " is needed here."):
        backup.restore(document)
    assert backup.is_empty()


def test_a_backup_from_before_a_column_existed_restores_with_its_default(runner, database):
    fill_every_table()
    document = json.loads(export(runner))
    document["schema"].remove("0007_login_session")
    for row in document["tables"]["touch"]:
        del row["happened_at"]
    counts = backup.restore(document, replace=True)
    assert counts["touch"] >= 1
    assert {t.happened_at for t in Touch.select()} == {None}


def test_a_backup_from_before_0009_links_the_next_point_of_contact(runner, database):
    fill_every_table()
    document = json.loads(export(runner))
    document["schema"].remove("0009_playbook_edges")
    priya = Contact.get(Contact.name == "Priya Shah")
    first, second = document["tables"]["application"]
    for row, text in ((first, "HR (Priya Shah)"), (second, "Someone in HR")):
        del row["next_contact_id"], row["closed_at"]
        row["next_contact"] = text
    for row in document["tables"]["interviewer"]:
        del row["accomplishments"]
    backup.restore(document, replace=True)
    linked = {a.id: (a.next_contact_id, a.notes) for a in Application.select()}
    assert linked[first["id"]][0] == priya.id
    assert linked[second["id"]] == (
        None, "Second round\nwith the VP\nNext point of contact: Someone in HR")


def test_download_a_backup_from_the_import_export_page(client, runner, database):
    fill_every_table()
    page = client.get("/transfer").get_data(as_text=True)
    assert 'href="/transfer/backup.json">Download a backup</a>' in page
    response = client.get("/transfer/backup.json")
    assert response.mimetype == "application/json"
    assert "attachment; filename=followthrough-backup-" in response.headers["Content-Disposition"]
    assert response.get_data() == export(runner)


def test_backup_keeps_times_exactly(runner, database):
    fill_every_table()
    document = json.loads(export(runner))
    feed = document["tables"]["feed"][0]
    assert feed["last_checked_at"] == "2026-11-21T10:00:00.123456"
    assert feed["last_success_at"] == "2026-11-20T10:00:00"
    assert time.fromisoformat(document["tables"]["event"][0]["start_time"]) == time(9, 0)


def first(table, **changes):
    """A change to a backup: these values in the first row of the table."""
    return lambda document: document["tables"][table][0].update(changes)


def top(**changes):
    """A change to a backup: these values at its top level."""
    return lambda document: document.update(changes)


def setting(key, text):
    """A change to a backup: this stored setting (JSON text)."""
    return lambda document: document["tables"]["setting"].append({"key": key, "value": text})


# Each was restored with exit 0 (or failed with a traceback) and then broke pages or commands.
BAD_VALUES = {
    "text for a number": (first("contact", cadence_days="lots"),
                          "Table contact, row 1, field cadence_days 'lots': Expected a whole"
                          " number."),
    "number out of range": (first("contact", cadence_days=3),
                            "field cadence_days 3: Choose between 7 and 3650 days."),
    "id too large": (first("company", id=2**70),
                     "Table company, row 1, field id 1180591620717411303424: Choose between"),
    "infinite id": (first("touch", contact_id=float("inf")),
                    "Table touch, row 1, field contact_id inf: Expected a whole number."),
    "schema of lists": (top(schema=[["x"]]),
                        'The backup\'s "schema" is not a list of migration names.'),
    "version true": (top(version=True), 'The backup\'s "version" is not a format version: True.'),
    "word for a boolean": (first("contact", may_follow_up="no"),
                           "field may_follow_up 'no': Expected true or false."),
    "unknown choice": (first("contact", role="boss"),
                       "field role 'boss': Choose one of 'interviewer', 'hiring_manager',"),
    "hidden bcc": (first("contact", email="bob@example.com?bcc=spy%40evil.example"),
                   "field email 'bob@example.com?bcc=spy%40evil.example': Enter an email"
                   " address like name@example.com"),
    "line break in a url": (first("event", url="https://example.com/\r\nX-Evil: 1"),
                            "Table event, row 1, field url 'https://example.com/\\r\\nX-Evil:"
                            " 1': Use one line"),
    "line break in a name": (first("contact", name="Bob\nHale"),
                             "field name 'Bob\\nHale': Use one line"),
    "NUL in a note": (first("contact", notes="a\x00b"),
                      "field notes 'a\\x00b': Remove the control characters"),
    "a megabyte of name": (first("contact", name="A" * 2**20),
                           "Use at most 200 characters (this has 1048576)."),
    "empty name": (first("company", name=""), "field name '': This cannot be empty."),
    "unknown time zone": (first("interview", timezone="Mars/Olympus"),
                          "field timezone 'Mars/Olympus': Choose a time zone like"),
    "time with a zone": (first("contact", created_at="2026-11-01T10:00:00+02:00"),
                         "field created_at '2026-11-01T10:00:00+02:00': Expected a date and"
                         " time"),
    "event ends before it starts": (first("event", end_on="2020-01-01"),
                                    "Table event, row 1, field end_on '2020-01-01': The last day"
                                    " cannot come before the first day."),
    "setting not json": (setting("sender_name", "Alex"),
                         "Table setting, key 'sender_name': Expected a JSON value."),
    "setting time zone": (setting("timezone", '"Mars/Olympus"'),
                          "Table setting, key 'timezone': Choose a time zone like"),
    "setting rule": (setting("rules.checkin_interval_days", '"lots"'),
                     "Check in this many days after your last note must be a whole number"),
}


@pytest.mark.parametrize(("change", "message"), BAD_VALUES.values(), ids=BAD_VALUES.keys())
def test_restore_refuses_a_value_the_forms_refuse_and_changes_nothing(runner, database,
                                                                      tmp_path, change,
                                                                      message):
    fill_every_table()
    before = export(runner)
    document = json.loads(before)
    document["tables"]["setting"] = [row for row in document["tables"]["setting"]
                                     if row["key"] != "sender_name"]
    change(document)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    result = runner.invoke(args=["restore", "--replace", str(path)])
    assert result.exit_code == 1, result.output
    assert message in result.output and "Nothing was restored." in result.output
    assert "Traceback" not in result.output
    assert export(runner) == before
