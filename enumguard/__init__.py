"""enumguard: find where Python enums and PostgreSQL enum types disagree."""

__version__ = "0.1.0"

# enumguard's public repository, e.g. "https://github.com/acme/enumguard": the one setting every
# link to enumguard's own pages (a rule's page at the installed version's release tag) is made
# from. None while enumguard has no public home: then no output links to those pages, terminals
# point to `enumguard --explain RULE`, and the Action links to the repository it runs from.
HOME_URL: str | None = None
