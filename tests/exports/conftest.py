"""The stored runs every export test reads (issue 7): simulated, stored and read back with
``repository.get_run`` (no Prefect), built once for the whole package, and their exports written once."""

from __future__ import annotations

import warnings

import pytest

from exports import expand_formats, export_run
from flows import work
from flows.store import repository
from flows.store.database import get_engine
from flows.store.records import RunOutcome, RunStart, SensitivityFigure


@pytest.fixture(scope="package")
def store(tmp_path_factory):
    """A results database with a compare, a sensitivity, a simulate and a nightly run (ids in a dict)."""
    path = tmp_path_factory.mktemp("exports") / "runs.db"
    url = f"sqlite:///{path}"
    engine = get_engine(url)
    spec = work.PairSpec("luoyang-2017-before", "luoyang-2017-after", projects=300, replications=3, seed=1)
    comparison = work.assemble_comparison(spec, [work.run_pair_replications(spec, (0, 1, 2))])
    outcome = work.comparison_outcome(comparison, *spec.processes(), spec.catalogs())
    ids = {}

    def stored(kind: str, result: RunOutcome, **start) -> int:
        settings = {
            "scenario": spec.label,
            "mode": "parallel",
            "projects": 300,
            "seed": 1,
            "replications": 3,
            "target": 0.2,
        }
        run_id = repository.start_run(engine, RunStart(kind=kind, **{**settings, **start}))
        repository.complete_run(engine, run_id, result)
        return run_id

    ids["compare"] = stored("compare", outcome)
    ids["sensitivity"] = stored("sensitivity", outcome.model_copy(update={"sensitivity": sensitivity_rows()}))

    from simulations.runner import simulate

    process = spec.processes()[0]
    single = simulate(process, mode="serial", projects=200, replications=2, seed=3)
    ids["simulate"] = stored(
        "simulate",
        work.simulation_outcome(single, process),
        scenario="luoyang-2017-before",
        mode="serial",
        target=None,
    )
    parent = repository.start_run(
        engine, RunStart(kind="nightly", scenario="scenarios/", projects=300, replications=3)
    )
    child = stored("compare", outcome, parent_run_id=parent)
    repository.complete_run(engine, parent, RunOutcome(summaries=()))
    ids["nightly"], ids["nightly_child"] = parent, child
    runs = {name: repository.get_run(engine, run_id) for name, run_id in ids.items()}
    return url, runs


def sensitivity_rows() -> tuple[SensitivityFigure, ...]:
    rows = [
        ("huanbao 市环保局: 受理能力 3→2 (capacity)", "capacity", "huanbao", 0.67, 4.1, 3.2, 5.0, -0.031),
        ("I02 即办", "instant", "I02", None, -3.6, -4.0, -3.2, 0.028),
        ("I12 办理时间 +20%", "handling", "I12", 1.2, 2.2, 1.9, 2.5, -0.017),
        ("补正概率 +20%", "supplement", "all", 1.2, 0.8, 0.2, 1.4, -0.006),
        ("I11 时限 −20%", "limit", "I11", 0.8, -0.4, -0.9, 0.1, 0.003),
    ]
    return tuple(
        SensitivityFigure(
            rank=rank,
            variation=variation,
            parameter=parameter,
            subject=subject,
            factor=factor,
            mean_days=110.4 + effect,
            effect_mean_days=effect,
            effect_ci_low=low,
            effect_ci_high=high,
            effect_on_reduction=on_reduction,
        )
        for rank, (variation, parameter, subject, factor, effect, low, high, on_reduction) in enumerate(
            rows, start=1
        )
    )


@pytest.fixture(scope="package")
def compare_export(store, tmp_path_factory):
    """Everything an export of the before vs after comparison writes (drawing with glyph warnings as errors)."""
    _, runs = store
    out = tmp_path_factory.mktemp("compare-export")
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*missing from font.*")
        paths = export_run(runs["compare"], {"xlsx", "csv", "png", "svg", "html"}, out)
    return runs["compare"], {p.name: p for p in paths}


@pytest.fixture(scope="package")
def sensitivity_export(store, tmp_path_factory):
    _, runs = store
    out = tmp_path_factory.mktemp("sensitivity-export")
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*missing from font.*")
        paths = export_run(runs["sensitivity"], expand_formats(["all"]) - {"pdf"}, out)
    return runs["sensitivity"], {p.name: p for p in paths}
