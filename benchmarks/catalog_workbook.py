"""How long the catalog workbook takes: export and import of the largest built-in Luoyang catalogs.

    uv run python benchmarks/catalog_workbook.py [SCENARIO ...]

Prints, per scenario: items, export seconds, import seconds in-process (read + validate, best of 5) and the whole
command 'approval-sim catalog import FILE --out S.yaml' in a fresh process (best of 3, after one cold run).
"""

from __future__ import annotations

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


def main(names: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        for name in names:
            process = load(name)
            workbook = Path(folder) / f"{name}.xlsx"
            export = _best(3, lambda: write_workbook(workbook, process_rows(process)))  # noqa: B023
            imported = _best(5, lambda: import_catalog(workbook))  # noqa: B023
            argv = [sys.executable, "-m", "approval_sim.cli", "catalog", "import", str(workbook)]
            command = []
            for run in range(4):
                out = Path(folder) / f"{name}-{run}.yaml"
                start = time.perf_counter()
                subprocess.run([*argv, "--out", str(out)], check=True, capture_output=True)
                command.append(time.perf_counter() - start)
            print(
                f"{name}: {len(process.items)} items, {len(process.departments)} departments, "
                f"{sum(len(i.prerequisites) for i in process.items)} prerequisites | export {export:.3f} s | "
                f"import {imported:.3f} s in-process | whole command {min(command[1:]):.2f} s "
                f"(cold {command[0]:.2f} s)"
            )


if __name__ == "__main__":
    wanted = sys.argv[1:] or [n for n in builtin_names() if n.startswith("luoyang-2017") and "before" in n]
    main(wanted)
