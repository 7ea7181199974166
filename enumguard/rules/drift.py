"""Model in, drift findings out: where a bound Python enum and its DB enum type disagree
(missing-in-db, missing-in-code, case-mismatch) and code still using a renamed label."""

from __future__ import annotations

from typing import Iterator

from enumguard.finding import Finding, Fix, Related, Severity
from enumguard.fixes.migration import add_value_sql, migration_text
from enumguard.model import EnumOp, Model, display_type
from enumguard.rules import drift_examples as ex
from enumguard.rules.base import Rule
from enumguard.rules.drift_pairs import BoundPair, Persisted, bound_pairs, compare, values_of


def _subject(pair: BoundPair, p: Persisted | None) -> str:
    if pair.enum is None:
        return f"`sa.Enum(...)` for `{pair.db_name}`"
    return f"`{pair.enum.name}`"


def _enum_id(pair: BoundPair) -> str | None:
    return pair.enum.qualname if pair.enum is not None else None


def _renames(model: Model, pair: BoundPair, label: str) -> EnumOp | None:
    for op in model.ops:
        if op.kind == "rename_value" and op.label == label and _type_chain(model, op) == pair.db.name:
            return op
    return None


VALUES_HINT = (
    "SQLAlchemy stores member names and the DB holds the values: pass "
    "`values_callable=lambda e: [m.value for m in e]`"
)


def _case_help(pair: BoundPair, p: Persisted, label: str) -> str:
    rename_db = f"`ALTER TYPE {pair.db_name} RENAME VALUE '{label}' TO '{p.label}';`"
    if pair.enum is None or p.member is None:
        return f"write `'{label}'` in the `sa.Enum(...)`, or rename the DB label: {rename_db}"
    member = pair.enum.member(p.member)
    stores_value = pair.binding.stores == "values" or (
        pair.binding.stores != "names" and member is not None and member.value == p.label
    )
    if stores_value:
        return f"set the value of `{pair.enum.name}.{p.member}` to `'{label}'`, or rename the DB label: {rename_db}"
    return f"rename the member to `{label}`, or rename the DB label: {rename_db}"


def _values_would_fit(pair: BoundPair) -> bool:
    """Names are stored, but the member values are exactly the DB labels."""
    if pair.binding.stores != "names" or pair.enum is None:
        return False
    values = {v.label for v in values_of(pair.enum) or ()}
    return bool(values) and values <= set(pair.db.label_values)


def _type_chain(model: Model, op: EnumOp) -> str:
    """The final name of the type `op` acted on, following later RENAME TO / SET SCHEMA."""
    name, seen = op.type_name, False
    for later in model.ops:
        if later is op:
            seen = True
            continue
        if seen and later.kind in ("rename_type", "set_schema") and later.type_name == name and later.new_name:
            name = later.new_name
    return name


def renamed_into(model: Model, pair) -> frozenset[str]:
    """New labels of RENAME VALUEs on the pair's type whose old label the enum still persists:
    one rename, reported once (by missing-in-db on the member and enum-value-renamed on its uses)
    rather than again as a DB label the code lacks."""
    persisted = {p.label for p in pair.persisted}
    found = set()
    for op in model.ops:
        if op.kind == "rename_value" and op.new_label and op.label in persisted:
            if _type_chain(model, op) == pair.db.name and pair.db.label(op.label) is None:
                found.add(op.new_label)
    return frozenset(found)


