"""The package layout stays true: no import circles (deferred imports included), no module over 600 lines,
and every package and module has a test file that maps to it."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("assistant", "ui")
MAX_LINES = 600


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Every project module that `name` imports anywhere in its body (functions included)."""
    is_pkg = path.name == "__init__.py"
    base = name.split(".") if is_pkg else name.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                mod = ".".join(base[: len(base) - node.level + 1] + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            targets = [mod] + [f"{mod}.{a.name}" for a in node.names]
        else:
            continue
        for t in targets:
            # importing a.b.c runs a/__init__ and a/b/__init__ too
            parts = t.split(".")
            for i in range(1, len(parts) + 1):
                cand = ".".join(parts[:i])
                if cand in known and cand != name:
                    found.add(cand)
    return found


def import_graph() -> dict[str, set[str]]:
    mods = _modules()
    return {n: _imports(n, p, set(mods)) for n, p in mods.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import circle as a list of modules, or [] when there is none."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> list[str]:
        state[n] = 1
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if state.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if m not in state and (found := visit(m)):
                return found
        stack.pop()
        state[n] = 2
        return []

    for n in sorted(graph):
        if n not in state and (found := visit(n)):
            return found
    return []


def test_no_import_circles():
    cycle = find_cycle(import_graph())
    assert not cycle, "import circle: " + " -> ".join(cycle)


def test_the_cycle_finder_finds_a_circle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) == []


def test_deferred_imports_count():
    src = "def f():\n    from assistant.core import Assistant\n"
    tmp = ROOT / "assistant" / "_layout_probe.py"
    try:
        tmp.write_text(src)
        assert "assistant.core" in _imports("assistant._layout_probe", tmp, set(_modules()))
    finally:
        tmp.unlink()


def test_no_module_over_the_limit():
    long = {n: len(p.read_text().splitlines()) for n, p in _modules().items()}
    assert not {n: c for n, c in long.items() if c > MAX_LINES}


def test_packages_have_no_imports_in_their_init():
    """Stage packages are folders, not facades: an import in __init__ would hide circles between stages."""
    for pkg in (ROOT / "assistant").iterdir():
        init = pkg / "__init__.py"
        if init.exists():
            tree = ast.parse(init.read_text())
            assert not [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))], init


def test_tests_mirror_the_packages():
    """Each stage package has a test folder of the same name."""
    for pkg in (ROOT / "assistant").iterdir():
        if (pkg / "__init__.py").exists():
            assert (ROOT / "tests" / pkg.name).is_dir(), f"tests/{pkg.name}/ is missing"
