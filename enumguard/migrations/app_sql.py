"""SQL text that application code runs (not a migration) in, literal uses out: the string literals
compared with or written to a table column, or cast to a type, with their offsets in the text.

The same readers as for migrations (sqltext tokens, sqltree's INSERT/UPDATE/cast handling), plus
SELECT and DELETE comparisons, which application code uses most. Nothing is replayed here.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp
from sqlglot.errors import ErrorLevel, ParseError, TokenError

from enumguard.migrations.events import LiteralEvent
from enumguard.migrations.sql import statements as sqltext
from enumguard.migrations.sql.reader import Reader
from enumguard.migrations.sql.statements import Lines
from enumguard.migrations.sql.tree_events import TreeReader, ident, table_name

_READ = {"INSERT", "UPDATE", "WITH", "SELECT", "DELETE"}


@dataclass(frozen=True)
class SqlLiteral:
    """`value` at `offset` in the SQL text, used with `table.column` or cast to `type_name`.
    context: where | insert | update | cast."""

    value: str
    context: str
    offset: int
    table: str | None = None
    column: str | None = None
    type_name: str | None = None


def literals(sql: str) -> list[SqlLiteral]:
    """Every enum-relevant literal of one SQL text; statements that do not parse are skipped
    (application SQL carries driver placeholders and fragments, not worth a finding)."""
    tokens, error, _ = sqltext.tokenize(sql)
    if error is not None:
        return []
    lines = Lines(sql)
    reader = Reader("", "", lines)
    for stmt in sqltext.split(tokens, sql):
        if sqltext.word(stmt.tokens[0]) not in _READ:
            continue
        try:
            trees = sqltext._DIALECT.parser(error_level=ErrorLevel.IMMEDIATE).parse(list(stmt.tokens), stmt.sql)
        except (ParseError, TokenError):
            continue
        for tree in trees:
            if tree is None:
                continue
            tree_reader = TreeReader(reader, stmt)
            if isinstance(tree, (exp.Insert, exp.Update)):
                tree_reader.visit(tree)
            else:
                tree_reader.casts(tree)
            for select in tree.find_all(exp.Select):
                _compare_in(select, _sources(select), tree_reader)
            if isinstance(tree, exp.Delete):
                table = table_name(tree.this)
                if table is not None and isinstance(tree.this, exp.Table):
                    sources = {tree.this.alias_or_name: table, None: table}
                    _compare_in(tree, sources, tree_reader)
    out = []
    for event in reader.events:
        if isinstance(event, LiteralEvent):
            line, column = event.location.line, event.location.column
            offset = lines.starts[line - 1] + column - 1
            out.append(SqlLiteral(event.value, event.context, offset, event.table, event.column, event.type_name))
    return out


def _sources(select: exp.Select) -> dict[str | None, str]:
    """Alias or name -> qualified table for the plain tables a SELECT reads; key None (for an
    unqualified column) only when there is exactly one source and it is a plain table."""
    froms = select.args.get("from_") or select.args.get("from")
    items = [froms.this] if isinstance(froms, exp.From) else []
    items += [j.this for j in select.args.get("joins") or ()]
    out: dict[str | None, str] = {}
    plain = 0
    for item in items:
        if isinstance(item, exp.Table):
            table = table_name(item)
            if table is not None:
                out[item.alias_or_name] = table
                plain += 1
    if plain == 1 and len(items) == 1:
        out[None] = next(iter(out.values()))
    return out


def _compare_in(scope: exp.Expression, sources: dict[str | None, str], reader: TreeReader) -> None:
    """`col = 'x'`, `'x' = t.col`, `<>`, `IN (...)` whose nearest SELECT/DELETE is `scope`."""
    if not sources:
        return
    for node in scope.find_all(exp.EQ, exp.NEQ, exp.In):
        owner = node.find_ancestor(exp.Select, exp.Delete, exp.Update, exp.Insert)
        if owner is not scope:
            continue
        left, right = node.this, node.expression
        if isinstance(node, exp.In):
            values = list(node.expressions)
        elif isinstance(right, exp.Column):
            left, values = right, [left]
        else:
            values = [right]
        if not isinstance(left, exp.Column):
            continue
        qualifier = left.table or None
        table = sources.get(qualifier)
        column = ident(left.this)
        if table is None or column is None:
            continue
        for value in values:
            if isinstance(value, exp.Literal) and value.is_string:
                reader.emit(LiteralEvent(value.this, "where", reader.at(value), table=table, column=column))
