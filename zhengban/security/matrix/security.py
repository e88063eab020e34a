"""The security app has no pages of its own yet."""

ROWS = []
