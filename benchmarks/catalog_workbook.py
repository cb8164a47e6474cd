"""How long the catalog workbook takes: export and import of the largest built-in Luoyang catalogs.

    uv run python benchmarks/catalog_workbook.py [SCENARIO ...]

Prints, per scenario: items, export seconds, import seconds in-process (read + validate, best of 5) and the whole
command 'approval-sim catalog import FILE --out S.yaml' in a fresh process (wall time best of 3, after one cold
run, and its CPU time: user + system of the child process, which the load of a shared machine inflates much less
than the wall time). The load average is printed before and after.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from approval_model.scenario_document import builtin_names
from rules.loading import load
from workbooks.importer import import_catalog
from workbooks.writer import process_rows, write_workbook


def _best(runs: int, work) -> float:  # noqa: ANN001
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main(names: list[str]) -> None:
    print(f"load average at start: {_load()} ({os.cpu_count()} cores)")
    with tempfile.TemporaryDirectory() as folder:
        for name in names:
            process = load(name)
            workbook = Path(folder) / f"{name}.xlsx"
            export = _best(3, lambda: write_workbook(workbook, process_rows(process)))  # noqa: B023
            imported = _best(5, lambda: import_catalog(workbook))  # noqa: B023
            argv = [sys.executable, "-m", "approval_sim.cli", "catalog", "import", str(workbook)]
            command, cpu = [], []
            for run in range(4):
                out = Path(folder) / f"{name}-{run}.yaml"
                start, start_cpu = time.perf_counter(), _child_cpu()
                subprocess.run([*argv, "--out", str(out)], check=True, capture_output=True)
                command.append(time.perf_counter() - start)
                cpu.append(_child_cpu() - start_cpu)
            print(
                f"{name}: {len(process.items)} items, {len(process.departments)} departments, "
                f"{sum(len(i.prerequisites) for i in process.items)} prerequisites | export {export:.3f} s | "
                f"import {imported:.3f} s in-process | whole command {min(command[1:]):.2f} s "
                f"(cold {command[0]:.2f} s), CPU {min(cpu[1:]):.2f} s"
            )
    print(f"load average at end: {_load()}")


if __name__ == "__main__":
    wanted = sys.argv[1:] or [n for n in builtin_names() if n.startswith("luoyang-2017") and "before" in n]
    main(wanted)