class MissingInDbRule(Rule):
    """Reports a label the bound Python enum persists that the DB enum type does not have.

    A Python enum is bound to a DB enum type by SQLAlchemy code (`sa.Enum(E, name="t")`,
    `postgresql.ENUM(...)`, `Mapped[E]`, `type_annotation_map`), by `[tool.enumguard.bindings]`,
    or by a type of the same name (ignoring case and underscores). SQLAlchemy writes member
    NAMES unless `values_callable` is given; enumguard models that exactly. The DB labels come
    from replaying the migrations (or from a live database in `enumguard audit --database-url`).

    ## Why is this bad?

    Writing that member fails at run time with `invalid input value for enum t: "x"`, and
    reading a row never yields it: the code handles a state the database cannot hold.

    ## How to fix

    Add the label in a migration (`ALTER TYPE t ADD VALUE 'x';`), or remove the member. When
    the DB holds the member *values*, store values: `values_callable=lambda e: [m.value for m in e]`.

    The finding carries that migration as its fix (JSON `"fix": {"kind": "migration", ...}`,
    shown under the finding in the PR comment), written in the style of the migrations the
    type already has: a SQL file body, or an Alembic revision whose `op.execute(...)` runs in
    `op.get_context().autocommit_block()` when PostgreSQL is older than 12 or when Alembic runs
    the whole upgrade in one transaction (no `transaction_per_migration`), so that a later
    revision writing the label does not fail with 55P04. The label goes `BEFORE` the next label
    of the Python enum the type already has (at the end when none follows): applied in the
    enum's order, several new labels keep it. The type name and label are quoted as
    PostgreSQL needs (schema-qualified, reserved words and mixed case in double quotes).
    No migration is offered when a migration renamed the label, or when storing the member
    values would fit.

    ## Known limitations

    A binding whose type no migration creates (or a `native_enum=False` column) has no DB type
    to compare with and is not checked. A link made only by name is checked only when names or
    values clearly match most DB labels.
    """

    name = "missing-in-db"
    severity = Severity.ERROR
    VALID = ex.MISSING_IN_DB_VALID
    INVALID = ex.MISSING_IN_DB_INVALID

    def check(self, model: Model) -> Iterator[Finding]:
        for pair in bound_pairs(model):
            for p in compare(pair).missing_in_db:
                help = f"add it: `ALTER TYPE {pair.db_name} ADD VALUE '{p.label}';` or remove the member"
                renamed = _renames(model, pair, p.label)
                fix = None
                if renamed is not None:
                    help = f"a migration renamed `{p.label}` to `{renamed.new_label}` ({renamed.location})"
                elif _values_would_fit(pair):
                    help = VALUES_HINT
                elif pair.db.source == "migrations":
                    fix = _add_value_fix(model, pair, p.label)
                    statement = add_value_sql(pair.db.name, p.label, _order(pair), pair.db.label_values)
                    help = f"add it in a new migration: `{statement};`, or remove the member"
                yield self.finding(
                    p.location,
                    f"{_subject(pair, p)} persists `{p.label}` but {pair.db_side} has no such label",
                    help=help,
                    related=(pair.related_db(), pair.related_binding()),
                    enum=_enum_id(pair),
                    member=p.member,
                    value=p.label,
                    db_type=pair.db_name,
                    fix=fix,
                )


def _order(pair: BoundPair) -> tuple[str, ...]:
    return tuple(p.label for p in pair.persisted)


def _add_value_fix(model: Model, pair: BoundPair, label: str) -> Fix:
    style, text = migration_text(model, pair.db.name, pair.db.location.path, label, _order(pair), pair.db.label_values)
    return Fix("migration", text=text, style=style)


class MissingInCodeRule(Rule):
    """Reports a DB enum label that the bound Python enum does not persist.

    The finding sits on the migration line that added the label; the Python enum is named
    in the related locations.

    ## Why is this bad?

    Reading a row that holds the label fails in SQLAlchemy (`LookupError: 'x' is not among the
    defined enum values`), and code cannot write or compare against that state.

    ## How to fix

    Add a member that persists the label, or drop the label in a migration if no row uses it.

    ## Known limitations

    Bindings made only by name are checked only when they clearly match; see `missing-in-db`.
    """

    name = "missing-in-code"
    severity = Severity.WARNING
    VALID = ex.MISSING_IN_CODE_VALID
    INVALID = ex.MISSING_IN_CODE_INVALID

    def check(self, model: Model) -> Iterator[Finding]:
        for pair in bound_pairs(model):
            explained = renamed_into(model, pair)
            for label in compare(pair).missing_in_code:
                if label.value in explained:
                    continue
                where = pair.enum.location if pair.enum is not None else pair.binding.location
                yield self.finding(
                    label.location,
                    f"{pair.db_side} has label `{label.value}` that {_subject(pair, None)} does not persist",
                    help=(
                        f"add a member for `{label.value}` to `{pair.enum_name}`"
                        if pair.enum is not None
                        else f"add `'{label.value}'` to the labels of the `sa.Enum(...)`"
                    ),
                    related=(Related(where, f"`{pair.enum_name}` is defined here"), pair.related_binding()),
                    enum=_enum_id(pair),
                    value=label.value,
                    db_type=pair.db_name,
                )


