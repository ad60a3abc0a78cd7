"""The import graphs of the Python package and of the Rust crate are acyclic.

Python: module-level imports of ``python/ferrosa`` (read with ``ast``; imports
inside functions are deferred and do not count). Rust: ``use crate::...``,
``super::...`` and ``crate::...`` paths between the module files of ``rust/``
(inline ``#[cfg(test)] mod tests`` blocks excluded: tests may call a
module's parent driver). Also: no private name (``_x``) is imported from
another package of ferrosa.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PY_ROOT = ROOT / "python" / "ferrosa"
RUST_ROOT = ROOT / "rust"


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a list of nodes, or None when acyclic."""
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


# --- Python -----------------------------------------------------------------


def _py_modules(root: Path) -> dict[str, Path]:
    mods = {}
    # The extension module `_core` is known by its stub.
    for path in [*root.rglob("*.py"), *root.rglob("*.pyi")]:
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        mods[".".join(parts)] = path
    return mods


def _is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def _resolve_from(module: str, path: Path, node: ast.ImportFrom) -> str:
    """The absolute module an ``ImportFrom`` reads from."""
    if node.level == 0:
        return node.module or ""
    base = module.split(".")
    if not _is_package(path):
        base = base[:-1]
    if node.level > 1:
        base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(tree: ast.Module, module_level: bool):
    """Import nodes of ``tree``: module level only (not in functions or
    classes), or everywhere."""
    if not module_level:
        yield from (n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom)))
        return
    todo: list[ast.AST] = list(tree.body)
    while todo:
        n = todo.pop()
        if isinstance(n, (ast.Import, ast.ImportFrom)):
            yield n
        elif isinstance(n, (ast.If, ast.Try)):
            # `if TYPE_CHECKING:` imports never run, so they make no cycle.
            if isinstance(n, ast.If) and "TYPE_CHECKING" in ast.unparse(n.test):
                todo.extend(n.orelse)
                continue
            for field in ("body", "orelse", "finalbody", "handlers"):
                todo.extend(getattr(n, field, []))
        elif isinstance(n, ast.ExceptHandler):
            todo.extend(n.body)


def python_graph(root: Path = PY_ROOT) -> dict[str, set[str]]:
    """Module-level import edges between the modules under ``root``."""
    mods = _py_modules(root)
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for module, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in _imports(tree, module_level=True):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                src = _resolve_from(module, path, node)
                targets = [
                    f"{src}.{a.name}" if f"{src}.{a.name}" in mods else src for a in node.names
                ]
            for t in targets:
                # `import a.b.c` runs a, a.b and a.b.c: the deepest known one.
                while t and t not in mods:
                    t = t.rpartition(".")[0]
                if t and t != module:
                    graph[module].add(t)
    return graph


def _package_of(module: str, path: Path) -> str:
    return module if _is_package(path) else module.rpartition(".")[0]


def private_imports(root: Path = PY_ROOT) -> list[str]:
    """``from ferrosa.x import _name`` across packages, anywhere in a module.

    ``ferrosa._core`` is exempt: the extension module is the Rust layer's
    one entry point, which every package calls.
    """
    mods = _py_modules(root)
    bad = []
    for module, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in _imports(tree, module_level=False):
            if not isinstance(node, ast.ImportFrom):
                continue
            src = _resolve_from(module, path, node)
            if not src.startswith("ferrosa"):
                continue
            for a in node.names:
                name = a.name
                if not name.startswith("_") or name.startswith("__"):
                    continue
                if f"{src}.{name}" == "ferrosa._core":
                    continue
                target = src
                if f"{src}.{name}" in mods:  # a private submodule
                    target = f"{src}.{name}"
                tpath = mods.get(target)
                tpkg = _package_of(target, tpath) if tpath else target.rpartition(".")[0]
                if target == f"{src}.{name}":
                    tpkg = src
                if tpkg != _package_of(module, path):
                    bad.append(f"{module}: from {src} import {name}")
    return bad


# --- Rust -------------------------------------------------------------------

_USE = re.compile(r"\buse\s+((?:crate|super|self)::[^;]*);", re.S)
_PATH = re.compile(r"(?<![\w:])(?:\$?crate|super)(?:::\w+)+")


def _rust_modules(root: Path) -> dict[str, Path]:
    mods = {}
    for path in root.rglob("*.rs"):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] in ("mod", "lib"):
            parts = parts[:-1]
        mods["::".join(["crate", *parts])] = path
    return mods


