"""A missing DB label in, the migration that adds it out: SQL or an Alembic revision body, in the
style of the migrations the project already has, placed by the Python enum's order."""

from __future__ import annotations

import json
import re

from enumguard.model import EnumOp, Migration, Model

# PostgreSQL keywords that are reserved, or reserved except as function or type names
# (docs: "SQL Key Words"); a type or schema named like one must be quoted in ALTER TYPE.
_RESERVED = frozenset(
    """
all analyse analyze and any array as asc asymmetric authorization binary both case cast check collate
collation column concurrently constraint create cross current_catalog current_date current_role
current_schema current_time current_timestamp current_user default deferrable desc distinct do else
end except false fetch for foreign freeze from full grant group having ilike in initially inner
intersect into is isnull join lateral leading left like limit localtime localtimestamp natural not
notnull null offset on only or order outer overlaps placing primary references returning right
select session_user similar some symmetric system_user table tablesample then to trailing true union
unique user using variadic verbose when where window with
""".split()
)
_PLAIN = re.compile(r"[a-z_][a-z0-9_$]*\Z")


def ident(name: str) -> str:
    """An identifier as PostgreSQL reads it back unchanged: quoted (quotes doubled) unless it is
    lower-case, plain and not a reserved word."""
    if _PLAIN.match(name) and name not in _RESERVED:
        return name
    return '"' + name.replace('"', '""') + '"'


def type_ref(qualified: str) -> str:
    """`public.status` -> `status`; `billing.Plan` -> `billing."Plan"` (public is on every search_path)."""
    schema, _, name = qualified.rpartition(".")
    return ident(name) if schema in ("", "public") else f"{ident(schema)}.{ident(name)}"


def literal(label: str) -> str:
    return "'" + label.replace("'", "''") + "'"


def placement(order: tuple[str, ...], label: str, existing: tuple[str, ...]) -> str:
    """` BEFORE 'y'` for the next label in the Python order that the type already has, or ""
    (appended at the end) when none follows. BEFORE the next existing label (rather than AFTER
    the previous one) keeps several new labels in the enum's order when their statements run
    in the order given."""
    have = set(existing)
    after = order[order.index(label) + 1 :] if label in order else ()
    following = next((x for x in after if x in have), None)
    return f" BEFORE {literal(following)}" if following is not None else ""


def add_value_sql(type_name: str, label: str, order: tuple[str, ...], existing: tuple[str, ...]) -> str:
    return f"ALTER TYPE {type_ref(type_name)} ADD VALUE {literal(label)}{placement(order, label, existing)}"


def _migration_of(model: Model, path: str) -> Migration | None:
    return next((m for m in model.migrations if m.path == path), None)


def _type_ops(model: Model, type_name: str) -> list[EnumOp]:
    return [op for op in model.ops if op.type_name == type_name or op.new_name == type_name]


def last_migration(model: Model, type_name: str, created_in: str) -> Migration | None:
    """The migration that last changed the type (else the one that created it, else the latest
    migration of the project): the new migration follows its tool and place."""
    for op in reversed(_type_ops(model, type_name)):
        m = _migration_of(model, op.migration)
        if m is not None:
            return m
    return _migration_of(model, created_in) or (model.migrations[-1] if model.migrations else None)


def style(model: Model, type_name: str, created_in: str) -> str:
    """ "alembic" or "sql": the kind of the migration that last changed the type."""
    m = last_migration(model, type_name, created_in)
    return m.kind if m is not None else "sql"


def autocommit_reason(model: Model, type_name: str) -> str:
    """Why an Alembic ADD VALUE needs autocommit_block(), or "" when it does not: PostgreSQL
    < 12 refuses ADD VALUE in any transaction block; and when `alembic upgrade` runs every
    pending revision in one transaction (no transaction_per_migration), a later revision of
    the same run that writes the new label fails with 55P04 (unsafe use of new value)."""
    if model.settings.postgres_version < 12:
        return "PostgreSQL < 12 cannot run ADD VALUE inside a transaction block."
    txs = [op.transaction for op in _type_ops(model, type_name) if op.transaction]
    txs = txs or [op.transaction for op in model.ops if op.transaction and op.transaction.startswith("alembic:")]
    # Per-revision transactions are named after the revision file; a shared one is "alembic:<env>".
    if not txs or txs[-1].startswith("alembic:"):
        return (
            "alembic runs the whole upgrade in one transaction: commit the label here, so that a "
            "later revision may write it (55P04 otherwise)."
        )
    return ""


def sql_body(statement: str, postgres_version: int) -> str:
    return sql_text([statement], postgres_version)


def sql_text(statements: list[str], postgres_version: int) -> str:
    """A SQL migration adding labels, one statement each."""
    lines = ["-- A new label commits with this migration; code may write it once this has run."]
    if postgres_version < 12:
        lines.append("-- PostgreSQL < 12: ADD VALUE cannot run inside a transaction block; run this file without one.")
    return "\n".join(lines + [s + ";" for s in statements]) + "\n"


def upgrade_lines(statements: list[str], reason: str) -> list[str]:
    """The body of upgrade(), unindented: each ADD VALUE in an autocommit block when `reason`
    says why one is needed."""
    calls = [f"op.execute({_py_string(s)})" for s in statements]
    if reason:
        # wrapped as if indented by four spaces, where it goes in upgrade()
        return [*_comment(reason, "", 88), "with op.get_context().autocommit_block():", *("    " + c for c in calls)]
    return ["# Each revision commits on its own (transaction_per_migration): no autocommit block needed.", *calls]


DOWNGRADE_LINES = [
    "# PostgreSQL cannot drop a single enum label; recreate the type to remove it.",
    "pass",
]


def downgrade_lines(type_name: str, labels: list[str]) -> list[str]:
    """downgrade() of a revision that added labels: it leaves the type as it is, and says why."""
    named = ", ".join(f"`{label}`" for label in labels)
    return [
        *_comment(
            f"PostgreSQL cannot drop a label from an enum type: removing {named} means creating "
            f"`{type_ref(type_name)}` again without {'them' if len(labels) > 1 else 'it'} and converting every "
            "column and row that uses the type. "
            "The type is left as it is.",
            "",
            88,
        ),
        "pass",
    ]


def alembic_body(statement: str, reason: str) -> str:
    indent = "    "
    return (
        "\n".join(
            [
                "from alembic import op",
                "",
                "",
                "def upgrade() -> None:",
                *(indent + line for line in upgrade_lines([statement], reason)),
                "",
                "",
                "def downgrade() -> None:",
                *(indent + line for line in DOWNGRADE_LINES),
            ]
        )
        + "\n"
    )


def _comment(text: str, indent: str, width: int = 92) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(indent) + 2 + len(line) + 1 + len(word) > width:
            lines.append(f"{indent}# {line}")
            line = word
        else:
            line = f"{line} {word}" if line else word
    return lines + ([f"{indent}# {line}"] if line else [])


def _py_string(text: str) -> str:
    """A double-quoted Python literal on one line (JSON's escapes are Python's: a label may hold
    quotes, backslashes or a newline)."""
    return json.dumps(text, ensure_ascii=False)


def migration_text(
    model: Model, type_name: str, created_in: str, label: str, order: tuple[str, ...], existing: tuple[str, ...]
) -> tuple[str, str]:
    """(style, text) of the migration that adds `label` to `type_name`."""
    statement = add_value_sql(type_name, label, order, existing)
    kind = style(model, type_name, created_in)
    if kind == "alembic":
        return "alembic", alembic_body(statement, autocommit_reason(model, type_name))
    return "sql", sql_body(statement, model.settings.postgres_version)
