"""Per-file facts of the whole tree in, the Python model out: a table of imports and re-exports
built from each module's top-level statements resolves dotted names to enum classes.

Precision first: a name bound more than one way in a module, a module name that two files
claim, or a chain through something that is not a module or a class resolves to nothing.
"""

from __future__ import annotations

from typing import Any

from enumguard.model import EnumClass, Member, Reference, Value
from enumguard.python.file_facts import ClassFact, FileFacts, ImportFact
from enumguard.python.names import ModuleInfo

ENUM_BASES = {
    "enum.Enum": "Enum",
    "enum.IntEnum": "IntEnum",
    "enum.StrEnum": "StrEnum",
    "enum.Flag": "Flag",
    "enum.IntFlag": "IntFlag",
    "enum.ReprEnum": "Enum",
}
BUILTIN_MIXINS = {"str": str, "int": int, "float": float, "bytes": bytes, "object": object}
EXTERNAL_ALWAYS = ("enum", "builtins")
# Names every enum class answers to besides its members (dunder and sunder names are API too).
ENUM_API = frozenset({"name", "value", "mro"})

Target = tuple  # ("module", path) | ("class", path, qual) | ("external", dotted)


class Resolver:
    """Resolves dotted names written in a file to modules, classes and enum classes."""

    def __init__(self, infos: dict[str, ModuleInfo], facts: dict[str, FileFacts], migration_paths: frozenset[str]):
        self.infos, self.facts, self.migration_paths = infos, facts, migration_paths
        self.index: dict[str, set[str]] = {}
        for path, info in infos.items():
            names = {info.name, info.full}
            parts = info.full.split(".")
            names.update(".".join(parts[i:]) for i in range(1, len(parts) - 1))
            for name in names:
                if name:
                    self.index.setdefault(name, set()).add(path)
        self.classes: dict[tuple[str, str], ClassFact] = {}
        for path, fact in facts.items():
            for cls in fact.classes:
                self.classes[(path, cls.qual)] = cls
        self.tables = {path: _table(fact) for path, fact in facts.items()}
        self._enum_memo: dict[tuple[str, str], str | None] = {}
        counts: dict[str, int] = {}
        for info in infos.values():
            counts[info.name] = counts.get(info.name, 0) + 1
        self.module_name = {p: (i.name if counts[i.name] == 1 else i.full) for p, i in infos.items()}

    # ------------------------------------------------------------------ modules and names
    def lookup(self, dotted: str) -> str | None:
        """The file of an absolute module name, when exactly one file answers to it."""
        if dotted.split(".")[0] in EXTERNAL_ALWAYS:
            return None
        paths = self.index.get(dotted)
        if not paths:
            return None
        if len(paths) == 1:
            return next(iter(paths))
        exact = [p for p in paths if self.infos[p].name == dotted]
        return exact[0] if len(exact) == 1 else None

    def absolute(self, path: str, fact: ImportFact) -> str:
        if not fact.level:
            return fact.module
        info = self.infos[path]
        parts = info.full.split(".") if info.full else []
        keep = len(parts) - fact.level + (1 if info.is_package else 0)
        base = parts[: max(keep, 0)]
        return ".".join(base + ([fact.module] if fact.module else []))

    def resolve_name(self, path: str, name: str, seen: frozenset = frozenset()) -> Target | None:
        if (path, name) in seen:
            return None
        seen = seen | {(path, name)}
        binding = self.tables.get(path, {}).get(name)
        if binding == "class":
            return ("class", path, name)
        if binding == "ambiguous":
            return None
        if isinstance(binding, ImportFact):
            return self.resolve_import(path, binding, seen)
        for star in self.tables.get(path, {}).get("*", ()):
            base = self.absolute(path, star)
            target_path = self.lookup(base)
            if target_path is not None and not name.startswith("_"):
                found = self.resolve_name(target_path, name, seen)
                if found is not None:
                    return found
            elif target_path is None and base == "enum":
                return ("external", f"enum.{name}")
        if binding is None and name in BUILTIN_MIXINS:
            return ("external", f"builtins.{name}")
        return None

    def resolve_import(self, path: str, fact: ImportFact, seen: frozenset) -> Target | None:
        base = self.absolute(path, fact)
        if fact.attr is None:
            target = self.lookup(base)
            return ("module", target) if target else ("external", base)
        submodule = self.lookup(f"{base}.{fact.attr}") if base else self.lookup(fact.attr)
        if submodule is not None:
            return ("module", submodule)
        target = self.lookup(base) if base else None
        if target is None:
            if fact.level:
                return None
            return ("external", f"{base}.{fact.attr}")
        return self.resolve_name(target, fact.attr, seen)

    def step(self, target: Target, segment: str) -> Target | None:
        kind = target[0]
        if kind == "module":
            path = target[1]
            info = self.infos[path]
            for prefix in (info.name, info.full):
                sub = self.lookup(f"{prefix}.{segment}") if prefix else None
                if sub is not None:
                    return ("module", sub)
            return self.resolve_name(path, segment)
        if kind == "class":
            qual = f"{target[2]}.{segment}"
            return ("class", target[1], qual) if (target[1], qual) in self.classes else None
        return ("external", f"{target[1]}.{segment}")

    def walk(self, path: str, chain: tuple[str, ...], stop_at_enum: bool = True) -> tuple[Target | None, int]:
        """Resolve `chain` from `path`; stops after the first enum class. Returns (target, next index)."""
        target = self.resolve_name(path, chain[0])
        i = 1
        while target is not None and i < len(chain):
            if stop_at_enum and target[0] == "class" and self.enum_kind(target[1], target[2]):
                break
            target = self.step(target, chain[i])
            i += 1
        return target, i

    def external_name(self, path: str, dotted: str) -> str | None:
        """The qualified name in a library (`sqlalchemy.Enum`) that `dotted`, as written in file
        `path`, names through the project's imports and re-exports; None when it is not one."""
        target, _ = self.walk(path, tuple(dotted.split(".")), stop_at_enum=False)
        return target[1] if target is not None and target[0] == "external" else None

    def resolve_dotted(self, path: str, dotted: str) -> str | None:
        """The qualname of the enum class `dotted` (as written in file `path`) names, or None.
        An enum defined in a migration script is only found from that same script."""
        target, i = self.walk(path, tuple(dotted.split(".")), stop_at_enum=False)
        if target is None or target[0] != "class" or not self.enum_kind(target[1], target[2]):
            return None
        if target[1] in self.migration_paths and target[1] != path:
            return None
        return self.qualname(target[1], target[2])

    def qualname(self, path: str, qual: str) -> str:
        module = self.module_name[path]
        return f"{module}.{qual}" if module else qual

    # ------------------------------------------------------------------ enum classes
    def enum_kind(self, path: str, qual: str, seen: frozenset = frozenset()) -> str | None:
        """ "Enum", "StrEnum", ... for an enum class (through project bases); None otherwise."""
        key = (path, qual)
        if key in self._enum_memo:
            return self._enum_memo[key]
        if key in seen:
            return None
        fact = self.classes.get(key)
        kind = None
        if fact is not None:
            for base in fact.bases:
                target = self.base_target(path, base)
                if target is None:
                    continue
                if target[0] == "external" and target[1] in ENUM_BASES:
                    kind = ENUM_BASES[target[1]]
                elif target[0] == "class":
                    kind = self.enum_kind(target[1], target[2], seen | {key})
                if kind:
                    break
        self._enum_memo[key] = kind
        return kind

    def base_target(self, path: str, base: str) -> Target | None:
        if base == "?":
            return None
        target, _ = self.walk(path, tuple(base.split(".")), stop_at_enum=False)
        return target

    def ancestors(self, path: str, qual: str) -> tuple[list[tuple[str, ClassFact]], bool, set[str]]:
        """Project classes above (path, qual), whether some base is unreadable, builtin mixins."""
        out: list[tuple[str, ClassFact]] = []
        unknown = False
        mixins: set[str] = set()
        todo, seen = [(path, qual)], set()
        while todo:
            key = todo.pop()
            if key in seen or key not in self.classes:
                continue
            seen.add(key)
            fact = self.classes[key]
            out.append((key[0], fact))
            unknown |= fact.metaclass
            for base in fact.bases:
                target = self.base_target(key[0], base)
                if target is None:
                    unknown = True
                elif target[0] == "class":
                    todo.append((target[1], target[2]))
                elif target[1].startswith("builtins."):
                    mixins.add(target[1][len("builtins.") :])
                elif target[1] not in ENUM_BASES:
                    unknown = True
        return out, unknown, mixins

    def enum_classes(self) -> dict[tuple[str, str], EnumClass]:
        out = {}
        for (path, qual), fact in self.classes.items():
            kind = self.enum_kind(path, qual)
            if kind:
                out[(path, qual)] = self.build_enum(path, qual, fact, kind)
        return out

    def build_enum(self, path: str, qual: str, fact: ClassFact, kind: str) -> EnumClass:
        lineage, api_open, mixins = self.ancestors(path, qual)
        api = set(ENUM_API)
        defines: set[str] = set()
        for _, cls in lineage:
            api.update(cls.api)
            defines.update(cls.defines)
        mixin: str | None
        for mixin in mixins:
            api.update(n for n in dir(BUILTIN_MIXINS[mixin]) if not n.startswith("_"))
        if kind in ("StrEnum",):
            api.update(n for n in dir(str) if not n.startswith("_"))
        if kind in ("IntEnum", "IntFlag"):
            api.update(n for n in dir(int) if not n.startswith("_"))
        mixin = next(iter(sorted(mixins - {"object"})), None)
        custom_values = "__new__" in defines or any(
            c.bases and any(self._is_data_mixin(p, b) for b in c.bases) for p, c in lineage
        )
        # A `__new__` that takes the value from one of its arguments (`obj._value_ = value`):
        # the member's value is that element of the tuple it is written as.
        picks = {c.new_value_arg for _, c in lineage if "__new__" in c.defines}
        pick = next(iter(picks)) if len(picks) == 1 else None
        if pick is not None and any(c.bases and any(self._is_data_mixin(p, b) for b in c.bases) for p, c in lineage):
            pick = None
        members = _members(fact, kind, mixin, custom_values, "_generate_next_value_" in defines, pick)
        module = self.module_name[path]
        return EnumClass(
            qualname=self.qualname(path, qual),
            module=module,
            name=qual.rsplit(".", 1)[-1],
            location=fact.location,
            members=members,
            kind=kind if mixin is None or kind != "Enum" else f"{mixin}+Enum",
            bases=tuple(sorted({self.qualname(p, c.qual) for p, c in lineage if c is not fact})),
            api_names=frozenset(api),
            open=fact.open,
            in_migration=path in self.migration_paths,
            api_open=api_open,
        )

    def _is_data_mixin(self, path: str, base: str) -> bool:
        """A project class mixed into an enum that is not itself an enum: values are built by it."""
        target = self.base_target(path, base)
        return target is not None and target[0] == "class" and not self.enum_kind(target[1], target[2])

    # ------------------------------------------------------------------ references
    def references(self, enums: dict[tuple[str, str], EnumClass]) -> list[Reference]:
        out: list[Reference] = []
        assigned = self.assigned_attributes(enums)
        for path, fact in self.facts.items():
            for ref in fact.references:
                target, i = self.walk(path, ref.chain)
                if target is None or target[0] != "class":
                    continue
                enum = enums.get((target[1], target[2]))
                if enum is None or (enum.in_migration and target[1] != path):
                    continue
                if ref.form == "attribute":
                    if i < len(ref.chain) and (enum.qualname, ref.chain[i]) not in assigned:
                        out.append(
                            Reference(enum.qualname, ref.chain[i], "attribute", ref.where[i], handled=ref.handled)
                        )
                elif i == len(ref.chain):
                    out.append(
                        Reference(enum.qualname, str(ref.literal), ref.form, ref.where[0], ref.literal, ref.handled)
                    )
        return out

    def assigned_attributes(self, enums: dict[tuple[str, str], EnumClass]) -> set[tuple[str, str]]:
        """(enum, attribute) for every `Enum.attribute = ...` in the repository: attributes the
        class has once that code ran (a test that adds one, a module that sets a ClassVar)."""
        out = set()
        for path, fact in self.facts.items():
            for chain in fact.assigned:
                target, i = self.walk(path, chain)
                if target is not None and target[0] == "class" and i == len(chain) - 1:
                    enum = enums.get((target[1], target[2]))
                    if enum is not None:
                        out.add((enum.qualname, chain[i]))
        return out


