"""The Python scanner: enum classes and members in every form, values as Python computes them."""

from __future__ import annotations

from pathlib import Path

from enumguard import collect, python
from enumguard.config import Config
from tests.expectations import write_repo


def scan(tmp_path: Path, files: dict[str, str], migration_paths: frozenset[str] = frozenset(), **config):
    write_repo(tmp_path, files, {})
    cfg = Config(root=tmp_path, cache=False, **config)
    return python.scan(collect.collect(cfg), cfg, migration_paths)


def enums(model) -> dict[str, object]:
    return {e.qualname: e for e in model.enums}


def values(enum) -> dict[str, object]:
    return {m.name: m.value for m in enum.members}


def test_every_enum_base_and_import_spelling_is_an_enum(tmp_path: Path) -> None:
    model = scan(
        tmp_path,
        {
            "m.py": "import enum\nimport enum as e\nfrom enum import Enum as E, IntFlag, StrEnum\n"
            "class A(enum.Enum):\n    x = 1\n"
            "class B(enum.IntEnum):\n    x = 1\n"
            "class C(StrEnum):\n    x = 'x'\n"
            "class D(enum.Flag):\n    x = 1\n"
            "class F(IntFlag):\n    x = 1\n"
            "class G(str, enum.Enum):\n    x = 'x'\n"
            "class H(e.Enum):\n    x = 1\n"
            "class I(E):\n    x = 1\n"
            "class NotAnEnum(object):\n    x = 1\n",
        },
    )
    found = enums(model)
    assert sorted(found) == [f"m.{n}" for n in "ABCDFGHI"]
    assert found["m.C"].kind == "StrEnum" and found["m.G"].kind == "str+Enum" and found["m.F"].kind == "IntFlag"


def test_subclasses_of_project_enum_bases_with_and_without_members(tmp_path: Path) -> None:
    model = scan(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/base.py": "import enum\n\nclass Base(str, enum.Enum):\n"
            "    def label(self):\n        return self.value.title()\n",
            "app/models.py": "from app.base import Base\n\nclass Status(Base):\n    done = 'done'\n",
        },
    )
    found = enums(model)
    assert set(found) == {"app.base.Base", "app.models.Status"}
    assert found["app.base.Base"].members == ()
    assert values(found["app.models.Status"]) == {"done": "done"}
    assert "label" in found["app.models.Status"].api_names
    assert found["app.models.Status"].bases == ("app.base.Base",)


def test_members_exclude_methods_properties_nested_classes_ignored_and_special_names(tmp_path: Path) -> None:
    model = scan(
        tmp_path,
        {
            "m.py": "import enum\nfrom enum import nonmember, member\n\n"
            "class S(enum.Enum):\n"
            "    _ignore_ = ['tmp']\n"
            "    a = 1\n"
            "    b: int = 2\n"
            "    tmp = 3\n"
            "    _order_ = 'a b'\n"
            "    __slots__ = ()\n"
            "    limit = nonmember(10)\n"
            "    fn = member(5)\n"
            "    helper = lambda self: 1\n"
            "    class Meta:\n        pass\n"
            "    @property\n    def shout(self):\n        return self.name.upper()\n"
            "    @classmethod\n    def parse(cls, text):\n        return cls[text]\n",
        },
    )
    (s,) = model.enums
    assert values(s) == {"a": 1, "b": 2, "fn": 5}
    assert {"limit", "helper", "Meta", "shout", "parse", "tmp"} <= s.api_names


def test_auto_values_follow_python(tmp_path: Path) -> None:
    model = scan(
        tmp_path,
        {
            "m.py": "from enum import Enum, StrEnum, Flag, auto\n\n"
            "class A(Enum):\n    x = auto()\n    y = auto()\n    z = 10\n    w = auto()\n"
            "class S(StrEnum):\n    Pending = auto()\n    DONE = auto()\n"
            "class F(Flag):\n    r = auto()\n    w = auto()\n    x = auto()\n",
        },
    )
    found = enums(model)
    assert values(found["m.A"]) == {"x": 1, "y": 2, "z": 10, "w": 11}
    assert values(found["m.S"]) == {"Pending": "pending", "DONE": "done"}
    assert values(found["m.F"]) == {"r": 1, "w": 2, "x": 4}


def test_repeated_value_is_an_alias_of_the_first_member(tmp_path: Path) -> None:
    model = scan(tmp_path, {"m.py": "import enum\nclass A(enum.Enum):\n    on = 1\n    yes = 1\n    off = 0\n"})
    (a,) = model.enums
    assert [(m.name, m.alias_of) for m in a.members] == [("on", None), ("yes", "on"), ("off", None)]


