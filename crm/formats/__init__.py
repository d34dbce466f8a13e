"""Contact file formats: LinkedIn's Connections.csv, vCard and our own CSV, as pure functions.

Every parser takes the uploaded bytes and returns a list of `records.PersonRecord`, or raises
`records.FormatError` naming the first broken row or card; nothing here touches the database.
"""
