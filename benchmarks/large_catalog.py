"""Large catalogs, timed as a user meets them: whole commands on synthetic catalog files (issue 16, point 6).

Usage: uv run python benchmarks/large_catalog.py [--compile-items 50000] [--run-items 5000] [--skip-compare]

Writes `simulations.bench.large_catalog_data` (50 departments, 4 stages, item i waiting for items i//2 and
i//3) as YAML files in a temporary folder, then runs the installed console script on them, each in a fresh
process, and prints its exit status, wall time, CPU time and peak resident memory (the child's own, from
wait4; the CPU time is what the wall time approaches on an idle machine). This script imports nothing of the
project and writes the files from a child process, so that its own memory does not count in the children's
peaks (Linux carries a forked child's high-water mark across exec):

- `approval-sim check` of the 50,000-item file (reading, validating, checking the graph);
- `approval-sim simulate <5,000-item file> --profile all --json` at the defaults (10,000 projects x 10
  replications, Monte Carlo), the memory budget ($APPROVAL_SIM_MEMORY_MB, default 256 MB) beside it;
- `approval-sim compare <5,000-item file> --profile all --json` at the defaults (serial vs parallel, every
  framing, the robustness analysis).

The machine's load average is printed before and after each command: on a shared machine compare figures
taken under the same load only (the peak memory does not depend on the load; the times do).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def command_path() -> str:
    found = Path(sys.executable).with_name("approval-sim")
    return str(found) if found.exists() else (shutil.which("approval-sim") or "approval-sim")


def load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def measured(arguments: list[str]) -> dict:
    """Run the command; its exit status, wall time, peak RSS (MB) and JSON output if any."""
    environment = {**os.environ, "APPROVAL_SIM_LANG": "en"}
    before = load()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        child = subprocess.Popen([command_path(), *arguments], stdout=out, stderr=err, env=environment)
        _, status, usage = os.wait4(child.pid, 0)  # the child's own peak RSS (Popen.wait would lose it)
        seconds = time.perf_counter() - t0
        child.returncode = code = os.waitstatus_to_exitcode(status)
        out.seek(0), err.seek(0)
        stdout, stderr = out.read(), err.read()
    figures = {
        "command": "approval-sim " + " ".join(arguments),
        "exit": code,
        "seconds": round(seconds, 1),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "load_before": before,
        "load_after": load(),
    }
    try:
        figures["json"] = json.loads(stdout)
    except ValueError:
        figures["output"] = (stdout + stderr).decode(errors="replace")[-400:]
    return figures


def write_catalog(folder: Path, items: int) -> Path:
    """The catalog as YAML, written by a child process: building 50,000 items takes this process to ~340 MB,
    and a child forked from it would report that as its own peak (Linux keeps the high-water mark across
    exec), so this process stays small."""
    path = folder / f"large-{items}.yaml"
    code = (
        "import sys, yaml; from simulations.bench import large_catalog_data; "
        f"data = large_catalog_data({items}); "
        "open(sys.argv[1], 'w', encoding='utf-8').write(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))"
    )
    subprocess.run([sys.executable, "-c", code, str(path)], check=True)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compile-items", type=int, default=50_000)
    parser.add_argument("--run-items", type=int, default=5_000)
    parser.add_argument("--skip-compare", action="store_true", help="leave out the (longest) compare")
    parser.add_argument("--skip-check", action="store_true", help="leave out the check of the large file")
    options = parser.parse_args()
    budget = os.environ.get("APPROVAL_SIM_MEMORY_MB", "256 (default)")
    print(f"cpus {os.cpu_count()}, load average {load()}, APPROVAL_SIM_MEMORY_MB {budget}")
    with tempfile.TemporaryDirectory(prefix="approval-sim-large-") as folder:
        big = write_catalog(Path(folder), options.compile_items)
        run = write_catalog(Path(folder), options.run_items)
        print(
            f"{big.name}: {big.stat().st_size / 2**20:.1f} MB, {run.name}: {run.stat().st_size / 2**20:.1f} MB"
        )
        cases = [] if options.skip_check else [["check", str(big)]]
        cases.append(["simulate", str(run), "--profile", "all", "--json"])
        if not options.skip_compare:
            cases.append(["compare", str(run), "--profile", "all", "--json"])
        for arguments in cases:
            figures = measured(arguments)
            extra = ""
            result = figures.get("json") or {}
            if arguments[0] == "simulate" and result:
                extra = f", mean {result.get('mean_days'):.1f} working days"
            if arguments[0] == "compare" and result:
                robustness = result.get("robustness") or {}
                extra = (
                    f", reduction {result.get('reduction', {}).get('mean')}, robustness "
                    f"{robustness.get('samples')} sets x {robustness.get('projects')} projects"
                )
            print(
                f"{figures['command'].replace(folder, '<tmp>')}: exit {figures['exit']}, "
                f"{figures['seconds']} s wall, {figures['cpu_seconds']} s CPU, peak RSS {figures['peak_rss_mb']} MB "
                f"(load {figures['load_before']} -> {figures['load_after']}){extra}"
            )
            if "output" in figures:
                print("  " + figures["output"].replace("\n", "\n  "))


if __name__ == "__main__":
    main()
