"""enumguard: find where Python enums and PostgreSQL enum types disagree."""

__version__ = "0.1.0"
