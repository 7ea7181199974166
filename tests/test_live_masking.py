"""Passwords never leave enumguard: URLs are shown masked and error texts are scrubbed."""

from __future__ import annotations

import pytest

from enumguard.live.connect import describe, mask_url, normalize, password_of, scrub


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://app:s3cret@db.internal:5432/prod", "postgresql://app:***@db.internal:5432/prod"),
        ("postgresql+psycopg://app:s3cret@db:5432/prod", "postgresql://app:***@db:5432/prod"),
        ("postgres://app:p%40ss%3Aw0rd@db/prod?sslmode=require", "postgres://app:***@db/prod?sslmode=require"),
        (
            "postgresql://app@db/prod?password=s3cret&sslmode=require",
            "postgresql://app@db/prod?password=***&sslmode=require",
        ),
        ("host=db user=app password=s3cret dbname=prod", "host=db user=app password=*** dbname=prod"),
        ("host=db password='with space' dbname=prod", "host=db password=*** dbname=prod"),
        ("postgresql://db/prod", "postgresql://db/prod"),
    ],
)
def test_url_is_shown_with_the_password_masked(url: str, shown: str) -> None:
    assert mask_url(url) == shown


def test_percent_encoded_password_is_scrubbed_in_both_spellings() -> None:
    url = "postgresql://app:p%40ss%3Aw0rd@db/prod"
    assert password_of(url) == "p@ss:w0rd"
    text = scrub("failed for p@ss:w0rd and p%40ss%3Aw0rd", url)
    assert "p@ss" not in text and "p%40ss" not in text


def test_error_text_echoing_the_conninfo_is_scrubbed() -> None:
    url = "postgresql://app:Tr0ub4dor@db/prod"

    class Echo(Exception):
        pass

    line = describe(Echo('invalid dsn: "host=db password=Tr0ub4dor" and postgresql://app:Tr0ub4dor@db/prod'), url)
    assert "Tr0ub4dor" not in line and "\n" not in line


def test_sqlalchemy_driver_suffix_is_dropped() -> None:
    assert normalize("postgresql+asyncpg://u@h/d") == "postgresql://u@h/d"
    assert normalize("host=h dbname=d") == "host=h dbname=d"
