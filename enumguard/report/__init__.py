"""Reports and their renderers: Report (enumguard.report.report) and RENDERERS, the one table
from format name to a pure function Report -> str, read by the commands and the Action."""

from __future__ import annotations

from typing import Callable

from enumguard.report import json_, markdown, sarif, text
from enumguard.report.report import EnumChange, Report

RENDERERS: dict[str, Callable[[Report], str]] = {
    "text": text.render,
    "json": json_.render,
    "sarif": sarif.render,
    "markdown": markdown.render,
}

__all__ = ["RENDERERS", "EnumChange", "Report"]
