"""Conferences from their own calendars: .ics files and subscriptions, read and kept current."""
