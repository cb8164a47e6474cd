"""Serial total, parallel total and critical path on small hand-checked DAGs, plus DAG properties."""

from __future__ import annotations

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from approval_model.graph import analyse, critical_path, parallel_total_days, process_graph, serial_total_days
from approval_model.models import Process


def make_process(
    limits: dict[str, float], edges: list[tuple[str, str]], stages: dict[str, str] | None = None, **simulation
) -> Process:
    stages = stages or {}
    prerequisites: dict[str, list[str]] = {name: [] for name in limits}
    for before, after in edges:
        prerequisites[after].append(before)
    return Process.model_validate(
        {
            "name": "hand",
            "departments": [{"id": "d", "name": "部门"}],
            "stages": [{"id": "S1", "name": "一"}, {"id": "S2", "name": "二"}],
            "items": [
                {
                    "id": name,
                    "name": name,
                    "department": "d",
                    "stage": stages.get(name, "S1"),
                    "statutory_limit_days": days,
                    "prerequisites": prerequisites[name],
                }
                for name, days in limits.items()
            ],
            "simulation": simulation,
        }
    )


def test_diamond():
    # A(20) -> B(10) -> D(5); A -> C(15) -> D: longest A-C-D = 40, serial = 50
    process = make_process(
        {"A": 20, "B": 10, "C": 15, "D": 5}, [("A", "B"), ("A", "C"), ("B", "D"), ("C", "D")]
    )
    result = analyse(process)
    assert result.serial_days == 50
    assert result.parallel_days == 40
    assert result.critical_path == ("A", "C", "D")
    assert result.reduction == pytest.approx(0.2)


def test_node_weights_not_edge_weights():
    # one heavy item alone beats a chain of light ones: an edge-weighted longest path would pick the chain
    process = make_process({"heavy": 60, "a": 10, "b": 10, "c": 10}, [("a", "b"), ("b", "c")])
    assert parallel_total_days(process) == 60
    assert critical_path(process) == ["heavy"]


def test_independent_items_take_the_longest():
    process = make_process({"x": 7, "y": 3, "z": 12}, [])
    assert serial_total_days(process) == 22
    assert parallel_total_days(process) == 12


def test_overheads_serial_handover_and_stage_coordination():
    process = make_process(
        {"A": 10, "B": 10, "C": 5},
        [("A", "B"), ("B", "C")],
        stages={"C": "S2"},
        serial_handover_days=2,
        stage_coordination_days=1,
    )
    assert serial_total_days(process) == 25 + 2 * 2
    # coordination on entering S1 and again on changing to S2
    assert parallel_total_days(process) == 25 + 1 + 1


def test_promised_limits_fall_back_to_statutory():
    process = make_process({"A": 20, "B": 10}, [("A", "B")])
    process = process.replace(
        items=(process.items[0].model_copy(update={"promised_limit_days": 5}), process.items[1])
    )
    assert analyse(process, "promised").parallel_days == 15
    assert analyse(process, "statutory").parallel_days == 30


def test_empty_process():
    process = make_process({}, [])
    assert analyse(process).parallel_days == 0 and analyse(process).critical_path == ()


def test_graph_nodes_carry_limits():
    graph = process_graph(make_process({"A": 20, "B": 10}, [("A", "B")]))
    assert graph.nodes["A"]["days"] == 20 and list(graph.edges) == [("A", "B")]


@st.composite
def random_dags(draw):
    count = draw(st.integers(min_value=1, max_value=12))
    names = [f"I{i:02d}" for i in range(count)]
    limits = {name: draw(st.integers(min_value=1, max_value=60)) for name in names}
    edges = [(names[i], names[j]) for j in range(count) for i in range(j) if draw(st.booleans())]
    return limits, edges


@settings(max_examples=60, deadline=None)
@given(random_dags())
def test_parallel_never_exceeds_serial_and_matches_networkx(dag):
    limits, edges = dag
    process = make_process(limits, edges)
    result = analyse(process)
    assert result.parallel_days <= result.serial_days
    # cross-check against networkx by splitting each item into an in/out node pair (edge weight = limit)
    graph = nx.DiGraph()
    for name, days in limits.items():
        graph.add_edge(f"{name}:in", f"{name}:out", weight=days)
    for before, after in edges:
        graph.add_edge(f"{before}:out", f"{after}:in", weight=0)
    assert result.parallel_days == nx.dag_longest_path_length(graph, weight="weight")
    # the critical path is a real chain of prerequisites and its limits add up to the total
    path = result.critical_path
    assert all((a, b) in set(edges) for a, b in zip(path, path[1:], strict=False))
    assert sum(limits[name] for name in path) == result.parallel_days


@settings(max_examples=60, deadline=None)
@given(random_dags(), st.data())
def test_adding_an_edge_never_shortens_the_longest_path(dag, data):
    limits, edges = dag
    names = list(limits)
    if len(names) < 2:
        return
    i = data.draw(st.integers(0, len(names) - 2))
    j = data.draw(st.integers(i + 1, len(names) - 1))
    before = parallel_total_days(make_process(limits, edges))
    after = parallel_total_days(make_process(limits, [*edges, (names[i], names[j])]))
    assert after >= before


@settings(max_examples=60, deadline=None)
@given(random_dags())
def test_topological_order_matches_networkx_lexicographic(dag):
    from approval_model.graph import topological_order

    limits, edges = dag
    process = make_process(limits, edges)
    assert topological_order(process) == list(nx.lexicographical_topological_sort(process_graph(process)))
