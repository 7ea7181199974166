"""A read-only cursor in, the live database's enum types, their columns and the sessions idle
in a transaction out (plain dataclasses; no finding is decided here)."""

from __future__ import annotations

from enumguard.finding import Location
from enumguard.model import ColumnUse, DbEnum, IdleSession, Label, LiveDatabase

# Schemas PostgreSQL owns; never compared.
SYSTEM_SCHEMAS = ("pg_catalog", "information_schema")
ACTIVITY_HIDDEN = "<insufficient privilege>"
QUERY_CHARS = 200

ENUMS_SQL = """
SELECT n.nspname, t.typname, e.enumlabel,
       EXISTS (SELECT 1 FROM pg_depend d
               WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
LEFT JOIN pg_enum e ON e.enumtypid = t.oid
WHERE t.typtype = 'e'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname !~ '^pg_(toast|temp)'
ORDER BY n.nspname, t.typname, e.enumsortorder
"""

COLUMNS_SQL = """
SELECT n.nspname, c.relname, a.attname, tn.nspname, t.typname, pg_get_expr(d.adbin, d.adrelid)
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type at ON at.oid = a.atttypid
JOIN pg_type t ON t.oid = CASE WHEN at.typcategory = 'A' THEN at.typelem ELSE at.oid END
JOIN pg_namespace tn ON tn.oid = t.typnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE t.typtype = 'e' AND a.attnum > 0 AND NOT a.attisdropped
  AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
ORDER BY n.nspname, c.relname, a.attnum
"""

# now() is the start of our own transaction; clock_timestamp() is the moment of reading.
ACTIVITY_SQL = """
SELECT pid, usename, application_name, state,
       EXTRACT(EPOCH FROM clock_timestamp() - state_change)::float8,
       EXTRACT(EPOCH FROM clock_timestamp() - xact_start)::float8,
       left(query, %s)
FROM pg_stat_activity
WHERE pid <> pg_backend_pid()
  AND datname = current_database()
  AND (backend_type = 'client backend' OR backend_type IS NULL)
ORDER BY pid
"""

ROLE_SQL = """
SELECT current_user, current_database(), current_setting('server_version_num')::int,
       (SELECT rolsuper FROM pg_roles WHERE rolname = current_user),
       pg_has_role(current_user, 'pg_read_all_stats', 'USAGE')
"""


def location(qualified: str, line: int = 1) -> Location:
    """The pseudo-location of a live object: `database:public.status`, line = label position."""
    return Location(f"database:{qualified}", line, 1)


def read_enums(cur) -> tuple[tuple[DbEnum, ...], frozenset[str]]:
    cur.execute(ENUMS_SQL)
    labels: dict[str, list[str]] = {}
    extension: set[str] = set()
    for schema, name, label, from_extension in cur.fetchall():
        qualified = f"{schema}.{name}"
        labels.setdefault(qualified, [])
        if label is not None:
            labels[qualified].append(label)
        if from_extension:
            extension.add(qualified)
    enums = tuple(
        DbEnum(
            name=q,
            labels=tuple(Label(v, location(q, i)) for i, v in enumerate(values, start=1)),
            location=location(q),
            source="database",
        )
        for q, values in labels.items()
    )
    return enums, frozenset(extension)


def read_columns(cur) -> tuple[ColumnUse, ...]:
    cur.execute(COLUMNS_SQL)
    out = []
    for schema, table, column, type_schema, type_name, default in cur.fetchall():
        out.append(
            ColumnUse(
                table=f"{schema}.{table}",
                column=column,
                type_name=f"{type_schema}.{type_name}",
                location=location(f"{schema}.{table}"),
                default=default,
            )
        )
    return tuple(out)


def read_activity(cur) -> tuple[tuple[IdleSession, ...], int]:
    """Every session idle in a transaction (any age: the rule applies the threshold), and how
    many sessions were hidden from this role."""
    cur.execute(ACTIVITY_SQL, (QUERY_CHARS,))
    idle, hidden = [], 0
    for pid, user, app, state, idle_for, xact_for, query in cur.fetchall():
        if state is None and (query or "") == ACTIVITY_HIDDEN:
            hidden += 1
            continue
        if state not in ("idle in transaction", "idle in transaction (aborted)") or idle_for is None:
            continue
        idle.append(
            IdleSession(
                pid=int(pid),
                user=user,
                application_name=app or "",
                idle_seconds=float(idle_for),
                transaction_seconds=None if xact_for is None else float(xact_for),
                query=" ".join((query or "").split()),
                aborted=state.endswith("(aborted)"),
            )
        )
    return tuple(idle), hidden


def read(cur, masked_url: str) -> LiveDatabase:
    """Run every catalog query in the caller's read-only transaction."""
    cur.execute(ROLE_SQL)
    user, database, version, _superuser, _read_all_stats = cur.fetchone()
    enums, extension = read_enums(cur)
    columns = read_columns(cur)
    activity_error = None
    try:
        cur.execute("SAVEPOINT activity")
        idle, hidden = read_activity(cur)
        cur.execute("RELEASE SAVEPOINT activity")
    except Exception as exc:  # a restricted view or function: the enum audit still stands
        cur.execute("ROLLBACK TO SAVEPOINT activity")
        idle, hidden = (), 0
        activity_error = " ".join(str(exc).split()) or type(exc).__name__
    return LiveDatabase(
        url=masked_url,
        user=user,
        database=database,
        server_version=int(version),
        enums=enums,
        columns=columns,
        extension_types=extension,
        idle_sessions=idle,
        hidden_sessions=hidden,
        activity_error=activity_error,
    )
