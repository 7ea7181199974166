"""SourceTree in, PythonModel out: enum classes, member references and raw SQLAlchemy bindings,
read with libcst (never imported or executed).

Stages: a text pass finds enum-ish names; each file that mentions one is parsed into FileFacts
(in worker processes, cached by content hash); a table of imports and re-exports then resolves
every name across the tree (enumguard.python.resolve).
"""

from __future__ import annotations

import os
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from typing import Iterator

from enumguard import budget
from enumguard import cache as cache_mod
from enumguard.cachecodec import Codec
from enumguard.collect import SourceTree
from enumguard.config import Config
from enumguard.finding import Finding
from enumguard.model import ColumnValue, EnumClass, LiteralUse, Reference
from enumguard.progress import Progress
from enumguard.python import column_values, mixins
from enumguard.python.binding_sites import BindingSite, RawBinding
from enumguard.python.column_values import ColumnFacts
from enumguard.python.file_facts import FileFacts
from enumguard.python.names import TextNames, candidates_of, module_infos, text_names
from enumguard.python.resolve import Resolver
from enumguard.python.scan_file import extract, syntax_problem
from enumguard.sqlalchemy_names import ENUM_TYPES

PARALLEL_MIN_FILES = 48
# How application code reaches PostgreSQL; which one decides what an enum member is sent as.
DRIVERS = ("sqlalchemy", "sqlmodel", "psycopg2", "psycopg", "asyncpg")
_IMPORT = re.compile(r"^[ \t]*(?:from|import)[ \t]+(sqlalchemy|sqlmodel|psycopg2|psycopg|asyncpg)\b", re.M)
# What the python-facts store holds (FileFacts.binding_sites and .column_facts are loosely typed).
FACTS = Codec(FileFacts | TextNames, loose=(BindingSite, ColumnFacts))


@dataclass(frozen=True)
class PythonModel:
    enums: tuple[EnumClass, ...] = ()
    references: tuple[Reference, ...] = ()
    raw_bindings: tuple[RawBinding, ...] = ()  # enum expressions already resolved to qualnames
    literals: tuple[LiteralUse, ...] = ()  # server_default= literals
    problems: tuple[Finding, ...] = ()
    column_values: tuple[ColumnValue, ...] = ()  # literals sent to table columns
    drivers: frozenset[str] = frozenset()  # database packages the application imports (DRIVERS)
    notices: tuple[str, ...] = ()  # one-line notices (template files not read)


Job = tuple[str, str, tuple[str, ...], tuple[str, ...]]  # path, text, enum-ish names, model names


def _extract_job(job: Job) -> tuple[FileFacts, bool]:
    """The file's facts, and whether they may be cached (not when the time bound cut them)."""
    path, text, relevant, models = job
    try:
        with budget.per_file():
            return extract(path, text, relevant, relevant, models), True
    except budget.OverBudget as over:
        return FileFacts(path, problems=(syntax_problem(path, 1, f"{over}; it is not analysed"),)), False
    except RecursionError:
        return FileFacts(path, problems=(syntax_problem(path, 1, "nested too deeply to analyse"),)), True
    except Exception as exc:  # a scanner bug on odd input must not stop the audit of the rest
        message = f"enumguard could not analyse it ({type(exc).__name__}: {exc})"
        return FileFacts(path, problems=(syntax_problem(path, 1, message),)), True


def file_facts(tree: SourceTree, config: Config) -> dict[str, FileFacts]:
    """FileFacts per Python file, from the cache where the text and its inputs are unchanged."""
    files = tree.python_files()
    store = cache_mod.open_store("python-facts", config.cache, config.cache_dir, FACTS)
    digest = cache_mod.code_digest()
    hashes = {f.path: cache_mod.key(f.text) for f in files}
    names = _text_names(files, hashes, store, digest)
    candidates = candidates_of(list(names.values()))
    models = frozenset().union(*(n.models for n in names.values()))
    facts: dict[str, FileFacts] = {}
    todo: list[Job] = []
    keys: dict[str, str] = {}
    for f in files:
        found = names[f.path].words
        relevant = tuple(sorted(found & candidates))
        mapped = tuple(sorted(found & models))
        k = cache_mod.key(digest, f.path, hashes[f.path], *relevant, "\0models", *mapped)
        keys[f.path] = k
        hit = store.get(k)
        if isinstance(hit, FileFacts):
            facts[f.path] = hit
        else:
            todo.append((f.path, f.text, relevant, mapped))
    with Progress("parsing Python files", len(todo), config.progress) as progress:
        for fact, complete in _run(todo, config.jobs):
            facts[fact.path] = fact
            if complete:
                store.put(keys[fact.path], fact)
            progress.tick()
    cache_mod.close(store)
    return facts


