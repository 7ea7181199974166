"""References to enum members in every form, resolved across modules; what is not a reference."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from enumguard import config as config_mod
from enumguard import pipeline
from enumguard.rules import RULE_NAMES
from tests.expectations import write_repo

STATUS = "import enum\n\n\nclass Status(str, enum.Enum):\n    pending = 'pending'\n    done = 'done'\n\n    def label(self):\n        return self.value.title()\n"


def findings(tmp_path: Path, files: dict[str, str], **settings):
    write_repo(tmp_path, files, {})
    cfg = replace(config_mod.load(tmp_path, rule_names=RULE_NAMES), cache=False, **settings)
    return pipeline.run(cfg).findings


def found(tmp_path: Path, files: dict[str, str]) -> list[tuple[str, int, int, str]]:
    return [(f.path, f.line, f.location.column, f.member or f.value or "") for f in findings(tmp_path, files)]


def pkg(**extra: str) -> dict[str, str]:
    return {"app/__init__.py": "", "app/models.py": STATUS, **extra}


def test_attribute_reference_location_is_the_member_token(tmp_path: Path) -> None:
    got = found(
        tmp_path, pkg(**{"app/use.py": "from app.models import Status\n\nx = [Status.done,\n     Status.Done]\n"})
    )
    assert got == [("app/use.py", 4, 13, "Done")]


def test_module_attribute_alias_and_package_imports_resolve(tmp_path: Path) -> None:
    files = pkg(
        **{
            "app/a.py": "import app.models\nx = app.models.Status.nope\n",
            "app/b.py": "import app.models as m\nx = m.Status.nope\n",
            "app/c.py": "from app import models\nx = models.Status.nope\n",
            "app/d.py": "from app.models import Status as S\nx = S.nope\n",
        }
    )
    assert sorted(p for p, *_ in found(tmp_path, files)) == ["app/a.py", "app/b.py", "app/c.py", "app/d.py"]


def test_reexport_through_init_and_relative_imports_resolve(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "from .models import Status\n",
        "app/models.py": STATUS,
        "app/sub/__init__.py": "from .. import Status\n",
        "app/sub/deep.py": "from ..models import Status\nfrom . import Status as Again\nx = Status.nope\ny = Again.nope2\n",
        "other.py": "from app.sub import Status\nz = Status.nope3\n",
    }
    assert sorted(m for *_, m in found(tmp_path, files)) == ["nope", "nope2", "nope3"]


def test_star_import_reexport_resolves(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "from .models import *\n",
        "app/models.py": STATUS,
        "use.py": "import app\nx = app.Status.nope\n",
    }
    assert [m for *_, m in found(tmp_path, files)] == ["nope"]


def test_subscript_getattr_and_call_forms(tmp_path: Path) -> None:
    use = (
        "from app.models import Status\n"
        "a = Status['done']\nb = Status['Done']\n"
        "c = getattr(Status, 'pending')\nd = getattr(Status, 'Pending')\ne = getattr(Status, 'x', None)\n"
        "f = Status('done')\ng = Status('Done')\n"
    )
    got = [(f.rule, f.line, f.location.column) for f in findings(tmp_path, pkg(**{"app/use.py": use}))]
    assert got == [("unknown-member", 3, 12), ("unknown-member", 5, 21), ("unknown-value", 8, 12)]


def test_enum_api_names_are_not_members_and_not_errors(tmp_path: Path) -> None:
    use = (
        "from app.models import Status\n"
        "a = Status.done.value, Status.done.name, Status.__members__, Status._member_map_\n"
        "b = Status._value2member_map_, Status.label, Status.mro(), Status.upper\n"
    )
    assert found(tmp_path, pkg(**{"app/use.py": use})) == []


def test_two_modules_defining_the_same_enum_name_resolve_by_module(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/a.py": "import enum\nclass Kind(enum.Enum):\n    left = 1\n",
        "app/b.py": "import enum\nclass Kind(enum.Enum):\n    right = 1\n",
        "app/use.py": "from app.a import Kind\nfrom app import b\nx = Kind.left, b.Kind.right, Kind.right\n",
    }
    assert found(tmp_path, files) == [("app/use.py", 3, 35, "right")]


def test_nested_enum_references_resolve(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/events.py": "import enum\nclass Event:\n    class Kind(enum.Enum):\n        opened = 1\n",
        "app/use.py": "from app.events import Event\nx = Event.Kind.opened, Event.Kind.closed\n",
    }
    assert [m for *_, m in found(tmp_path, files)] == ["closed"]


def test_names_shadowing_an_enum_are_not_the_enum(tmp_path: Path) -> None:
    use = (
        "from app.models import Status\n\n"
        "def f(Status):\n    return Status.anything\n\n"
        "def g(rows):\n    Status = rows[0]\n    return Status.whatever\n\n"
        "h = [Status.x for Status in []]\n"
        "k = lambda Status: Status.y\n"
        "class C:\n    Status = None\n    z = Status.q\n"
        "    def m(self):\n        return Status.bad\n"
    )
    assert found(tmp_path, pkg(**{"app/use.py": use})) == [("app/use.py", 16, 23, "bad")]


def test_module_that_rebinds_the_enum_name_is_not_resolved(tmp_path: Path) -> None:
    use = "from app.models import Status\nStatus = make_status()\nx = Status.anything\n"
    assert found(tmp_path, pkg(**{"app/use.py": use})) == []


def test_attribute_assignment_target_is_not_a_reference(tmp_path: Path) -> None:
    use = "from app.models import Status\nStatus.extra = 1\nd = {}\nd[Status.nope] = 2\n"
    assert found(tmp_path, pkg(**{"app/use.py": use})) == [("app/use.py", 4, 10, "nope")]


def test_chain_text_in_strings_and_comments_does_not_shift_locations(tmp_path: Path) -> None:
    use = "from app.models import Status\n'''Status.nope is mentioned here.'''\n# Status.nope too\nx = Status.nope\n"
    assert found(tmp_path, pkg(**{"app/use.py": use})) == [("app/use.py", 4, 12, "nope")]


def test_unresolvable_names_report_nothing(tmp_path: Path) -> None:
    use = "from somewhere_else import Status\nimport importlib\nx = Status.nope\ny = importlib.import_module('app.models').Status.nope\n"
    assert found(tmp_path, pkg(**{"app/use.py": use})) == []


def test_enum_with_unreadable_base_is_not_checked_for_attributes(tmp_path: Path) -> None:
    files = {
        "m.py": "import enum\nfrom lib import Mixin\nclass A(Mixin, enum.Enum):\n    x = 1\n\nv = A.helper, A.x\n",
    }
    assert found(tmp_path, files) == []


def test_functional_enum_references_are_checked_and_open_ones_are_not(tmp_path: Path) -> None:
    files = {
        "m.py": "import enum\nA = enum.Enum('A', 'x y')\nB = enum.Enum('B', names())\nv = A.x, A.z, B.anything, A('q')\n"
    }
    assert [(f.rule, f.member or f.value) for f in findings(tmp_path, files)] == [
        ("unknown-member", "z"),
        ("unknown-value", "q"),
    ]


def test_unknown_member_hint_prefers_the_case_insensitive_match(tmp_path: Path) -> None:
    (f,) = findings(tmp_path, pkg(**{"app/use.py": "from app.models import Status\nx = Status.DONE\n"}))
    assert (f.message, f.help, f.suggestion) == (
        "`Status.DONE` is not a member of `Status`",
        "did you mean `done`?",
        "done",
    )
    assert (f.enum, f.member) == ("app.models.Status", "DONE")
    assert f.related[0].location.path == "app/models.py" and f.related[0].location.line == 4


def test_unknown_member_hint_without_certain_fix_has_no_suggestion(tmp_path: Path) -> None:
    (f,) = findings(tmp_path, pkg(**{"app/use.py": "from app.models import Status\nx = Status.pendin\n"}))
    assert (f.help, f.suggestion) == ("did you mean `pending`?", None)


def test_unknown_value_skips_computed_values_and_missing_hook(tmp_path: Path) -> None:
    files = {
        "m.py": "import enum\nclass A(enum.Enum):\n    x = compute()\n"
        "class B(enum.Enum):\n    y = 1\n    @classmethod\n    def _missing_(cls, v):\n        return cls.y\n"
        "v = A('q'), B(7)\n"
    }
    assert findings(tmp_path, files) == ()


def test_many_files_scanned_in_parallel_give_the_same_findings_as_one_process(tmp_path: Path) -> None:
    files = pkg()
    for i in range(60):
        files[f"app/m{i}.py"] = f"from app.models import Status\nx{i} = Status.done, Status.gone{i % 3}\n"
    one = findings(tmp_path, files, jobs=1)
    two = findings(tmp_path, files, jobs=2)
    assert one == two and len(one) == 60


def test_class_attributes_of_a_project_mixin_are_not_members_and_not_errors(tmp_path: Path) -> None:
    files = {
        "m.py": "import enum\nclass LabelMixin:\n    labels = {}\n    def label(self):\n        return self.labels[self]\n\n"
        "class A(LabelMixin, enum.Enum):\n    x = 1\n\nv = A.labels, A.label, A.y\n",
    }
    assert [m for *_, m in found(tmp_path, files)] == ["y"]


def test_namespace_packages_without_init_resolve_by_unique_module_path(tmp_path: Path) -> None:
    files = {
        "server/app/models.py": STATUS,
        "server/app/use.py": "from app.models import Status\nx = Status.nope\n",
    }
    assert found(tmp_path, files) == [("server/app/use.py", 2, 12, "nope")]


def test_two_files_claiming_one_module_name_resolve_to_nothing(tmp_path: Path) -> None:
    files = {
        "one/app/models.py": STATUS,
        "two/app/models.py": STATUS,
        "one/app/use.py": "from app.models import Status\nx = Status.nope\n",
    }
    assert found(tmp_path, files) == []


def test_resolve_dotted_names_an_enum_as_written_in_a_file(tmp_path: Path) -> None:
    from enumguard import collect, python
    from enumguard.config import Config

    write_repo(tmp_path, pkg(**{"app/use.py": "from app import models as m\nfrom app.models import Status as S\n"}), {})
    cfg = Config(root=tmp_path, cache=False)
    resolver = python.resolver_for(collect.collect(cfg), cfg)
    assert resolver.resolve_dotted("app/use.py", "m.Status") == "app.models.Status"
    assert resolver.resolve_dotted("app/use.py", "S") == "app.models.Status"
    assert resolver.resolve_dotted("app/use.py", "Status") is None


def test_unknown_member_far_from_every_member_gets_no_guess(tmp_path: Path) -> None:
    (f,) = findings(tmp_path, pkg(**{"app/use.py": "from app.models import Status\nx = Status.Error\n"}))
    assert (f.help, f.suggestion) == ("`Status` defines `pending`, `done`", None)


def test_unknown_member_differing_only_by_separators_is_a_certain_fix(tmp_path: Path) -> None:
    files = {"m.py": "import enum\nclass S(enum.Enum):\n    in_progress = 1\n    done = 2\nx = S.InProgress\n"}
    (f,) = findings(tmp_path, files)
    assert (f.help, f.suggestion) == ("did you mean `in_progress`?", "in_progress")


def test_unknown_value_suggests_only_a_close_value(tmp_path: Path) -> None:
    files = {
        "m.py": "import enum\nclass S(enum.Enum):\n    a = 'Not a Fit'\n    b = 'pending'\nx = S('not_a_fit')\ny = S('Error')\n"
    }
    got = [(f.value, f.help) for f in findings(tmp_path, files)]
    assert got == [("not_a_fit", "did you mean `'Not a Fit'`?"), ("Error", "`S` accepts `'Not a Fit'`, `'pending'`")]


def test_class_attributes_declared_or_set_after_the_class_are_not_unknown_members(tmp_path: Path) -> None:
    enums = (
        "from typing import ClassVar\nimport enum\n\n\nclass Permission(str, enum.Enum):\n"
        "    READ = 'read'\n    WRITE = 'write'\n\n    IMPLIED: ClassVar[frozenset]\n\n\n"
        "Permission.IMPLIED = frozenset({Permission.READ})\nPermission.DEFAULTS = frozenset()\n"
    )
    use = "from app.perms import Permission\n\nx = Permission.IMPLIED | Permission.DEFAULTS\ny = Permission.OWNER\n"
    got = found(tmp_path, pkg(**{"app/perms.py": enums, "app/use.py": use}))
    assert got == [("app/use.py", 4, 16, "OWNER")]


def test_an_attribute_a_test_sets_on_the_enum_class_is_known_there_and_elsewhere(tmp_path: Path) -> None:
    test = (
        "from app.models import Status\n\n\ndef test_unknown():\n"
        "    Status.RANDOM = 'random'\n    assert Status.RANDOM not in Status.__members__\n"
    )
    use = "from app import models\n\nx = models.Status.RANDOM\ny = models.Status.Pending\n"
    got = found(tmp_path, pkg(**{"tests/test_status.py": test, "app/use.py": use}))
    assert got == [("app/use.py", 4, 19, "Pending")]