def test_functional_api_forms(tmp_path: Path) -> None:
    model = scan(
        tmp_path,
        {
            "m.py": "import enum\nfrom enum import Enum\n\n"
            "A = Enum('A', 'x y z')\n"
            "B = enum.IntEnum('B', ['p', 'q'], start=5)\n"
            "C = Enum('C', [('one', 'o'), ('two', 't')])\n"
            "D = Enum('D', {'k': 'v'})\n"
            "E = Enum('E', NAMES)\n",
        },
    )
    found = enums(model)
    assert values(found["m.A"]) == {"x": 1, "y": 2, "z": 3}
    assert values(found["m.B"]) == {"p": 5, "q": 6}
    assert values(found["m.C"]) == {"one": "o", "two": "t"}
    assert values(found["m.D"]) == {"k": "v"}
    assert found["m.E"].open and not found["m.A"].open


def test_computed_values_keep_member_names_without_values(tmp_path: Path) -> None:
    model = scan(
        tmp_path,
        {
            "m.py": "import enum\nLOOKUP = {'a': 1}\n\n"
            "class Planet(enum.Enum):\n    earth = (5.97, 6.37)\n    mars = (0.64, 3.39)\n"
            "    def __new__(cls, mass, radius):\n        obj = object.__new__(cls)\n"
            "        obj._value_ = mass * 1e24\n        return obj\n\n"
            "class Code(enum.Enum):\n    a = LOOKUP['a']\n    b = 2\n",
        },
    )
    found = enums(model)
    assert found["m.Planet"].member_names == ("earth", "mars") and not found["m.Planet"].values_known
    assert found["m.Code"].member_names == ("a", "b") and not found["m.Code"].values_known


def test_a_custom_new_that_takes_the_value_from_an_argument_gives_that_element(tmp_path: Path) -> None:
    model = scan(
        tmp_path,
        {
            "m.py": "import enum\nfrom i18n import _\n\n"
            "class Labeled(str, enum.Enum):\n"
            "    def __new__(cls, value, label):\n        obj = str.__new__(cls, value)\n"
            "        obj._value_ = value\n        obj.label = label\n        return obj\n\n"
            "class Status(Labeled):\n    Active = 'active', _('Active')\n    Paused = 'paused', _('Paused')\n"
            "    Odd = compute(), 'x'\n\n"
            "class Planet(enum.Enum):\n    earth = (5.97, 6.37)\n"
            "    def __new__(cls, *args):\n        obj = object.__new__(cls)\n        obj._value_ = args[1]\n"
            "        return obj\n\n"
            "class Branchy(enum.Enum):\n    a = 'x', 1\n"
            "    def __new__(cls, value, n):\n        obj = object.__new__(cls)\n"
            "        if n:\n            obj._value_ = value\n        else:\n            obj._value_ = n\n"
            "        return obj\n",
        },
    )
    found = enums(model)
    status = {m.name: (m.value, m.value_known) for m in found["m.Status"].members}
    assert status == {"Active": ("active", True), "Paused": ("paused", True), "Odd": (None, False)}
    assert values(found["m.Planet"]) == {"earth": 6.37}
    assert not found["m.Branchy"].values_known


def test_enum_nested_in_a_plain_class_is_qualified_by_its_outer_class(tmp_path: Path) -> None:
    model = scan(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/events.py": "import enum\nclass Event:\n    class Kind(enum.Enum):\n        opened = 1\n",
        },
    )
    assert [e.qualname for e in model.enums] == ["app.events.Event.Kind"]


def test_module_names_in_src_layout_and_subfolder_packages(tmp_path: Path) -> None:
    model = scan(
        tmp_path,
        {
            "src/shop/__init__.py": "",
            "src/shop/models.py": "import enum\nclass Color(enum.Enum):\n    red = 1\n",
            "server/api/__init__.py": "",
            "server/api/kinds.py": "import enum\nclass Kind(enum.Enum):\n    a = 1\n",
            "docs/conf.py": "project = 'x'\n",
        },
    )
    assert sorted(enums(model)) == ["api.kinds.Kind", "shop.models.Color"]


def test_enum_in_a_migration_script_is_a_frozen_copy(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/models.py": "import enum\nclass Status(enum.Enum):\n    a = 'a'\n",
        "alembic/versions/0001_init.py": "import enum\nclass Status(enum.Enum):\n    old = 'old'\n\nx = Status.old\n",
        "app/use.py": "from app.models import Status\ny = Status.a\n",
    }
    model = scan(tmp_path, files, frozenset({"alembic/versions/0001_init.py"}))
    frozen = [e for e in model.enums if e.in_migration]
    assert [e.location.path for e in frozen] == ["alembic/versions/0001_init.py"]
    assert {(r.enum, r.member) for r in model.references} == {("0001_init.Status", "old"), ("app.models.Status", "a")}


def test_syntax_error_is_a_problem_and_other_files_are_still_scanned(tmp_path: Path) -> None:
    model = scan(
        tmp_path,
        {
            "bad.py": "import enum\nclass A(enum.Enum:\n    x = 1\n",
            "good.py": "import enum\nclass B(enum.Enum):\n    y = 1\n",
        },
    )
    (problem,) = model.problems
    assert problem.rule == "syntax-error" and problem.location.path == "bad.py" and problem.location.line == 2
    assert "`bad.py`" in problem.message
    assert [e.qualname for e in model.enums] == ["good.B"]