class CaseMismatchRule(Rule):
    """Reports a label the Python enum persists that the DB type holds only in another case.

    Reported instead of `missing-in-db` and `missing-in-code` for that pair of labels.

    ## Why is this bad?

    PostgreSQL compares enum labels case-sensitively: `'Completed'` is not `'completed'`, so every
    write of the member fails and every read of the row fails. This is how a title-case enum
    (`Queued, Completed`) breaks against a lower-case type (`queued, completed`).

    ## How to fix

    Make the persisted label match exactly: rename the member (or its value when
    `values_callable` stores values), or rename the DB label
    (`ALTER TYPE t RENAME VALUE 'completed' TO 'Completed';`).
    """

    name = "case-mismatch"
    severity = Severity.ERROR
    VALID = ex.CASE_MISMATCH_VALID
    INVALID = ex.CASE_MISMATCH_INVALID

    def check(self, model: Model) -> Iterator[Finding]:
        for pair in bound_pairs(model):
            for p, label in compare(pair).case_only:
                yield self.finding(
                    p.location,
                    f"{_subject(pair, p)} persists `{p.label}` but {pair.db_side} has `{label.value}`: "
                    "they differ only by case",
                    help=VALUES_HINT if _values_would_fit(pair) else _case_help(pair, p, label.value),
                    related=(Related(label.location, f"label `{label.value}` is added here"), pair.related_binding()),
                    enum=_enum_id(pair),
                    member=p.member,
                    value=p.label,
                    db_type=pair.db_name,
                )


class EnumValueRenamedRule(Rule):
    """Reports code that still uses a DB enum label that a migration renamed.

    After `ALTER TYPE t RENAME VALUE 'a' TO 'b'`, a reference to a member that persists `a`
    (in an enum bound to `t`) still writes or compares the old label. One finding per renamed
    member, at its first use in code, with the other uses as related locations; the member's
    definition gets `missing-in-db`, and the new label `b` is not also reported as
    `missing-in-code`. A literal `'a'` used as a value of `t` afterwards (a `server_default=`, a
    later migration) is `sql-unknown-value`.

    ## Why is this bad?

    The label no longer exists: writes fail with `invalid input value for enum`, and
    comparisons against rows never match.

    ## How to fix

    Use the new label: rename the member (or its value), and update the literals.
    """

    name = "enum-value-renamed"
    severity = Severity.WARNING
    VALID = ex.RENAMED_VALID
    INVALID = ex.RENAMED_INVALID

    def check(self, model: Model) -> Iterator[Finding]:
        pairs = bound_pairs(model)
        for op in model.ops:
            if op.kind != "rename_value" or op.label is None:
                continue
            final = _type_chain(model, op)
            db = model.db_enum(final)
            if db is None or db.label(op.label) is not None:
                continue
            shown = display_type(final)
            related = (Related(op.location, f"`{op.label}` is renamed to `{op.new_label}` here"),)
            for pair in pairs:
                if pair.db.name != final or pair.enum is None:
                    continue
                members = {p.member for p in pair.persisted if p.label == op.label and p.member}
                by_value = {v.label: v.member for v in values_of(pair.enum) or ()}
                uses: dict[str, list] = {}
                for ref in model.references:
                    if ref.enum != pair.enum.qualname:
                        continue
                    member = by_value.get(ref.member) if ref.form == "call" else ref.member
                    if member in members:
                        uses.setdefault(member, []).append(ref.location)
                # One finding per renamed member, at its first use; the other uses are related.
                for member, locations in sorted(uses.items()):
                    first, *others = sorted(locations)
                    more = f" ({len(locations)} uses in code)" if others else ""
                    yield self.finding(
                        first,
                        f"`{pair.enum.name}.{member}` persists `{op.label}`, which a migration renamed "
                        f"to `{op.new_label}` in DB type `{shown}`{more}",
                        help=f"persist `{op.new_label}` instead",
                        related=related + tuple(Related(loc, f"`{pair.enum.name}.{member}` is also used here") for loc in others[:9]),
                        enum=pair.enum.qualname,
                        member=member,
                        value=op.label,
                        db_type=shown,
                    )
