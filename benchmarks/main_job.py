"""The README's main job, timed as a user runs it: `approval-sim run compare luoyang-2017-before luoyang-2017-after`.

Usage: uv run python benchmarks/main_job.py [--repeats 3] [--projects 10000] [--replications 10]

Each case runs the installed console script in a fresh process, in its own PREFECT_HOME, results database and
state folder, on a free port (never 4200), and prints wall time, the CPU time of the command and everything it
waited for (its temporary server included), and the time to its first status line:

- no Prefect: `approval-sim compare` (the same comparison, computed and printed, nothing stored);
- with a server: `approval-sim server start` first, then `run compare` uses it (target: <= 3x no Prefect);
- warm, no server: Prefect's database and the results database exist; a temporary server is started;
- cold: a new PREFECT_HOME (no Prefect database) and a new results database, no server (target: <= 12 s).

The machine's load average is printed before and after: on a shared machine, compare figures taken under
the same load only.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

PAIR = ("luoyang-2017-before", "luoyang-2017-after")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def command_path() -> str:
    found = Path(sys.executable).with_name("approval-sim")
    return str(found) if found.exists() else (shutil.which("approval-sim") or "approval-sim")


class Sandbox:
    """A Prefect home, results database, state folder and local-server port of their own."""

    def __init__(self, root: Path, name: str) -> None:
        self.folder = root / name
        self.folder.mkdir(parents=True)
        self.environment = {key: value for key, value in os.environ.items() if key != "PREFECT_API_URL"}
        self.environment.update({
            "PREFECT_HOME": str(self.folder / "prefect-home"),
            "APPROVAL_SIM_DATABASE_URL": f"sqlite:///{self.folder / 'results.db'}",
            "APPROVAL_SIM_STATE_DIR": str(self.folder / "state"),
            "APPROVAL_SIM_SERVER_PORT": str(free_port()),
        })  # fmt: skip

    def fresh(self) -> None:
        """Forget Prefect's database and the results (a cold start)."""
        shutil.rmtree(self.folder / "prefect-home", ignore_errors=True)
        (self.folder / "results.db").unlink(missing_ok=True)

    def run(self, *arguments: str) -> tuple[float, float, float]:
        """(wall seconds, CPU seconds of the command and its waited-for children, seconds to first stderr line)."""
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        process = subprocess.Popen([command_path(), *arguments], env=self.environment, cwd=self.folder,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)  # fmt: skip
        assert process.stderr is not None
        first = process.stderr.readline()
        first_line = time.perf_counter() - started if first.strip() else float("nan")
        rest = process.stderr.read()
        code = process.wait()
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if code != 0:
            raise SystemExit(f"{' '.join(arguments)} exited with {code}:\n{first}{rest}")
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return wall, cpu, first_line


def load() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "n/a"


def report(name: str, samples: list[tuple[float, float, float]]) -> float:
    walls = [s[0] for s in samples]
    firsts = [s[2] for s in samples if s[2] == s[2]]  # NaN: the command printed no status line
    first = f"{statistics.median(firsts):5.2f} s" if firsts else "   none"
    print(
        f"{name:<34} wall {min(walls):6.2f} s min, {statistics.median(walls):6.2f} s median"
        f" | CPU {statistics.median(s[1] for s in samples):6.2f} s | first status line {first}   (n={len(samples)})"
    )
    return statistics.median(walls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--replications", type=int, default=10)
    args = parser.parse_args()
    size = ("-n", str(args.projects), "-r", str(args.replications))
    print(f"{platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"prefect {version('prefect')}, PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '')!r}")  # fmt: skip
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S')}, load average before: {load()}")
    root = Path(tempfile.mkdtemp(prefix="main-job-bench-"))
    figures: dict[str, float] = {}
    try:
        plain = Sandbox(root, "plain")
        figures["plain"] = report(
            "compare (no Prefect)", [plain.run("compare", *PAIR, *size) for _ in range(args.repeats)]
        )

        served = Sandbox(root, "served")
        served.run("server", "start")
        try:
            served.run("run", "compare", *PAIR, "-n", "100", "-r", "2")  # the server's first run warms it up
            figures["server"] = report(
                "run compare, server running",
                [served.run("run", "compare", *PAIR, *size) for _ in range(args.repeats)],
            )
        finally:
            served.run("server", "stop")

        warm = Sandbox(root, "warm")
        warm.run("run", "compare", *PAIR, "-n", "100", "-r", "2")
        figures["warm"] = report(
            "run compare, warm, no server",
            [warm.run("run", "compare", *PAIR, *size) for _ in range(args.repeats)],
        )

        cold = Sandbox(root, "cold")
        samples = []
        for _ in range(args.repeats):
            cold.fresh()
            samples.append(cold.run("run", "compare", *PAIR, *size))
        figures["cold"] = report("run compare, cold, no server", samples)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    ratio = figures["server"] / figures["plain"]
    print(f"with a server / without Prefect: {ratio:.1f}x (target <= 3x); "
          f"cold: {figures['cold']:.1f} s (target <= 12 s)")  # fmt: skip
    print(f"load average after: {load()}")


if __name__ == "__main__":
    main()
