"""Model with live database facts in, findings out: where the live enum types differ from the
migration replay. Sees nothing without `audit --database-url`."""

from __future__ import annotations

from typing import Iterator

from enumguard.finding import Finding, Related, Severity
from enumguard.live.catalog import location
from enumguard.model import DbEnum, Model, display_type
from enumguard.rules.base import Rule


def _labels(values: tuple[str, ...] | list[str]) -> str:
    return ", ".join(f"`{v}`" for v in values) or "no labels"


def _schema(qualified: str) -> str:
    return qualified.rpartition(".")[0]


def _same_labels(db: DbEnum, candidates: dict[str, DbEnum], own: dict[str, DbEnum]) -> DbEnum | None:
    """A type of the other side, missing from this side, with exactly the same labels."""
    if not db.labels or not db.certain:
        return None
    for name, other in sorted(candidates.items()):
        if name not in own and other.label_values == db.label_values:
            return other
    return None


class DbDriftRule(Rule):
    """Reports enum types and labels that differ between the migrations and the live database.

    Runs with `enumguard audit --database-url URL`: every enum type the migrations build is
    compared with the one the database holds (read from `pg_type`/`pg_enum`, labels in
    `enumsortorder` order). Reported: a type or label the migrations create that the database
    lacks; a type or label in the database that no migration creates; the same labels in another
    order. A label found only in the database is reported on the migration line that creates
    its type, with the database side as a related location `database:<schema>.<type>:<position>`.

    ## Why is this bad?

    The migrations are the record of the schema: the bindings, the reviews and the next
    environment are built from them. A label added by hand in production (or a migration that
    never ran) means the code is checked against a database that does not exist, and the next
    `ALTER TYPE ... ADD VALUE ... AFTER` lands in a different place, or fails, depending on
    where it runs. Label order matters too: `ORDER BY` and `<` on enums follow it.

    ## How to fix

    Apply the pending migrations, or write a migration that records the hand-made change
    (`ALTER TYPE status ADD VALUE IF NOT EXISTS 'archived';`), so both sides agree again.

    ## Known limitations

    Only schemas that the migrations create enum types in (and `public`) are compared, and types
    owned by an extension are ignored. Nothing is reported when the repository has no migrations.
    """

    name = "db-drift"
    severity = Severity.WARNING
    finds = "live database and migrations disagree (`--database-url`)"
    unticks = "drift"

    def check(self, model: Model) -> Iterator[Finding]:
        state = model.live
        if state is None or not model.migrations:
            return
        live = {db.name: db for db in state.enums if db.name not in state.extension_types}
        migrated = {db.name: db for db in model.db_enums}
        schemas = {_schema(name) for name in migrated} | {"public"}
        users: dict[str, list[str]] = {}
        for col in state.columns:
            users.setdefault(col.type_name, []).append(f"{col.table}.{col.column}")
        # Names an unread migration statement may have created or dropped ("*": any name).
        unread = {op.type_name for op in model.ops if op.kind == "unknown"}
        for name, db in sorted(migrated.items()):
            other = live.get(name)
            if not db.certain:
                continue  # a statement that may have changed (or dropped) it was not read
            if other is None:
                yield self._missing_type(db, live, migrated)
            else:
                yield from self._compare(db, other)
        for name, other in sorted(live.items()):
            if name not in migrated and _schema(name) in schemas and not unread & {name, "*"}:
                yield self._unrecorded_type(other, migrated, live, users.get(name, []))

    def _missing_type(self, db: DbEnum, live: dict[str, DbEnum], migrated: dict[str, DbEnum]) -> Finding:
        shown = display_type(db.name)
        twin = _same_labels(db, live, migrated)
        help = "apply the pending migrations to this database"
        if twin is not None:
            help = f"the live database has `{display_type(twin.name)}` with the same labels: renamed by hand?"
        return self.finding(
            db.location,
            f"DB type `{shown}` is created by the migrations but does not exist in the live database",
            help=help,
            related=(Related(location(db.name), f"no type `{shown}` in the live database"),),
            db_type=shown,
        )

    def _unrecorded_type(
        self, live_db: DbEnum, migrated: dict[str, DbEnum], live: dict[str, DbEnum], used_by: list[str]
    ) -> Finding:
        shown = display_type(live_db.name)
        twin = _same_labels(live_db, migrated, live)
        uses = f"; used by {', '.join(f'`{u}`' for u in used_by)}" if used_by else ""
        help = f"record it in a migration (`CREATE TYPE {shown} AS ENUM (...)`), or drop it if nothing uses it"
        related: tuple[Related, ...] = ()
        if twin is not None:
            help = f"the migrations create `{display_type(twin.name)}` with the same labels: renamed by hand?"
            related = (Related(twin.location, f"`{display_type(twin.name)}` is created here"),)
        return self.finding(
            live_db.location,
            f"DB type `{shown}` exists in the live database (labels {_labels(live_db.label_values)}{uses}) "
            "but no migration creates it",
            help=help,
            related=related,
            db_type=shown,
        )

    def _compare(self, db: DbEnum, live_db: DbEnum) -> Iterator[Finding]:
        shown = display_type(db.name)
        in_live = set(live_db.label_values)
        in_migrations = set(db.label_values)
        for label in db.labels:
            if label.value not in in_live:
                yield self.finding(
                    label.location,
                    f"label `{label.value}` of DB type `{shown}` comes from the migrations but is missing "
                    "in the live database",
                    help="apply the pending migrations, or find out who removed or renamed the label by hand",
                    related=(
                        Related(live_db.location, f"the live `{shown}` has labels {_labels(live_db.label_values)}"),
                    ),
                    value=label.value,
                    db_type=shown,
                )
        for label in live_db.labels:
            if label.value not in in_migrations:
                yield self.finding(
                    db.location,
                    f"the live database has label `{label.value}` in DB type `{shown}` that no migration adds",
                    help=f"record it in a migration: `ALTER TYPE {shown} ADD VALUE IF NOT EXISTS '{label.value}';`",
                    related=(Related(label.location, f"label `{label.value}` in the live database"),),
                    value=label.value,
                    db_type=shown,
                )
        if in_live == in_migrations and live_db.label_values != db.label_values:
            yield self.finding(
                db.location,
                f"DB type `{shown}` has its labels in another order in the live database "
                f"({_labels(live_db.label_values)}) than in the migrations ({_labels(db.label_values)})",
                help="enum comparisons and ORDER BY follow the live order; recreate the type in one order or the other",
                related=(Related(live_db.location, f"the live `{shown}`"),),
                db_type=shown,
            )
