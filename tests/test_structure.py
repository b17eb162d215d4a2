"""The layout holds: no import circle among the project's modules, nothing imports from pages/ (page
scripts only), the engine never imports Streamlit, and `python -m analytics` only calls analytics/cli.py."""
import ast
import graphlib
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
SOURCES = [path for folder in ("analytics", "dashboard", "pages", "bench") for path in (PROJECT / folder).rglob("*.py")]
SOURCES.append(PROJECT / "app.py")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PROJECT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in SOURCES}


def imported_modules(name: str) -> set[str]:
    """The project modules `name` imports: `from a.b import c` is a.b.c when that is a module, else a.b."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package.split(".")[:len(package.split(".")) - node.level + 1], base]).strip(".")
            found |= {f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names}
    return {module for module in found if module in MODULES and module != name}


GRAPH = {name: imported_modules(name) for name in MODULES}


def test_no_import_circle():
    graphlib.TopologicalSorter(GRAPH).prepare()   # raises CycleError naming the circle


def test_nothing_imports_from_pages():
    assert [name for name, imported in GRAPH.items() if any(m.startswith("pages") for m in imported)] == []


def test_the_engine_never_imports_streamlit():
    for name, path in MODULES.items():
        if name.startswith("analytics"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            names = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
            names += [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
            assert not any(n.split(".")[0] == "streamlit" for n in names), name


def test_python_m_analytics_only_calls_the_command_line_module():
    assert GRAPH["analytics.__main__"] == {"analytics.cli"}
    assert len((PROJECT / "analytics" / "__main__.py").read_text(encoding="utf-8").splitlines()) < 40
