"""Import, export and backup: contact files in and out, and the whole database as JSON.

`importer` matches and merges parsed records into the database, `backup` writes and restores
every table, `views` are the pages and `commands` the `crm import`, `export` and `restore`
commands; the file formats themselves are the pure functions of `crm.formats`.
"""