def _text_names(files, hashes: dict[str, str], store: cache_mod.FactCache, digest: str) -> dict[str, TextNames]:
    """The text pass over every file (a regex scan, cached as well: on a warm run it costs
    more than everything else)."""
    out: dict[str, TextNames] = {}
    for f in files:
        k = cache_mod.key(digest, "names", hashes[f.path])
        hit = store.get(k)
        if not isinstance(hit, TextNames):
            hit = replace(text_names(f.text), models=column_values.model_names([f.text]))
            store.put(k, hit)
        out[f.path] = hit
    return out


def _run(todo: list[Job], jobs: int) -> Iterator[tuple[FileFacts, bool]]:
    """Facts of each job as soon as it is done."""
    workers = jobs or os.cpu_count() or 1
    if workers > 1 and len(todo) >= PARALLEL_MIN_FILES:
        # largest files first, so no worker is left with a big one at the end
        todo = sorted(todo, key=lambda job: -len(job[1]))
        done = 0
        try:
            import multiprocessing

            context = multiprocessing.get_context("fork") if hasattr(os, "fork") else None
            chunk = max(1, min(32, len(todo) // (workers * 8)))
            with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                for result in pool.map(_extract_job, todo, chunksize=chunk):
                    done += 1
                    yield result
            return
        except (OSError, RuntimeError, ImportError):
            todo = todo[done:]  # no process support here (sandbox): the rest in this process
    for job in todo:
        yield _extract_job(job)


def scan(tree: SourceTree, config: Config, migration_paths: frozenset[str] = frozenset()) -> PythonModel:
    """The Python side of the model for a whole source tree."""
    files = tree.python_files()
    facts = file_facts(tree, config)
    resolver = Resolver(module_infos([f.path for f in files]), facts, migration_paths)
    by_key = resolver.enum_classes()
    references = resolver.references(by_key)
    raw = []
    for path in sorted(facts):
        for site in facts[path].binding_sites:
            if site.via is not None:
                if resolver.external_name(path, site.via) not in ENUM_TYPES:
                    continue  # some other call: not SQLAlchemy's Enum under another name
                site = replace(site, via=None)
            enum = resolver.resolve_dotted(path, site.enum_expr) if site.enum_expr else None
            raw.append(RawBinding(enum, site))
    raw += mixins.inherited_bindings(raw, column_values.table_classes(facts), resolver)
    problems = tuple(p for path in sorted(facts) for p in facts[path].problems)
    templates = [path for path in sorted(facts) if facts[path].template]
    return PythonModel(
        enums=tuple(sorted(by_key.values(), key=lambda e: (e.qualname, e.location))),
        references=tuple(sorted(references, key=lambda r: (r.location, r.enum, r.member))),
        raw_bindings=tuple(raw),
        problems=problems,
        column_values=column_values.resolve(facts, resolver, migration_paths),
        drivers=drivers(files, migration_paths),
        notices=(template_notice(templates),) if templates else (),
    )


def template_notice(paths: list[str]) -> str:
    shown = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
    return (
        f"{len(paths)} .py file{'s' if len(paths) != 1 else ''} with template syntax (Jinja, cookiecutter) "
        f"not read as Python: {shown}"
    )


def drivers(files, migration_paths: frozenset[str] = frozenset()) -> frozenset[str]:
    """The database packages application code imports (migrations left out: every Alembic
    revision imports sqlalchemy, whatever the application uses)."""
    found: set[str] = set()
    for f in files:
        if f.path in migration_paths or not any(d in f.text for d in DRIVERS):
            continue
        found.update(_IMPORT.findall(f.text))
    return frozenset(found)


def resolver_for(tree: SourceTree, config: Config, migration_paths: frozenset[str] = frozenset()) -> Resolver:
    """A Resolver over the tree, for callers that resolve their own dotted names:
    `resolver_for(...).resolve_dotted(path, "models.Status")` -> "app.models.Status" | None."""
    files = tree.python_files()
    return Resolver(module_infos([f.path for f in files]), file_facts(tree, config), migration_paths)
