"""How long calibration takes on a year-sized platform export: simulated records of the Luoyang catalog.

    uv run python benchmarks/calibrate_records.py [ROWS]      # default 100,000 rows

Writes (in a temporary folder) a scenario based on luoyang-2017-before with projects arriving at 3 per working day
and a 补正 on every item, simulates enough projects to give ROWS records ('simulate --event-log'), then times
'approval-sim calibrate' on them: the whole command in a fresh process (best of 3, after one cold run), and the
stages in-process (read, check rows, measure, fit). The command's CPU time (user + system of the child) is
printed beside its wall time, and the load average before and after: on a shared machine the wall time follows
the load, the CPU time much less.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import yaml

from approval_model.calendar import default_calendar
from approval_model.supervision_records import COLUMN_ALIASES, REQUIRED_COLUMNS, parse_records
from calibration.calibrate import calibrate
from calibration.observations import observe
from readers.tables import read_table
from rules.loading import load


def _scenario(folder: Path) -> Path:
    base = load("luoyang-2017-before")
    items = [
        {
            "id": item.id,
            "supplement": {
                "probability": 0.25,
                "applicant_days": {"distribution": "uniform", "low": 2, "high": 10},
            },
        }
        for item in base.items
    ]
    data = {
        "name": "bench-calibration",
        "base": "luoyang-2017-before",
        "simulation": {"arrivals": {"per_working_day": 3.0}},
        "items": items,
    }
    path = folder / "bench-calibration.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main(rows: int) -> None:
    print(f"load average at start: {_load()} ({os.cpu_count()} cores)")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        scenario = _scenario(folder)
        items = len(load(scenario).items)
        projects = -(-rows // items)
        log = folder / "records.csv"
        command = [sys.executable, "-m", "approval_sim.cli"]
        subprocess.run(
            [
                *command,
                "simulate",
                str(scenario),
                "-p",
                "all",
                "-n",
                str(projects),
                "-r",
                "1",
                "--event-log",
                str(log),
                "--json",
            ],
            check=True,
            capture_output=True,
        )
        written = sum(1 for _ in log.open(encoding="utf-8-sig")) - 1
        times, cpu = [], []
        for run in range(4):
            start, start_cpu = time.perf_counter(), _child_cpu()
            subprocess.run(
                [
                    *command,
                    "calibrate",
                    str(log),
                    "--scenario",
                    str(scenario),
                    "--out",
                    str(folder / f"o{run}.yaml"),
                    "--json",
                ],
                check=True,
                capture_output=True,
            )
            times.append(time.perf_counter() - start)
            cpu.append(_child_cpu() - start_cpu)
        process = load(scenario)
        t0 = time.perf_counter()
        table = read_table(log, COLUMN_ALIASES, REQUIRED_COLUMNS)
        t1 = time.perf_counter()
        valid, problems = parse_records(table, process.item_ids, date(2100, 12, 31))
        t2 = time.perf_counter()
        as_of = max(r.completed or r.accepted for r in valid)
        observations = observe(valid, process, as_of, default_calendar())
        t3 = time.perf_counter()
        calibrate(observations, process)
        t4 = time.perf_counter()
        print(
            f"{written:,} records ({projects:,} projects x {items} items, {len(problems)} rejected): whole command "
            f"{min(times[1:]):.1f} s (cold {times[0]:.1f} s), CPU {min(cpu[1:]):.1f} s; in-process: read {t1 - t0:.2f} s, check rows "
            f"{t2 - t1:.2f} s, measure {t3 - t2:.2f} s, fit {items} items {t4 - t3:.2f} s"
        )
    print(f"load average at end: {_load()}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
