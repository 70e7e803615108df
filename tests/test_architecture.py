"""The package's shape: layers that import only downwards, no import cycle, no developer
tool inside the runtime package (README "Architecture").

Every import counts, also those inside functions: a lazy import that breaks a cycle
at run time is still a cycle in the design.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "pipeline"

# Lowest first; a module may import its own layer and those before it.
LAYERS = (
    "pipeline.core",
    "pipeline.config",
    "pipeline.stages.extract",
    "pipeline.stages.segment",
    "pipeline.stages.analyze",
    "pipeline.stages.classify",
    "pipeline.stages",
    "pipeline.output",
    "pipeline.runner",
    "pipeline.views",
    "pipeline.evaluation",
    "pipeline.cli",
    "pipeline",
)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _layer(module: str) -> int:
    """The layer of the longest prefix: pipeline.stages.segment.items → pipeline.stages.segment."""
    within = [layer for layer in LAYERS if module == layer or module.startswith(layer + ".")]
    return LAYERS.index(max(within, key=len))


def _imports(module: str) -> set[str]:
    """The modules this one imports (pipeline's own and others), at any depth of the file."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            found.add(base)
            # `from pipeline.views import figures`: the submodule is what is imported
            found.update(f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in MODULES)
    return found


GRAPH = {m: {i for i in _imports(m) if i in MODULES and i != m} for m in MODULES}


def test_layers_import_only_downwards():
    wrong = [
        f"{m} ({LAYERS[_layer(m)]}) imports {i} ({LAYERS[_layer(i)]})"
        for m, targets in sorted(GRAPH.items())
        for i in sorted(targets)
        if _layer(i) > _layer(m) and m != "pipeline"
    ]
    assert not wrong, "\n".join(wrong)


def test_no_import_cycle():
    # Tarjan's strongly connected components: any component of two or more is a cycle.
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in GRAPH[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(GRAPH):
        if module not in index:
            visit(module)
    assert not cycles, cycles


def test_runtime_package_has_no_developer_tools():
    """The benchmark and the corpus generator live outside pipeline/ and are never imported
    by it: an installed pipeline needs neither."""
    leaks = sorted(
        f"{m} imports {i}"
        for m in MODULES
        for i in _imports(m)
        if i.split(".")[0] in ("tools", "corpora", "tests")
    )
    assert not leaks, leaks
    assert not (PACKAGE / "bench.py").exists() and (ROOT / "tools" / "bench" / "bench.py").is_file()


def test_the_checks_see_a_cycle_and_an_upward_import(tmp_path):
    """The graph reader finds what the tests above forbid (so they can fail)."""
    assert "pipeline.stages.pipeline" in GRAPH["pipeline.runner.batch"]
    assert _layer("pipeline.runner.batch") > _layer("pipeline.stages.pipeline")
    assert "pipeline.views.figures" in GRAPH["pipeline.views.report"]  # from … import module