def _expand(tree: str) -> list[str]:
    """``a::{b, c::{d, e}}`` → ``[a::b, a::c::d, a::c::e]``."""
    tree = re.sub(r"\s+", "", tree)
    if "{" not in tree:
        return [tree]
    head, _, rest = tree.partition("{")
    body = rest[: rest.rindex("}")]
    parts, depth, cur = [], 0, ""
    for ch in body:
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        depth += ch == "{"
        depth -= ch == "}"
        cur += ch
    parts.append(cur)
    out = []
    for p in parts:
        if p:
            out += [head + q for q in _expand(p)]
    return out


def _strip_rust(text: str) -> str:
    """Code without comments and without inline test modules."""
    text = re.sub(r"//[^\n]*", "", text)
    m = re.search(r"#\[cfg\(test\)\]\s*(pub(\(crate\))?\s+)?mod\s+\w+\s*\{", text)
    return text[: m.start()] if m else text


def rust_graph(root: Path = RUST_ROOT) -> dict[str, set[str]]:
    """Edges between Rust module files from the paths each one names."""
    mods = _rust_modules(root)
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for module, path in mods.items():
        own = module.split("::")
        # `super` of a `mod.rs`/`x.rs` module is its parent module.
        parent = own[:-1]
        code = _strip_rust(path.read_text(encoding="utf-8"))
        paths = [p for u in _USE.findall(code) for p in _expand(u)]
        paths += _PATH.findall(code)
        for p in paths:
            segs = p.lstrip("$").split("::")
            if segs[0] == "super":
                segs = parent + segs[1:]
            elif segs[0] == "self":
                segs = own + segs[1:]
            while segs and "::".join(segs) not in mods:
                segs = segs[:-1]
            t = "::".join(segs)
            # A module naming its own ancestors' items through `crate::` is
            # an edge like any other; naming itself is not.
            if t and t != module and t != "crate":
                graph[module].add(t)
    return graph


# --- tests ------------------------------------------------------------------


def test_find_cycle_sees_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_python_import_graph_is_acyclic():
    graph = python_graph()
    assert "ferrosa.filters" in graph and graph["ferrosa"]
    cycle = find_cycle(graph)
    assert cycle is None, "Python import cycle: " + " -> ".join(cycle or [])


def test_python_graph_sees_a_planted_cycle(tmp_path):
    pkg = tmp_path / "ferrosa"
    (pkg / "core").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "filters.py").write_text("from .core.constantq import f\n")
    (pkg / "core" / "__init__.py").write_text("")
    (pkg / "core" / "constantq.py").write_text(
        "from .. import filters\n\ndef f():\n    from ..io import _late\n"
    )
    (pkg / "io.py").write_text("")
    assert find_cycle(python_graph(pkg)) is not None
    assert private_imports(pkg) == ["ferrosa.core.constantq: from ferrosa.io import _late"]


def test_no_private_imports_across_packages():
    assert private_imports() == []


def test_rust_module_graph_is_acyclic():
    graph = rust_graph()
    assert "crate::dsp::spectrum::stft" in graph
    assert "crate::dsp::num::float" in graph["crate::dsp::spectrum::fft"]
    cycle = find_cycle(graph)
    assert cycle is None, "Rust module cycle: " + " -> ".join(cycle or [])


def test_rust_graph_sees_a_planted_cycle(tmp_path):
    (tmp_path / "dsp" / "spectrum").mkdir(parents=True)
    (tmp_path / "lib.rs").write_text("pub mod dsp;\n")
    (tmp_path / "dsp" / "mod.rs").write_text("pub mod spectrum;\n")
    (tmp_path / "dsp" / "spectrum" / "mod.rs").write_text("pub mod fft;\npub mod rfft;\n")
    (tmp_path / "dsp" / "spectrum" / "fft.rs").write_text(
        "use crate::dsp::spectrum::{rfft::Split, window};\n"
    )
    (tmp_path / "dsp" / "spectrum" / "rfft.rs").write_text(
        "// use crate::dsp::spectrum::fft;\nfn f() { super::fft::plan(); }\n"
        "#[cfg(test)]\nmod tests {\n    use crate::dsp::spectrum::fft;\n}\n"
    )
    graph = rust_graph(tmp_path)
    fft_uses = graph["crate::dsp::spectrum::fft"]
    assert fft_uses == {"crate::dsp::spectrum::rfft", "crate::dsp::spectrum"}
    assert find_cycle(graph) == [
        "crate::dsp::spectrum::fft",
        "crate::dsp::spectrum::rfft",
        "crate::dsp::spectrum::fft",
    ]


@pytest.mark.parametrize(
    "tree,expected",
    [
        ("a::b", ["a::b"]),
        ("a::{b, c::{d, e}}", ["a::b", "a::c::d", "a::c::e"]),
        ("a::{self, b}", ["a::self", "a::b"]),
    ],
)
def test_expand_use_trees(tree, expected):
    assert _expand(tree) == expected
