"""Several Alembic environments in one repository: how each is found (alembic.ini sections,
version_locations, env.py), replayed in its own revision graph, ordered, and reported."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from enumguard import migrations
from enumguard.collect import SourceFile, SourceTree
from enumguard.config import Config
from enumguard.migrations import alembic
from enumguard.migrations.alembic import environments, ini
from enumguard.migrations.alembic.graph import build, upgrade_order
from enumguard.migrations.alembic.revisions import _Script
from enumguard.migrations.events import Unread
from tests.test_migrations_alembic import revision
from tests.test_migrations_sql import labels, load_files

REPOS = Path(__file__).parent / "fixtures" / "repos"


def tree_of(files: dict[str, str]) -> SourceTree:
    return SourceTree(
        root="/nonexistent",
        files=tuple(SourceFile(p, t) for p, t in sorted(files.items())),
        paths=tuple(sorted(files)),
    )


def config(**settings) -> Config:
    return replace(Config(root=Path("/nonexistent")), **settings)


def create(name: str, *values: str) -> str:
    return f'    op.execute("CREATE TYPE {name} AS ENUM ({", ".join(repr(v) for v in values)})")'


def add(name: str, value: str) -> str:
    return f"    op.execute(\"ALTER TYPE {name} ADD VALUE '{value}'\")"


def service(folder: str, *revisions: tuple[str, str | None, str]) -> dict[str, str]:
    """A service with its own alembic.ini and revisions (id, down_revision, upgrade body)."""
    files = {
        f"{folder}/alembic.ini": "[alembic]\nscript_location = %(here)s/migrations\n",
        f"{folder}/migrations/env.py": "from alembic import context\n",
    }
    for rev, down, body in revisions:
        files[f"{folder}/migrations/versions/{rev}.py"] = revision(rev, down, body)
    return files


TWO_SERVICES = {
    **service(
        "billing", ("0001", None, create("invoice_status", "draft")), ("0002", "0001", add("invoice_status", "paid"))
    ),
    **service("shipping", ("0001", None, create("shipment_status", "packed"))),
}


# --------------------------------------------------------------------------- alembic.ini


def test_each_runnable_section_is_an_environment_with_default_and_interpolation() -> None:
    text = (
        "[DEFAULT]\nscript_location = %(here)s/alembic\n\n"
        "[alembic]\nversion_locations = %(script_location)s/versions\n"
        "sqlalchemy.url = postgresql://app:secret@db.internal/shop\n"
        "file_template = %%(year)d_%%(rev)s_%%(slug)s\n\n"
        "[tenant]\nscript_location = %(here)s/tenant\nversion_locations = %(script_location)s/versions\n\n"
        "[loggers]\nkeys = root\n"
    )
    found = ini.sections("backend/alembic.ini", text)
    assert [(s.section, s.script_location, s.version_locations) for s in found] == [
        ("alembic", "backend/alembic", ("backend/alembic/versions",)),
        ("tenant", "backend/tenant", ("backend/tenant/versions",)),
    ]
    assert found[0].database == "postgresql://db.internal/shop"  # never the credentials
    assert found[0].setting("file_template") == "%(year)d_%(rev)s_%(slug)s"
    assert found[1].database is None


@pytest.mark.parametrize(
    ("settings", "folders"),
    [
        ("version_locations = %(here)s/a %(here)s/b", ("a", "b")),  # legacy: spaces
        ("version_locations = %(here)s/a, %(here)s/b", ("a", "b")),  # legacy: commas
        ("version_path_separator = os\nversion_locations = %(here)s/a:%(here)s/b", ("a", "b")),
        ("path_separator = ;\nversion_locations = %(here)s/a;%(here)s/b", ("a", "b")),
        ("path_separator = newline\nversion_locations =\n    %(here)s/a\n    %(here)s/b", ("a", "b")),
        ("path_separator = space\nversion_locations = a b", ("a", "b")),
    ],
)
def test_version_locations_split_as_alembic_splits_them(settings: str, folders: tuple[str, ...]) -> None:
    [section] = ini.sections("alembic.ini", f"[alembic]\nscript_location = migrations\n{settings}\n")
    assert section.version_locations == folders


def test_placeholder_url_says_nothing_about_the_database() -> None:
    text = "[alembic]\nscript_location = m\nsqlalchemy.url = driver://user:pass@localhost/dbname\n"
    assert ini.sections("alembic.ini", text)[0].database is None


def test_flask_migrate_ini_in_the_script_folder_names_no_script_location() -> None:
    files = {
        "migrations/alembic.ini": "[alembic]\n# template used to generate migration files\n",
        "migrations/env.py": "from alembic import context\n",
        "migrations/versions/1.py": revision("1", None, create("t", "a")),
    }
    [env] = environments.environments(tree_of(files), config())
    assert (env.name, env.script_location, env.versions) == (
        "migrations/alembic.ini",
        "migrations",
        ("migrations/versions",),
    )


def test_an_alembic_config_under_another_name_is_read() -> None:
    files = {
        **service("app", ("1", None, create("t", "a"))),
        "app/alembic-audit.ini": "[alembic]\nscript_location = %(here)s/audit\n",
        "app/audit/versions/1.py": revision("1", None, create("audit_kind", "x")),
    }
    envs = environments.environments(tree_of(files), config())
    assert [e.name for e in envs] == ["app/alembic-audit.ini", "app/alembic.ini"]
    assert labels(load_files(files)) == {"public.t": ("a",), "public.audit_kind": ("x",)}


# --------------------------------------------------------------------------- environments


def test_two_environments_are_replayed_each_in_its_own_graph_even_with_the_same_revision_ids() -> None:
    model = load_files(TWO_SERVICES)
    # one graph would have kept one revision `0001` of the two and dropped the other
    assert labels(model) == {"public.invoice_status": ("draft", "paid"), "public.shipment_status": ("packed",)}
    assert [m.path for m in model.migrations] == [
        "billing/migrations/versions/0001.py",
        "billing/migrations/versions/0002.py",
        "shipping/migrations/versions/0001.py",
    ]


def test_the_notice_lists_the_environments_in_replay_order_and_how_to_set_it() -> None:
    files = dict(TWO_SERVICES)
    files["billing/alembic.ini"] += "sqlalchemy.url = postgresql://billing-db/billing\n"
    assert migrations.notices(tree_of(files), config()) == (
        (
            "2 Alembic environments, each replayed in its own revision graph, one after the other in this order: "
            "billing/alembic.ini (billing/migrations/versions/, 2 revisions; database postgresql://billing-db/billing); "
            "shipping/alembic.ini (shipping/migrations/versions/, 1 revision); a type that more than one of them "
            "creates or changes is not checked, as their order is unknown: if they migrate one database, add "
            '`migration-order = ["billing/alembic.ini", "shipping/alembic.ini"]` to [tool.enumguard] in the order '
            "they run"
        ),
    )
    assert migrations.notices(tree_of(service("billing", ("1", None, create("t", "a")))), config()) == ()


def test_migration_order_places_environments_and_says_they_share_one_database() -> None:
    settings = {"migration_order": ("shipping/**", "billing")}  # a glob, or a folder the environment is in
    envs = environments.environments(tree_of(TWO_SERVICES), config(**settings))
    assert [(e.name, e.configured) for e in envs] == [("shipping/alembic.ini", True), ("billing/alembic.ini", True)]
    (notice,) = migrations.notices(tree_of(TWO_SERVICES), config(**settings))
    assert notice.startswith(
        "2 Alembic environments, each replayed in its own revision graph, one after the other as one database in "
        "the order `migration-order` gives: shipping/alembic.ini"
    )


def unread(units) -> list[tuple[str, int, frozenset[str], str]]:
    return [
        (e.location.path, e.location.line, e.names, e.reason) for u in units for e in u.events if isinstance(e, Unread)
    ]


SHARED = {
    **service("api", ("1", None, create("priority", "low", "high"))),
    **service("worker", ("1", None, create("kind", "a")), ("2", "1", add("priority", "urgent"))),
}


def test_a_type_two_environments_change_is_unread_from_the_later_ones_first_change() -> None:
    units = alembic.load(tree_of(SHARED), config()).units
    assert unread(units) == [
        (
            "worker/migrations/versions/2.py",
            10,
            frozenset({"priority"}),
            (
                "changed in two Alembic environments (api/alembic.ini, worker/alembic.ini) whose order enumguard "
                "cannot know; set `migration-order`"
            ),
        )
    ]
    # the Unread comes just before the op it is about, in the later environment's revision
    [worker_2] = [u for u in units if u.migration.path == "worker/migrations/versions/2.py"]
    assert isinstance(worker_2.events[0], Unread) and worker_2.events[1].kind == "add_value"


def test_migration_order_naming_both_environments_makes_the_shared_type_certain() -> None:
    ordered = config(migration_order=("api/alembic.ini", "worker/alembic.ini"))
    assert unread(alembic.load(tree_of(SHARED), ordered).units) == []
    assert labels(load_files(SHARED, migration_order=ordered.migration_order)) == {
        "public.priority": ("low", "high", "urgent"),
        "public.kind": ("a",),
    }
    # naming only one of them says nothing about the other's relation to it
    assert len(unread(alembic.load(tree_of(SHARED), config(migration_order=("worker",))).units)) == 1


def test_types_in_other_schemas_are_not_shared() -> None:
    files = {
        **service("api", ("1", None, create("api.status", "a"))),
        **service("worker", ("1", None, create("worker.status", "b"))),
    }
    assert unread(alembic.load(tree_of(files), config()).units) == []


def test_one_upgrade_run_spans_every_versions_folder_of_its_environment() -> None:
    files = {
        "alembic.ini": "[alembic]\nscript_location = m\nversion_locations = m/versions plugin/versions\n",
        "m/env.py": "from alembic import context\n",
        "m/versions/1.py": revision("1", None, create("t", "a")),
        "plugin/versions/2.py": revision("2", "1", add("t", "b")),
    }
    units = alembic.load(tree_of(files), config()).units
    assert [u.scope for u in units] == ["alembic:alembic.ini", "alembic:alembic.ini"]
    per_revision = alembic.load(tree_of(files), config(transaction_per_migration=True)).units
    assert [u.scope for u in per_revision] == ["m/versions/1.py", "plugin/versions/2.py"]


def test_transaction_per_migration_is_read_from_each_environments_env_py() -> None:
    files = dict(TWO_SERVICES)
    files["shipping/migrations/env.py"] = "context.configure(connection=c, transaction_per_migration=True)\n"
    units = alembic.load(tree_of(files), config()).units
    assert [u.scope for u in units] == [
        "alembic:billing/alembic.ini",
        "alembic:billing/alembic.ini",
        "shipping/migrations/versions/0001.py",
    ]


def test_configured_versions_folders_are_grouped_into_their_environments() -> None:
    settings = config(alembic_versions=("shipping/migrations/versions", "billing/migrations/versions"))
    envs = environments.environments(tree_of(TWO_SERVICES), settings)
    assert [(e.name, e.versions) for e in envs] == [
        ("shipping/alembic.ini", ("shipping/migrations/versions",)),
        ("billing/alembic.ini", ("billing/migrations/versions",)),
    ]


def test_env_py_environments_without_any_alembic_ini() -> None:
    files = {
        "a/env.py": "",
        "a/versions/1.py": revision("1", None, create("t", "a")),
        "b/env.py": "",
        "b/versions/1.py": revision("1", None, create("u", "b")),
    }
    assert [e.name for e in environments.environments(tree_of(files), config())] == ["a/env.py", "b/env.py"]
    assert labels(load_files(files)) == {"public.t": ("a",), "public.u": ("b",)}


# --------------------------------------------------------------------------- revision graph

# (revision, down_revision, depends_on, branch_labels)
GRAPHS = [
    # a dependency on a branch label means the revision that declares it
    [("r", None, None, None), ("a1", "r", None, ("greens",)), ("a2", "a1", None, None), ("b1", "r", "greens", None)],
    # a dependency an ancestor already has is dropped (Alembic's normalisation), one it has not is kept
    [
        ("a", None, None, None),
        ("b", "a", None, None),
        ("x", None, None, None),
        ("c", "b", "x", None),
        ("d", "c", "x", None),
    ],
    # several roots, a dependency on an ancestor, two heads
    [
        ("a", None, None, None),
        ("b", "a", None, None),
        ("c", "b", "a", None),
        ("e", None, None, ("other",)),
        ("f", "e", "b", None),
    ],
    # merges of merges
    [
        ("a", None, None, None),
        ("b", "a", None, None),
        ("c", "a", None, None),
        ("m1", ("b", "c"), None, None),
        ("d", "a", None, None),
        ("m2", ("m1", "d"), None, None),
    ],
]


@pytest.mark.parametrize("graph", GRAPHS, ids=range(len(GRAPHS)))
def test_revision_order_is_alembics_with_labels_and_dependencies(graph) -> None:
    from alembic.script.revision import Revision, RevisionMap

    revision_map = RevisionMap(
        lambda: [Revision(r, d, dependencies=dep, branch_labels=lab) for r, d, dep, lab in graph]
    )
    alembic_order = [
        r.revision for r in reversed(list(revision_map.iterate_revisions("heads", "base", implicit_base=True)))
    ]
    scripts = [
        _Script(f"v/{r}.py", r, (d,) if isinstance(d, str) else tuple(d or ()), (dep,) if dep else (), [], 0, lab or ())
        for r, d, dep, lab in graph
    ]
    assert [s.revision for s in upgrade_order(scripts, [])] == alembic_order
    assert sorted(build(scripts).heads) == sorted(revision_map.heads)


def test_branch_labels_reach_the_descendants_of_the_revision_that_declares_them() -> None:
    scripts = [
        _Script("v/r.py", "r", (), (), [], 0),
        _Script("v/a1.py", "a1", ("r",), (), [], 0, ("greens",)),
        _Script("v/a2.py", "a2", ("a1",), (), [], 0),
        _Script("v/b1.py", "b1", ("r",), (), [], 0),
    ]
    graph = build(scripts)
    assert (graph.label_of("a2"), graph.label_of("b1"), graph.heads) == (("greens",), (), ["a2", "b1"])


# --------------------------------------------------------------------------- fixture repositories


def test_fixture_with_ini_sections_finds_both_environments() -> None:
    from enumguard import collect
    from enumguard import config as config_mod

    root = REPOS / "845_ini_sections_default_interpolation"
    loaded = replace(config_mod.load(root), cache=False)
    envs = environments.environments(collect.collect(loaded), loaded)
    assert [(e.name, e.versions, e.env_py) for e in envs] == [
        ("alembic.ini", ("alembic/versions",), "alembic/env.py"),
        ("alembic.ini [tenant]", ("alembic_tenant/versions",), "alembic_tenant/env.py"),
    ]
