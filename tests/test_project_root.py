"""`enumguard audit SUBFOLDER` is checked against the migrations of the project it belongs to."""

from __future__ import annotations

import json
from pathlib import Path

from enumguard.cli import main
from tests.gitutil import git, write

MIGRATION = "create type public.plan as enum ('free', 'pro');\ncreate table accounts (plan public.plan);\n"
MODELS = (
    "import enum\n\nimport sqlalchemy as sa\n\n\nclass Plan(str, enum.Enum):\n    free = 'free'\n    team = 'team'\n\n\n"
    "COLUMN = sa.Column('plan', sa.Enum(Plan, name='plan'))\n"
)


def audit_json(path: Path, capsys, *extra: str) -> dict:
    main(["audit", str(path), "--format", "json", *extra])
    return json.loads(capsys.readouterr().out)


def where(out: dict) -> list[tuple[str, str]]:
    return sorted((f["path"], f["rule"]) for f in out["findings"])


def uncommitted(root: Path, files: dict[str, str]) -> Path:
    """A new git repository at `root` holding `files`, none of them committed."""
    root.mkdir()
    git(root, "init", "-q")
    write(root, files)
    return root


def repo(tmp_path: Path) -> Path:
    return uncommitted(
        tmp_path / "repo",
        {
            "pyproject.toml": "[project]\nname = 'demo'\n",
            "supabase/migrations/20240101000000_plans.sql": MIGRATION,
            "app/__init__.py": "",
            "app/models.py": MODELS,
            "app/use.py": "from app.models import Plan\n\nX = Plan.Pro\n",
            "scripts/__init__.py": "",
            "scripts/fix.py": "from app.models import Plan\n\nY = Plan.nope\n",
        },
    )


def test_subfolder_is_audited_against_the_project_migrations_and_only_its_findings_are_shown(
    tmp_path: Path, capsys
) -> None:
    root = repo(tmp_path)
    out = audit_json(root / "app", capsys)
    assert where(out) == [
        ("app/models.py", "missing-in-db"),
        ("app/use.py", "unknown-member"),
        ("supabase/migrations/20240101000000_plans.sql", "missing-in-code"),
    ]
    assert out["notices"] == [
        f"auditing app/ as part of the project at {root} (migrations in supabase/migrations/); "
        "findings outside app/ that do not concern it are left out"
    ]
    # the whole project, from its root: the script's finding too, and no notice
    whole = audit_json(root, capsys)
    assert ("scripts/fix.py", "unknown-member") in where(whole) and "notices" not in whole


def test_subfolder_with_its_own_settings_is_its_own_project(tmp_path: Path, capsys) -> None:
    root = repo(tmp_path)
    (root / "app" / "enumguard.toml").write_text("ignore = []\n")
    out = audit_json(root / "app", capsys)
    assert where(out) == []  # the project's migrations are not its own: no drift is compared
    assert out["notices"] == [
        f"no migrations found under {root / 'app'}: the database rules had nothing to compare; "
        f"the nearest are in {root / 'supabase' / 'migrations'} (audit the project that holds them)"
    ]


def test_service_of_a_monorepo_stops_at_the_service_that_holds_the_migrations(tmp_path: Path, capsys) -> None:
    root = uncommitted(
        tmp_path / "mono",
        {
            "services/billing/pyproject.toml": "[project]\nname = 'billing'\n",
            "services/billing/supabase/migrations/20240101000000_plans.sql": MIGRATION,
            "services/billing/app/__init__.py": "",
            "services/billing/app/models.py": MODELS,
        },
    )
    out = audit_json(root / "services" / "billing" / "app", capsys)
    assert where(out) == [
        ("app/models.py", "missing-in-db"),
        ("supabase/migrations/20240101000000_plans.sql", "missing-in-code"),
    ]
    assert out["notices"][0].startswith(f"auditing app/ as part of the project at {root / 'services' / 'billing'} ")