def test_template_files_are_one_notice_and_broken_python_a_syntax_error(tmp_path: Path) -> None:
    model = scan(
        tmp_path,
        {
            "app/templates/loader.py": '{% extends "base.jinja" %}\nimport io\n{% block body %}\n',
            "app/templates/client.py": "import io\n\n{% for s in services %}\nfrom x import {{ s }}\n{% endfor %}\n",
            "tpl/{{cookiecutter.name}}/app.py": "import {{cookiecutter.package}}\n",
            "app/render.py": 'import enum\nPAGE = """\n{% for row in rows %}{{ row }}{% endfor %}\n"""\n'
            "class Kind(enum.Enum):\n    a = 1\n",
            "app/broken.py": "def f(:\n    return {'a': 1}\n",
        },
    )
    assert [(p.rule, p.location.path) for p in model.problems] == [("syntax-error", "app/broken.py")]
    (notice,) = model.notices
    assert notice.startswith("3 .py files with template syntax (Jinja, cookiecutter) not read as Python: ")
    assert "app/templates/client.py" in notice and "tpl/{{cookiecutter.name}}/app.py" in notice
    assert [e.qualname for e in model.enums] == ["render.Kind"]


def test_binding_sites_resolve_their_enum_through_imports(tmp_path: Path) -> None:
    model = scan(
        tmp_path,
        {
            "app/__init__.py": "from .models import Status\n",
            "app/models.py": "import enum\nclass Status(enum.Enum):\n    a = 'a'\n",
            "app/tables.py": "import sqlalchemy as sa\nfrom app import Status\n\n"
            "t = sa.Table('t', sa.MetaData(), sa.Column('s', sa.Enum(Status, name='status')))\n",
        },
    )
    assert [(b.enum, b.site.db_type) for b in model.raw_bindings if b.site.enum_expr] == [
        ("app.models.Status", "public.status")
    ]


def test_odd_input_never_stops_the_scan(tmp_path: Path) -> None:
    deep = "import enum\nx = " + "(" * 150 + "1" + ")" * 150 + "\n"
    long_sum = "import enum\ny = " + " + ".join(["1"] * 600) + "\n"
    model = scan(
        tmp_path,
        {
            "a.py": "import enum\nclass A(enum.Enum):\n    x = '\\N{NO SUCH NAME}'\n",
            "b.py": "import enum\nclass B(enum.Enum):\n    y = 1\n",
            "c.py": deep,
            "d.py": long_sum,
        },
    )
    found = enums(model)
    assert sorted(found) == ["a.A", "b.B"]
    assert not found["a.A"].values_known and found["a.A"].member_names == ("x",)
    assert {(p.rule, p.location.path) for p in model.problems} <= {("syntax-error", "c.py"), ("syntax-error", "d.py")}


def test_scanner_failure_on_one_file_is_a_warning_naming_it(tmp_path: Path, monkeypatch) -> None:
    def boom(path, *args):
        if path == "a.py":
            raise KeyError("surprise")
        return real(path, *args)

    real = python.extract
    monkeypatch.setattr(python, "extract", boom)
    model = scan(tmp_path, {"a.py": "import enum\n", "b.py": "import enum\nclass B(enum.Enum):\n    y = 1\n"})
    (problem,) = model.problems
    assert problem.location.path == "a.py" and "could not analyse" in problem.message
    assert [e.qualname for e in model.enums] == ["b.B"]


def test_type_checking_else_branch_is_the_run_time_binding(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/enums.py": "import enum\nclass Status(enum.Enum):\n    a = 'a'\n",
        "app/stubs.py": "class Status:\n    b = 'b'\n",
        "app/compat.py": (
            "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n    from app.stubs import Status\nelse:\n    from app.enums import Status\n"
        ),
        "app/guessed.py": "try:\n    from app.enums import Status\nexcept ImportError:\n    from app.stubs import Status\n",
        "app/use.py": "from app.compat import Status\nfrom app import guessed\nx = Status.b\ny = guessed.Status.c\n",
    }
    model = scan(tmp_path, files)
    # through compat the name is the enum (its else branch runs); through guessed it is either
    assert {(r.enum, r.member) for r in model.references} == {("app.enums.Status", "b")}


def test_module_names_take_the_else_branch_of_type_checking() -> None:
    import ast

    from enumguard.python.module_names import module_names

    tree = ast.parse(
        "import typing\n"
        "if typing.TYPE_CHECKING:\n    from stubs import Column\n    from stubs import Only\n"
        "else:\n    from sqlalchemy import Enum as Column\n"
    )
    imports, _, _ = module_names(tree)
    assert sorted((i.local, i.module, i.attr) for i in imports) == [
        ("Column", "sqlalchemy", "Enum"),
        ("Only", "stubs", "Only"),
        ("typing", "typing", None),
    ]
