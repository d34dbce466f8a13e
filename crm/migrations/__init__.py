"""Numbered schema migrations, applied in order by `crm.schema.migrate`.

Each script freezes the models it needs, as `pwmigrate` writes them. Numbers
are never reused: 0005 was retired before release, 0016 and 0017 were set
aside for work that needed none, and 0003 (a change counter) is kept as a
no-op since 0008 replaced it with the change log.
"""
