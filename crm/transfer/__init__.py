"""Import, export and backup: contact files in and out, and the whole database as JSON.

The file formats are pure functions from bytes to `records.PersonRecord` and
back (`linkedin`, `vcard`, `csvfile`, with `text` for decoding); `importer`
matches and merges parsed records into the database, `exporter` writes them
out, `backup` writes and restores every table, and `commands` are `crm
import`, `export` and `restore`. The pages are `crm.pages.transfer`.
"""
