"""The one exception a user mistake raises: a one-line message, exit code 2."""


class EnumguardError(Exception):
    """A usage, configuration or environment error, shown as one line without traceback."""
