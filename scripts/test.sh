#!/usr/bin/env bash
# Installs everything the test suite needs (a virtualenv with the test extras, and the
# PostgreSQL server binaries when missing), runs the linters (ruff, mypy), then the whole
# suite. Tests start and stop their own PostgreSQL server; nothing needs to be running beforehand.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
  echo "installing PostgreSQL server binaries (Debian package postgresql)"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends postgresql postgresql-client >/dev/null
fi

PYTHON="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'

# The project's own linters first (configured in pyproject.toml): a new warning fails like a test.
echo "lint: ruff check, ruff format --check, mypy"
.venv/bin/python -m ruff check --quiet .
.venv/bin/python -m ruff format --check --quiet .
.venv/bin/python -m mypy
exec .venv/bin/python -m pytest "$@"
