"""`python -m enumguard` entry point."""

from enumguard.cli import main

raise SystemExit(main())
