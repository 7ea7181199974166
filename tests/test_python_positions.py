"""Locations found from the text (the fast path) equal libcst's PositionProvider, or the text
path declines and the tree decides."""

from __future__ import annotations

import importlib
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from enumguard.python.names import candidate_names, words
from enumguard.python.reference_chains import Walker

extract_mod = importlib.import_module("enumguard.python.scan_file")
ROOT = Path(__file__).resolve().parent.parent

SOURCES = {
    "tabs_and_nesting": "import enum\nclass Outer:\n\tclass Kind(enum.Enum):\n\t\ta = 1\n\t\tb: int = 2\n\nx = (Outer.Kind.a,\n     Outer .Kind. b)\n",
    "decorated_and_forms": "from enum import Enum\n\n@dec\nclass Status(Enum):\n    done = 'd'\n    ok = 'o'\n\n"
    "def f():\n    return Status['done'], Status(\"d\"), getattr(Status, 'ok'), Status.done.value\n",
    "quoted_chain": "from m import Status\n'''Status.done in a docstring'''\nx = Status.done\n",
    "functional": "import enum\nColor = enum.Enum('Color', 'red green')\ny = Color.red\n",
}


def positions(text: str):
    names = candidate_names([text]) | {"Status"}
    module = cst.parse_module(text)
    walker = Walker(set(words(text) & names))
    walker.module(module)
    tree = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)

    def exact(node):
        return (tree[node].start.line, tree[node].start.column + 1)

    refs = extract_mod._text_positions(walker.refs, text, "x.py")
    defs = extract_mod._text_definitions(walker, module, text, "x.py", set(names)) if refs is not None else None
    return walker, exact, refs, defs


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_text_locations_equal_position_provider(name: str) -> None:
    walker, exact, refs, defs = positions(SOURCES[name])
    if name == "quoted_chain":
        assert refs is None  # the docstring mention makes text and tree disagree: the tree decides
        return
    assert refs is not None and defs is not None
    for ref, where in zip(walker.refs, refs):
        assert [(w.line, w.column) for w in where] == [exact(n) for n in ref.nodes]
    for _, node in walker.classes:
        assert (defs[id(node.name)].line, defs[id(node.name)].column) == exact(node.name)
    for _, _, target in walker.functional:
        assert (defs[id(target)].line, defs[id(target)].column) == exact(target)


def test_member_locations_from_text_equal_position_provider() -> None:
    text = SOURCES["tabs_and_nesting"]
    walker, exact, refs, defs = positions(text)
    kind = next(node for qual, node in walker.classes if qual == "Outer.Kind")
    targets = [
        s.body[0].targets[0].target if isinstance(s.body[0], cst.Assign) else s.body[0].target for s in kind.body.body
    ]
    assert [(defs[id(t)].line, defs[id(t)].column) for t in targets] == [exact(t) for t in targets] == [(4, 3), (5, 3)]


def test_fixture_repos_locate_like_position_provider() -> None:
    checked = 0
    for path in sorted((ROOT / "tests/fixtures/repos").rglob("*.py")):
        try:
            walker, exact, refs, defs = positions(path.read_text())
        except cst.ParserSyntaxError:  # a fixture of a file that does not parse (701's broken.py)
            continue
        if refs is None or defs is None:
            continue
        for ref, where in zip(walker.refs, refs):
            assert [(w.line, w.column) for w in where] == [exact(n) for n in ref.nodes], path
            checked += 1
    assert checked >= 5