def _table(fact: FileFacts) -> dict[str, Any]:
    """Module-level name -> "class" | ImportFact | "ambiguous"; "*" -> star imports."""
    table: dict[str, Any] = {}
    stars = []
    functional = {c.qual for c in fact.classes if c.functional and "." not in c.qual}
    counts: dict[str, int] = {}
    for name in fact.class_names:
        counts[name] = counts.get(name, 0) + 1
    for name, count in counts.items():
        table[name] = "class" if count == 1 else "ambiguous"
    for imp in fact.imports:
        if imp.attr == "*":
            stars.append(imp)
            continue
        previous = table.get(imp.local)
        if previous is None or previous == imp:
            table[imp.local] = imp
        else:
            table[imp.local] = "ambiguous"
    for name in fact.other_names:
        if name in functional and name not in table:
            table[name] = "class"
        else:
            table[name] = "ambiguous"
    table["*"] = tuple(stars)
    return table


def _members(
    fact: ClassFact, kind: str, mixin: str | None, custom: bool, custom_auto: bool, pick: int | None = None
) -> tuple[Member, ...]:
    """Members with values as Python computes them (auto(), mixin conversion, a `__new__` that
    picks argument `pick`), aliases marked."""
    out: list[Member] = []
    last: list[Value] = []
    by_value: dict[object, str] = {}
    for m in fact.members:
        known, value = False, None
        if custom and pick is not None:
            known, value = _picked(m, pick, kind, mixin)
        elif m.kind == "literal":
            known, value = _convert(m.value, kind, mixin)
        elif m.kind == "auto" and not custom_auto:
            known, value = _auto(m.name, m.value, kind, mixin, last)
        if custom and pick is None:
            known, value = False, None
        alias_of = None
        if known:
            try:
                alias_of = by_value.get((type(value) is tuple, value))
                if alias_of is None:
                    by_value[(type(value) is tuple, value)] = m.name
            except TypeError:
                pass
            last.append(value)
        out.append(Member(m.name, value, known, m.location, alias_of))
    return tuple(out)


