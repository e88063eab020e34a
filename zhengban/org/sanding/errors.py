"""The one exception the parser raises."""


class SandingError(ValueError):
    """The input is not a readable 三定 regulation (message is one line, Chinese first)."""
