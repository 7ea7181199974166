"""Check recorded requests (and fake responses) against GitHub's OpenAPI description of the
operations enumguard uses (tests/data/github/openapi-subset.json, from @octokit/openapi)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema


def _json_schema(node):
    """OpenAPI 3.0 schema -> JSON Schema: `nullable: true` becomes a null alternative."""
    if isinstance(node, list):
        return [_json_schema(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: _json_schema(v) for k, v in node.items() if k != "nullable"}
    if node.get("nullable") is True:
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


SPEC = _json_schema(json.loads((Path(__file__).parent / "data" / "github" / "openapi-subset.json").read_text()))
OPERATIONS = SPEC["operations"]


def _validator(schema: dict) -> jsonschema.Validator:
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    return cls(schema)


def check_request(rec) -> None:
    """Raise AssertionError when a recorded request is not a documented GitHub call."""
    assert rec.operation in OPERATIONS, f"{rec.method} {rec.path}: not an operation enumguard is meant to call"
    op = OPERATIONS[rec.operation]
    query_params = {p["name"]: p for p in op["parameters"] if p["in"] == "query"}
    for name, values in rec.query.items():
        assert name in query_params, f"{rec.operation}: undocumented query parameter {name!r}"
        schema = query_params[name].get("schema", {})
        value = values[-1]
        if schema.get("type") == "integer":
            assert value.isdigit(), f"{rec.operation}: {name}={value!r} is not an integer"
            value = int(value)
        _validator(schema).validate(value)
    if "requestBody" in op:
        assert rec.body is not None, f"{rec.operation}: request body missing"
        errors = sorted(_validator(op["requestBody"]).iter_errors(rec.body), key=str)
        assert not errors, f"{rec.operation}: body does not match GitHub's schema: {errors[0].message}"
    else:
        assert rec.body in (None, ""), f"{rec.operation}: unexpected body"
    assert rec.headers.get("Authorization", "").startswith(("token ", "Bearer ")), "no token sent"


def check_requests(requests) -> int:
    for rec in requests:
        check_request(rec)
    return len(requests)


def check_response(operation: str, status: int, payload) -> None:
    schema = OPERATIONS[operation]["responses"][str(status)]
    errors = sorted(_validator(schema).iter_errors(payload), key=str)
    assert not errors, f"{operation} {status}: {errors[0].message} at {list(errors[0].absolute_path)}"