def _picked(m, pick: int, kind: str, mixin: str | None) -> tuple[bool, Value]:
    """The argument a custom `__new__` makes the value: the member's tuple element `pick` (a
    value that is no tuple is the only argument)."""
    if m.kind == "literal":
        args = m.value if isinstance(m.value, tuple) else (m.value,)
        known = (True,) * len(args)
    elif m.kind == "args":
        args, known = m.value, m.known
    else:
        return False, None
    if pick >= len(args) or not known[pick]:
        return False, None
    return _convert(args[pick], kind, mixin)


def _convert(value: Value, kind: str, mixin: str | None) -> tuple[bool, Value]:
    if kind == "StrEnum" or mixin == "str":
        return (True, value) if isinstance(value, str) else (False, None)
    if kind in ("IntEnum", "IntFlag") or mixin == "int":
        return (True, value) if isinstance(value, int) else (False, None)
    if mixin is not None:
        return (True, value) if isinstance(value, BUILTIN_MIXINS[mixin]) else (False, None)
    return True, value


def _auto(name: str, start: Value, kind: str, mixin: str | None, last: list[Value]) -> tuple[bool, Value]:
    if kind == "StrEnum":
        return True, name.lower()
    if mixin is not None:
        return False, None
    ints = [v for v in last if isinstance(v, int) and not isinstance(v, bool)]
    if kind in ("Flag", "IntFlag"):
        if not last:
            return True, 1 if start is None else start
        if len(ints) != len(last):
            return False, None
        high = max(ints)
        return True, 1 if high <= 0 else 2 ** high.bit_length()
    if not last:
        return True, 1 if start is None else start
    if len(ints) == len(last):
        return True, max(ints) + 1
    for value in reversed(last):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return True, value + 1
    return False, None
