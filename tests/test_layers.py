"""The import structure: no module imports itself back through others, and layers point down (the layer
contract itself is `lint-imports`, configured in pyproject.toml and run by `make lint`)."""

from __future__ import annotations

import grimp
import pytest


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """One cycle per strongly connected group of modules (iterative DFS, imports inside functions included)."""
    modules = sorted(m for m in graph.modules if m.startswith("unspin"))
    edges = {m: sorted(graph.find_modules_directly_imported_by(m) & set(modules)) for m in modules}
    state: dict[str, int] = {}
    found: list[list[str]] = []
    for root in modules:
        if root in state:
            continue
        stack: list[tuple[str, int]] = [(root, 0)]
        path: list[str] = [root]
        state[root] = 1
        while stack:
            node, i = stack[-1]
            if i < len(edges[node]):
                stack[-1] = (node, i + 1)
                nxt = edges[node][i]
                if state.get(nxt) == 1:
                    found.append([*path[path.index(nxt) :], nxt])
                elif nxt not in state:
                    state[nxt] = 1
                    stack.append((nxt, 0))
                    path.append(nxt)
            else:
                state[node] = 2
                stack.pop()
                path.pop()
    return found


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("unspin")


def test_no_import_loops(graph: grimp.ImportGraph) -> None:
    assert _cycles(graph) == []


def test_cycle_finder_finds_a_loop() -> None:
    g = grimp.ImportGraph()
    for m in ("unspin.a", "unspin.b", "unspin.c"):
        g.add_module(m)
    g.add_import(importer="unspin.a", imported="unspin.b")
    g.add_import(importer="unspin.b", imported="unspin.c")
    g.add_import(importer="unspin.c", imported="unspin.a")
    assert _cycles(g) == [["unspin.a", "unspin.b", "unspin.c", "unspin.a"]]


def test_models_and_kb_import_nothing_above_them(graph: grimp.ImportGraph) -> None:
    for low in ("unspin.models", "unspin.kb", "unspin.nlp"):
        for high in ("unspin.analyzers", "unspin.pipeline", "unspin.train", "unspin.eval", "unspin.cli"):
            assert not graph.chain_exists(importer=low, imported=high, as_packages=True), (low, high)
