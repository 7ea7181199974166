"""Config in, Report out. The only module that knows the order of the stages:
collect -> parse (python | migrations) -> link (bindings) -> model [-> live facts]
-> link (enum/type pairs) -> rules -> suppress/filter -> Report."""

from __future__ import annotations

from dataclasses import replace

from enumguard import budget, collect, link, migrations, python, suppress
from enumguard.config import Config
from enumguard.finding import Finding
from enumguard.fixes import new_migration
from enumguard.model import Model, Settings
from enumguard.report import Report
from enumguard.rules import ALL_RULES, Rule


def build_model(tree: collect.SourceTree, config: Config) -> Model:
    """Parse the tree into the dialect-neutral model the rules read (pairs not yet linked)."""
    budget.configure(config.max_file_seconds)
    migration_paths = migrations.migration_paths(tree, config)
    db = migrations.load(tree, config)
    py = python.scan(tree, config, migration_paths)
    bound = link.bind(py.raw_bindings, py.enums, db.db_enums, config, migration_paths, db.columns)
    defaults = link.server_default_literals(py.raw_bindings, bound, py.enums)
    return Model(
        enums=py.enums,
        references=py.references,
        bindings=bound,
        migrations=db.migrations,
        ops=db.ops,
        db_enums=db.db_enums,
        columns=db.columns,
        literals=link.column_literals(db.literals, bound) + py.literals + defaults,
        type_uses=db.type_uses,
        column_values=py.column_values,
        problems=py.problems + db.problems,
        notices=py.notices,
        settings=Settings(
            postgres_version=config.postgres_version,
            idle_threshold_seconds=config.idle_threshold_seconds,
        ),
        plain_columns=db.plain_columns,
        drivers=py.drivers,
        tables=db.tables,
        table_doubts=db.table_doubts,
    )


def model_of(config: Config) -> Model:
    """The linked model of config.root, as the rules see it (`enumguard show`)."""
    return link.link(build_model(collect.collect(config), config))


def selected_rules(config: Config) -> list[Rule]:
    chosen = []
    for rule in ALL_RULES:
        if config.select and rule.name not in config.select:
            continue
        if rule.name in config.ignore:
            continue
        chosen.append(rule())
    return chosen


def check(model: Model, tree: collect.SourceTree, config: Config) -> tuple[Finding, ...]:
    """Run the selected rules and apply suppression comments; sorted, without duplicates."""
    findings: list[Finding] = []
    for rule in selected_rules(config):
        findings.extend(rule.check(model))
    findings = suppress.apply(findings, tree)
    allowed = {r.name for r in selected_rules(config)}
    return tuple(sorted(set(f for f in findings if f.rule in allowed)))


def run(config: Config, extend_model=None, tree: collect.SourceTree | None = None) -> Report:
    """The full audit of config.root (or of `tree`, a commit diff read from git).
    `extend_model(model) -> (model, notices)` lets a caller (the live-database audit) add facts
    before the rules run."""
    if tree is None:
        tree = collect.collect(config)
    model = build_model(tree, config)
    notices: tuple[str, ...] = tree.skipped + model.notices + migrations.notices(tree, config)
    if extend_model is not None:
        model, extra = extend_model(model)
        notices += tuple(extra)
    model = link.link(model)
    findings = new_migration.with_paths(check(model, tree, config), model, tree, config)
    return Report(
        root=str(config.root),
        findings=findings,
        model=model,
        notices=notices,
        files=sum(1 for f in tree.files if not collect.is_aux(f.path)),
        rules=tuple(r.name for r in selected_rules(config)),
    )


def with_findings(report: Report, findings: tuple[Finding, ...]) -> Report:
    return replace(report, findings=tuple(sorted(findings)))
