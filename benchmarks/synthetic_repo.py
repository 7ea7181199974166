"""N and a seed in, a synthetic SQLAlchemy-style repository on disk out.

The mix follows real Alembic/SQLAlchemy projects: about 6% of files define enums (models with
sa.Enum columns), most lines sit in service/API modules that import and use those enums
(attribute, subscript and call forms, some misspelled), and the rest are utilities that mention
no enum at all. Files vary in size; the code uses the constructs real code uses (comprehensions,
f-strings, decorators, nested functions, type hints, docstrings).
"""

from __future__ import annotations

import random
from pathlib import Path

WORDS = ["pending", "queued", "active", "done", "failed", "archived", "draft", "review", "open", "closed"]


def _enum_module(rng: random.Random, index: int) -> tuple[str, list[tuple[str, list[str]]]]:
    enums = []
    lines = [
        '"""Models, generated."""',
        "",
        "import enum",
        "",
        "import sqlalchemy as sa",
        "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column",
        "",
        "",
        "class Base(DeclarativeBase):",
        "    pass",
        "",
    ]
    for k in range(rng.randint(2, 4)):
        name = f"Status{index}x{k}"
        members = rng.sample(WORDS, rng.randint(3, 7))
        enums.append((name, members))
        lines += ["", f"class {name}(str, enum.Enum):", f'    """Status {k}."""', ""]
        lines += [f'    {m} = "{m}"' for m in members]
        lines += [
            "",
            "    @property",
            "    def is_final(self) -> bool:",
            f"        return self in ({name}.{members[0]},)",
            "",
        ]
        lines += [
            "",
            f"class Job{index}x{k}(Base):",
            f'    __tablename__ = "job_{index}_{k}"',
            "    id: Mapped[int] = mapped_column(primary_key=True)",
            f'    status: Mapped[{name}] = mapped_column(sa.Enum({name}, name="status_{index}_{k}"))',
            "",
        ]
        lines += _filler(rng, rng.randint(3, 12), f"m{index}_{k}")
    return "\n".join(lines) + "\n", enums


def _filler(rng: random.Random, functions: int, tag: str, uses: list[str] | None = None) -> list[str]:
    out: list[str] = []
    for i in range(functions):
        name = f"f_{tag}_{i}"
        body = [
            "",
            "",
            f"def {name}(items: list[dict], limit: int = 10, *, verbose: bool = False) -> dict[str, int]:",
            f'    """Compute things for {tag} {i}."""',
            "    result: dict[str, int] = {}",
            "    for n, item in enumerate(items[:limit]):",
            "        key = f\"{item.get('name', 'x')}-{n}\"",
            "        if verbose and n % 3 == 0:",
            "            result[key] = sum(v for v in item.values() if isinstance(v, int))",
            "        elif key not in result:",
            "            result[key] = len([c for c in key if c.isalpha()])",
        ]
        if uses:
            use = rng.choice(uses)
            body += [f"        if item.get('status') == {use}:", "            result[key] += 1"]
        body += [
            "    total = sum(result.values()) if result else 0",
            "    return {k: v * 2 for k, v in result.items() if v < total}",
        ]
        out += body
    return out


def generate(root: Path, files: int = 2000, seed: int = 7) -> dict[str, int]:
    """Write the repository; returns counts (files, lines, enum files, lines in files naming enums)."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    (root / "app").mkdir(exist_ok=True)
    (root / "app/__init__.py").write_text("")
    n_models = max(1, files * 6 // 100)
    all_enums: list[tuple[str, str, list[str]]] = []
    lines = enum_lines = 0
    for i in range(n_models):
        text, enums = _enum_module(rng, i)
        (root / f"app/models_{i}.py").write_text(text)
        all_enums += [(f"app.models_{i}", name, members) for name, members in enums]
        lines += text.count("\n")
        enum_lines += text.count("\n")
    for i in range(files - n_models - 1):
        folder = root / "app" / f"pkg{i % 20}"
        if not folder.exists():
            folder.mkdir()
            (folder / "__init__.py").write_text("")
        if rng.random() < 0.72:
            picked = rng.sample(all_enums, rng.randint(1, 3))
            header = [f"from {module} import {name}" for module, name, _ in picked]
            uses = []
            for _, name, members in picked:
                uses += [f"{name}.{m}" for m in members]
                uses.append(f'{name}["{members[0]}"]')
                uses.append(f'{name}("{members[-1]}")')
                if rng.random() < 0.05:
                    uses.append(f"{name}.{members[0].title()}")  # a misspelling to report
            body = header + _filler(rng, rng.randint(4, 22), f"s{i}", uses)
            mentions = True
        else:
            body = ["import os", "import json"] + _filler(rng, rng.randint(4, 22), f"u{i}")
            mentions = False
        text = '"""Generated module."""\n\n' + "\n".join(body) + "\n"
        (folder / f"mod_{i}.py").write_text(text)
        lines += text.count("\n")
        enum_lines += text.count("\n") if mentions else 0
    return {"files": files, "lines": lines, "enum_files": n_models, "lines_naming_enums": enum_lines}
