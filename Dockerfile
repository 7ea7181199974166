# enumguard in a container: `docker run` users, and the Docker form of the Action
# (docker/action.yml). No USER: GitHub runs Docker actions as root over the workspace
# (the entry point tells git to trust it). Dependencies come from the project's pyproject.toml, with
# the `db` extra (psycopg) for the live-database audit, at the versions the composite Action pins.
FROM python:3.12.8-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN apt-get update \
    && apt-get install -y --no-install-recommends git=1:2.39.* \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/enumguard
COPY pyproject.toml README.md ./
COPY constraints/action.txt ./constraints/action.txt
COPY enumguard ./enumguard
RUN pip install --no-cache-dir --constraint constraints/action.txt "./[db]" \
    && enumguard --version

COPY scripts/action-entrypoint.py /usr/local/bin/enumguard-action
ENTRYPOINT ["/usr/local/bin/enumguard-action"]
