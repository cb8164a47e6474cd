"""How well calibration recovers what produced the records: the round trip, over several seeds and log sizes.

    uv run python benchmarks/calibration_round_trip.py [--seeds 5] [--projects 2000 20000]

For each log size and seed, as a user would: 'approval-sim simulate examples/calibration/known-distributions.yaml
-p all -n PROJECTS -r 1 --seed SEED --event-log log.csv', then 'approval-sim calibrate log.csv --scenario ...
--json'; the recovered values are compared with the ones the scenario declares (worked out here from its
parameters, not taken from the code). Then one export taken part-way through the run (files in progress are
censored) shows what censoring saves. Prints the load average: the figures do not depend on it, the wall time
does.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

SCENARIO = Path(__file__).resolve().parent.parent / "examples" / "calibration" / "known-distributions.yaml"
COMMAND = [sys.executable, "-m", "approval_sim.cli"]


def _mean(spec: Any) -> float:
    """The mean of a declared time: a number, or a distribution by its textbook formula."""
    if isinstance(spec, int | float):
        return float(spec)
    family = spec["distribution"]
    if family == "fixed":
        return float(spec["value"])
    if family == "uniform":
        return (spec["low"] + spec["high"]) / 2
    if family == "triangular":
        return (spec["low"] + spec["mode"] + spec["high"]) / 3
    if family in ("lognormal", "exponential"):
        return float(spec["mean"])
    raise ValueError(f"no formula for {family}")


def declared() -> dict[str, Any]:
    import yaml

    data = yaml.safe_load(SCENARIO.read_text(encoding="utf-8"))
    truth: dict[str, Any] = {"arrivals": data["simulation"]["arrivals"]["per_working_day"], "items": {}}
    for item in data["items"]:
        supplement = item.get("supplement")
        truth["items"][item["id"]] = {
            "family": item["handling_days"]["distribution"],
            "mean": _mean(item["handling_days"]),
            "probability": supplement["probability"] if supplement else 0.0,
            "applicant": _mean(supplement["applicant_days"]) if supplement else None,
        }
    return truth


def _padded(text: str, width: int) -> str:
    """Left-aligned in ``width`` terminal columns (a Chinese character takes two)."""
    shown = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(width - shown, 0)


def _run(*args: str) -> str:
    env = {**os.environ, "APPROVAL_SIM_LANG": "en"}
    return subprocess.run([*COMMAND, *args], check=True, capture_output=True, text=True, env=env).stdout


def round_trip(folder: Path, projects: int, seed: int) -> dict[str, Any]:
    log = folder / f"log-{projects}-{seed}.csv"
    _run("simulate", str(SCENARIO), "-p", "all", "-n", str(projects), "-r", "1", "--seed", str(seed),
         "--event-log", str(log), "--json")  # fmt: skip
    out = folder / f"overlay-{projects}-{seed}.yaml"
    return json.loads(_run("calibrate", str(log), "--scenario", str(SCENARIO), "--out", str(out), "--json"))


def errors(report: dict[str, Any], truth: dict[str, Any]) -> dict[str, float]:
    """Relative error of each mean and the arrival rate (%), absolute error of each 补正 probability (points)."""
    out: dict[str, float] = {}
    for item_id, want in truth["items"].items():
        got = report["items"][item_id]
        out[f"{item_id} handling mean %"] = 100 * (got["handling_days"]["mean_days"] / want["mean"] - 1)
        out[f"{item_id} 补正 probability points"] = 100 * (
            got["supplement"]["probability"] - want["probability"]
        )
        if want["applicant"] is not None:
            applicant = got["supplement"]["applicant_days"]["mean_days"]
            out[f"{item_id} applicant mean %"] = 100 * (applicant / want["applicant"] - 1)
        out[f"{item_id} family is {want['family']}"] = float(got["handling_days"]["family"] == want["family"])
    out["arrival rate %"] = 100 * (report["arrivals"]["per_working_day"] / truth["arrivals"] - 1)
    return out


def censored(folder: Path, projects: int, as_of: date) -> tuple[float, float, int, int]:
    """An export at ``as_of`` (files in progress then are censored): item A's fitted mean, the mean of its
    completed records alone, the records and the files in progress."""
    from approval_model.scenario import load_process
    from exports.event_log import write_records
    from simulations import compile_process, replication_seeds
    from simulations.records import HEADER, RecordGroup, records
    from simulations.timeline import timeline

    compiled = compile_process(load_process(SCENARIO))
    events = timeline(compiled, "parallel", projects, replication_seeds(0, 1)[0])
    log = folder / "mid.csv"
    group = RecordGroup(events, np.arange(1, projects + 1), "03")
    write_records(log, HEADER, records([group], compiled.start_date, as_of=as_of))
    report = json.loads(
        _run(
            "calibrate",
            str(log),
            "--scenario",
            str(SCENARIO),
            "--out",
            str(folder / "mid.yaml"),
            "--as-of",
            as_of.isoformat(),
            "--json",
        )  # fmt: skip
    )
    a = report["items"]["A"]
    return a["handling_days"]["mean_days"], a["observed_mean_days"], report["records"], report["in_progress"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--projects", type=int, nargs="+", default=[2000, 20000])
    options = parser.parse_args()
    truth = declared()
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")
    print(f"scenario {SCENARIO.name}: declared {json.dumps(truth, ensure_ascii=False)}")
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        for projects in options.projects:
            runs = [errors(round_trip(folder, projects, seed), truth) for seed in range(options.seeds)]
            print(f"\n{projects:,} projects ({3 * projects:,} records), seeds 0-{options.seeds - 1}: "
                  "error per seed (recovered - declared), worst")  # fmt: skip
            for key in runs[0]:
                values = [run[key] for run in runs]
                if key.split()[1] == "family":
                    print(f"  {_padded(key, 34)} chosen in {sum(values):.0f} of {len(values)}")
                else:
                    shown = ", ".join(f"{v:+.2f}" for v in values)
                    print(f"  {_padded(key, 34)} {shown}  worst {max(abs(v) for v in values):.2f}")
            means = [abs(run[k]) for run in runs for k in run if k.endswith("mean %")]
            points = [abs(run[k]) for run in runs for k in run if k.endswith("points")]
            rate = [abs(run["arrival rate %"]) for run in runs]
            print(f"  => means (handling and applicant) within {max(means):.1f} %, 补正 probability within "
                  f"{max(points):.1f} points, arrival rate within {max(rate):.1f} % "
                  f"(worst of {options.seeds} seeds)")  # fmt: skip
        fitted, completed_only, rows, open_files = censored(folder, 20000, date(2018, 1, 31))
        print(f"\nexport at 2018-01-31 (20,000-project run, seed 0: {rows} records, {open_files} in progress, censored): "
              f"A's mean {fitted:.2f} ({100 * (fitted / 10 - 1):+.1f} %); its completed records alone "
              f"{completed_only:.2f} ({100 * (completed_only / 10 - 1):+.1f} %)")  # fmt: skip
    print(f"\nwall time {time.perf_counter() - start:.0f} s; load average at end: "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")  # fmt: skip


if __name__ == "__main__":
    main()
