"""Model in, findings out: a label added by `ALTER TYPE .. ADD VALUE` used before its transaction commits."""

from __future__ import annotations

from typing import Iterator, cast

from enumguard.finding import Finding, Related, Severity
from enumguard.model import EnumOp, Model, display_type
from enumguard.rules.base import Example, Rule
from enumguard.rules.example_parts import ALEMBIC


class AddValueInTransactionRule(Rule):
    """Reports a label added with `ALTER TYPE ... ADD VALUE` and used (cast, default, INSERT,
    UPDATE, WHERE) before the transaction that added it commits. With `postgres-version` below
    12, reports any `ADD VALUE` that runs inside a transaction.

    Transactions are taken from how each tool runs migrations: the Supabase CLI, Flyway,
    golang-migrate and dbmate run each file in one transaction; a plain `migrations/*.sql`
    file runs statement by statement (psql) unless it says `BEGIN`; Alembic runs all pending
    revisions in one transaction unless env.py sets `transaction_per_migration=True` (or the
    `transaction-per-migration` setting says so), and `autocommit_block()` runs outside it.

    ## Why is this bad?
    PostgreSQL refuses to use an enum value before the transaction that added it commits:
    `unsafe use of new value "v" of enum type t` (55P04). Before PostgreSQL 12, `ADD VALUE`
    cannot run inside a transaction block at all (25001). The migration fails on deploy, or,
    across Alembic revisions, on every fresh database (CI, a new developer) that applies them
    in one run. A type created in the same transaction (and the same migration file) is exempt,
    as in PostgreSQL.

    ## How to fix
    Commit between adding and using the label: put the use in a later migration (with
    `transaction_per_migration=True` in Alembic), or run the `ADD VALUE` in
    `with op.get_context().autocommit_block():`.

    ## Options
    `postgres-version` (default 16): the server version the migrations run on.
    """

    name = "add-value-in-transaction"
    severity = Severity.ERROR
    finds = "`ADD VALUE` used before its transaction commits (55P04)"
    VALID = (
        Example(
            {
                "supabase/migrations/20240101000000_orders.sql": (
                    "CREATE TYPE order_state AS ENUM ('open');\n"
                    "CREATE TABLE orders (id int, state order_state DEFAULT 'open');\n"
                ),
                "supabase/migrations/20240201000000_ship.sql": "ALTER TYPE order_state ADD VALUE 'shipped';\n",
                "supabase/migrations/20240202000000_use.sql": "UPDATE orders SET state = 'shipped' WHERE id = 1;\n",
            },
            title="the new label used in a later migration file",
        ),
    )
    INVALID = (
        Example(
            {
                "supabase/migrations/20240101000000_orders.sql": (
                    "CREATE TYPE order_state AS ENUM ('open');\n"
                    "CREATE TABLE orders (id int, state order_state DEFAULT 'open');\n"
                ),
                "supabase/migrations/20240201000000_ship.sql": (
                    "ALTER TYPE order_state ADD VALUE 'shipped';\n"
                    "UPDATE orders SET state = 'shipped' WHERE id = 1;  -- expect: add-value-in-transaction\n"
                ),
            },
            title="ADD VALUE and its use in the same SQL file",
        ),
        Example(
            {
                **ALEMBIC,
                "alembic/versions/0001_orders.py": (
                    "from alembic import op\n\n"
                    'revision = "0001"\n'
                    "down_revision = None\n\n\n"
                    "def upgrade():\n"
                    "    op.execute(\"CREATE TYPE order_state AS ENUM ('open')\")\n"
                    '    op.execute("CREATE TABLE orders (id int, state order_state)")\n'
                ),
                "alembic/versions/0002_ship.py": (
                    "from alembic import op\n\n"
                    'revision = "0002"\n'
                    'down_revision = "0001"\n\n\n'
                    "def upgrade():\n"
                    "    op.execute(\"ALTER TYPE order_state ADD VALUE 'shipped'\")\n"
                ),
                "alembic/versions/0003_use.py": (
                    "from alembic import op\n\n"
                    'revision = "0003"\n'
                    'down_revision = "0002"\n\n\n'
                    "def upgrade():\n"
                    "    op.execute(\"UPDATE orders SET state = 'shipped'\")  # expect: add-value-in-transaction\n"
                ),
            },
            title="Alembic revisions that run in one transaction",
        ),
        Example(
            {
                "supabase/migrations/20240101000000_orders.sql": "CREATE TYPE order_state AS ENUM ('open');\n",
                "supabase/migrations/20240201000000_ship.sql": (
                    "ALTER TYPE order_state ADD VALUE 'shipped';  -- expect: add-value-in-transaction\n"
                ),
            },
            config={"postgres-version": 11},
            title="any ADD VALUE in a transaction before PostgreSQL 12",
        ),
    )

    def check(self, model: Model) -> Iterator[Finding]:
        # Each type's identity through renames comes from the model's type history; the
        # transaction that created it from the CREATE.
        history = model.history
        created_in: dict[int, tuple[str | None, str]] = {}
        added: dict[tuple[int, str], tuple[EnumOp, int]] = {}  # (type, label) -> uncommitted ADD VALUE
        literals = sorted(
            (lit for lit in model.literals if lit.after_op is not None), key=lambda x: cast(int, x.after_op)
        )
        position = 0
        for index, op in enumerate([*model.ops, None]):
            while position < len(literals) and cast(int, literals[position].after_op) <= index:
                lit = literals[position]
                position += 1
                found = added.get((history.type_id_at(cast(int, lit.after_op), lit.type_name), lit.value))
                if found is not None and lit.transaction is not None and lit.transaction == found[0].transaction:
                    # a statement enumguard could not read in between may have committed
                    if not any(o.kind == "unknown" for o in model.ops[found[1] : lit.after_op]):
                        yield self._use(found[0], lit)
            if op is None:
                break
            if op.kind == "create":
                created_in[index] = (op.transaction, op.migration)
            elif op.kind == "add_value" and op.label is not None:
                ident = history.type_id(index)
                # A type created in the same transaction may use its new labels at once. Across
                # Alembic revisions that holds only when a run starts before the CREATE, which a
                # deploy of later revisions does not: so only a CREATE in the same file counts.
                same_tx_type = created_in.get(ident) == (op.transaction, op.migration)
                if op.transaction is None or same_tx_type:
                    continue
                added[(ident, op.label)] = (op, index)
                if model.settings.postgres_version < 12:
                    yield self.finding(
                        op.location,
                        f"`ALTER TYPE {display_type(op.type_name)} ADD VALUE '{op.label}'` runs inside a transaction, "
                        f"which PostgreSQL {model.settings.postgres_version} refuses",
                        help="before PostgreSQL 12, ADD VALUE cannot run in a transaction block (25001): run it "
                        "outside one (Alembic: `with op.get_context().autocommit_block():`)",
                        value=op.label,
                        db_type=display_type(op.type_name),
                    )

    def _use(self, op: EnumOp, lit) -> Finding:
        shown = display_type(op.type_name)
        message = f"`{lit.value}` is used before the transaction that adds it to `{shown}` commits"
        help = (
            "PostgreSQL fails with `unsafe use of new value` (55P04): commit between ADD VALUE and the "
            "first use (a later migration, or Alembic's autocommit_block)"
        )
        if op.location.path != lit.location.path:
            # Two revisions: they share a transaction only when one run applies both, as a fresh
            # `alembic upgrade head` does unless env.py sets transaction_per_migration=True.
            message += " when one `alembic upgrade` runs both revisions (e.g. on a fresh database)"
            help += ", or `transaction_per_migration=True` in env.py's context.configure()"
        return self.finding(
            lit.location,
            message,
            help=help,
            related=(Related(op.location, f"`{lit.value}` is added to `{shown}` here, in the same transaction"),),
            value=lit.value,
            db_type=shown,
        )
