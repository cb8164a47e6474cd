"""Baseline vs reform under named framings: reduction with a 95 % CI, verdict, bottlenecks.

A framing says how each side is handled, because "how much shorter" depends on what the reform is compared
with:

* ``serial-to-parallel``: before, window after window; after, online in parallel (the change the plan
  describes, 三(五): 部门在线并联审批 instead of an applicant walking from window to window);
* ``parallel-to-parallel``: both in parallel, so only the catalog rules count (the rules alone);
* ``partial-to-parallel``: before, a share of the files handled in parallel (``simulation.parallel_share``,
  pre-reform practice that was partly parallel), the rest serially; only when a scenario declares the share.

All sides of a replication use the same replication seed, hence common random numbers: the same project draws
the same handling time for the same item in every side and framing, and a project of the partial baseline is
parallel or serial by one more uniform of its own. The reduction is estimated per replication as
``1 - reform / baseline`` of the mean (median, p90) end-to-end time; the CI is across replications. Framings share
draws: the baseline's serial, parallel and partial results come from one set of draws (Monte Carlo).

About 520 lines, kept whole: the framings, the sides they need and the common-random-number draws that
serve them are one mechanism; split, a reader would have to hold two modules to check the CRN argument.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from approval_model.models import Process
from approval_model.profiles import mix_profiles
from messages import Message
from simulations.clocks import clock_comparison
from simulations.compiled import CompiledProcess, Mode, compile_process
from simulations.load import check_queues, warmup_projects
from simulations.mix import Mix, compile_mix
from simulations.results import SimulationResult
from simulations.runner import Engine, SimulationRun, chunk_for, resolve_engine, run_replication_modes
from simulations.sampling import replication_seeds
from simulations.stats import Verdict, judge

__all__ = [
    "DEFAULT_TARGET",
    "FRAMINGS",
    "Comparison",
    "Framing",
    "common_mix",
    "compare",
    "compiled_side",
    "framing_modes",
    "framing_name",
    "plan_framings",
    "prepare",
    "reductions",
    "replication_sides",
    "sides_chunk",
    "runs_of",
]

DEFAULT_TARGET = 0.20
FRAMINGS: dict[str, tuple[Mode, Mode]] = {
    "serial-to-parallel": ("serial", "parallel"),
    "parallel-to-parallel": ("parallel", "parallel"),
    "partial-to-parallel": ("partial", "parallel"),
}
FRAMING_MEANINGS = {
    "serial-to-parallel": "before window after window, after online in parallel: the change the plan describes",
    "parallel-to-parallel": "both sides in parallel: the catalog rules alone",
    "partial-to-parallel": "before a declared share of files in parallel (simulation.parallel_share), after all "
    "in parallel: the change from pre-reform practice",
}


def framing_name(baseline_mode: Mode, reform_mode: Mode) -> str:
    """``serial-to-parallel`` and so on: the baseline's mode, then the reform's."""
    return f"{baseline_mode}-to-{reform_mode}"


def reductions(baseline: SimulationRun, reform: SimulationRun, statistic: str = "mean") -> np.ndarray:
    """Per replication, ``1 - reform / baseline`` of a statistic of end-to-end days (mean, median, p90)."""
    pick: dict[str, Callable[[np.ndarray], float]] = {
        "mean": np.mean,
        "median": np.median,
        "p90": lambda x: float(np.percentile(x, 90)),
    }
    f = pick[statistic]
    pairs = zip(baseline.results, reform.results, strict=True)
    return np.array([1 - f(r.end_to_end_days) / f(b.end_to_end_days) for b, r in pairs])


def plan_framings(
    *,
    single: bool,
    parallel_share: float | None,
    headline: str | None = None,
    modes: tuple[Mode, Mode] | None = None,
) -> tuple[list[str], str]:
    """Which framings to compute and which one is the headline (quoted first, and the top-level figures).

    Default headline: ``partial-to-parallel`` when the share of files handled in parallel before is declared
    (the best estimate of the change from pre-reform practice), else ``serial-to-parallel`` (the change the plan
    describes); ``parallel-to-parallel`` (the rules alone) always follows as the lower end. One process compared
    with itself has no rules to isolate, so it gets no parallel-to-parallel framing. ``modes`` (the legacy
    ``--mode``: both sides in one mode) adds that framing and makes it the headline; ``headline`` overrides.
    """
    names = ["serial-to-parallel"] if single else ["serial-to-parallel", "parallel-to-parallel"]
    if parallel_share is not None:
        names.insert(0, "partial-to-parallel")
    chosen = names[0]
    if modes is not None:
        chosen = framing_name(*modes)
        if chosen not in names:
            names.append(chosen)
    if headline is not None:
        if headline == "partial-to-parallel" and parallel_share is None:
            raise ValueError(
                "framing 'partial-to-parallel' needs the share of files handled in parallel before the reform: "
                "declare simulation.parallel_share (e.g. 0.3) in the baseline scenario"
            )
        if headline not in FRAMINGS and headline not in names:
            raise ValueError(f"unknown framing {headline!r}; choose from {', '.join(FRAMINGS)}")
        if single and headline == "parallel-to-parallel":
            raise ValueError(
                "with one scenario both sides are the same process: 'parallel-to-parallel' compares it with "
                "itself; give a reformed scenario, or use serial-to-parallel"
            )
        chosen = headline
        if chosen not in names:
            names.append(chosen)
    names.remove(chosen)
    return [chosen, *names], chosen


_MODES: dict[str, Mode] = {"serial": "serial", "parallel": "parallel", "partial": "partial"}


def framing_modes(name: str) -> tuple[Mode, Mode]:
    """The (baseline, reform) modes of a framing name."""
    if name in FRAMINGS:
        return FRAMINGS[name]
    first, _, second = name.partition("-to-")
    if first not in _MODES or second not in _MODES:
        raise ValueError(f"unknown framing {name!r}; choose from {', '.join(FRAMINGS)}")
    return _MODES[first], _MODES[second]


@dataclass(frozen=True)
class Framing:
    """One framing's two runs and the verdicts on their reduction."""

    name: str
    baseline: SimulationRun
    reform: SimulationRun
    mean: Verdict
    median: Verdict
    p90: Verdict

    @property
    def verdict(self) -> str:
        return self.mean.verdict

    def as_json(self) -> dict:
        mean = self.mean.as_dict()
        return {
            "name": self.name,
            "meaning": FRAMING_MEANINGS.get(
                self.name, f"baseline {self.baseline.mode}, reform {self.reform.mode}"
            ),
            "baseline_mode": self.baseline.mode,
            "reform_mode": self.reform.mode,
            "baseline_mean_days": _mean_days(self.baseline),
            "reform_mean_days": _mean_days(self.reform),
            "reduction": {"mean": mean["mean"], "ci95": mean["ci95"]},
            "verdict": self.verdict,
            "replications_needed": mean["replications_needed"],
            **clock_comparison(self.baseline.results, self.reform.results),
            **({"profiles": self.profiles()} if self.baseline.mix else {}),
        }

    def profiles(self) -> dict[str, dict]:
        """A project mix: the framing per profile (each profile's projects, both sides, the same replications)."""
        base, reform = self.baseline.profile_runs(), self.reform.profile_runs()
        target = self.mean.target
        out: dict[str, dict] = {}
        for name in base:
            drawn = [r.projects for r in base[name].results]
            if min(drawn, default=0) == 0:
                out[name] = {
                    "projects_drawn": sum(drawn),
                    "verdict": None,
                    "note": "a replication drew no project",
                }
                continue
            verdict = judge(reductions(base[name], reform[name], "mean"), target).as_dict()
            out[name] = {
                "share": (self.baseline.mix or {}).get(name),
                "projects_drawn": sum(drawn),
                "baseline_mean_days": _mean_days(base[name]),
                "reform_mean_days": _mean_days(reform[name]),
                "reduction": {"mean": verdict["mean"], "ci95": verdict["ci95"]},
                "verdict": verdict["verdict"],
            }
        return out


def _mean_days(run: SimulationRun) -> float:
    return round(float(np.mean([r.end_to_end_days.mean() for r in run.results])), 4)


def _framing(name: str, runs: Mapping[tuple[str, Mode], SimulationRun], target: float) -> Framing:
    base_mode, reform_mode = framing_modes(name)
    base, reform = runs[("baseline", base_mode)], runs[("reform", reform_mode)]
    return Framing(
        name,
        base,
        reform,
        judge(reductions(base, reform, "mean"), target),
        judge(reductions(base, reform, "median"), target),
        judge(reductions(base, reform, "p90"), target),
    )


@dataclass(frozen=True)
class Comparison:
    """Runs of both sides with the same seeds, and the verdicts of each framing; ``baseline``, ``reform``,
    ``mean``, ``median`` and ``p90`` are the headline framing's."""

    framings: tuple[Framing, ...]
    headline: str
    target: float

    @classmethod
    def from_runs(
        cls,
        runs: Mapping[tuple[str, Mode], SimulationRun],
        names: Sequence[str],
        headline: str,
        target: float,
    ) -> Comparison:
        """``runs`` by (side, mode), side ``baseline`` or ``reform``; ``names`` in display order."""
        return cls(tuple(_framing(name, runs, target) for name in names), headline, target)

    @property
    def main(self) -> Framing:
        return next(f for f in self.framings if f.name == self.headline)

    @property
    def baseline(self) -> SimulationRun:
        return self.main.baseline

    @property
    def reform(self) -> SimulationRun:
        return self.main.reform

    @property
    def mean(self) -> Verdict:
        return self.main.mean

    @property
    def median(self) -> Verdict:
        return self.main.median

    @property
    def p90(self) -> Verdict:
        return self.main.p90

    @property
    def verdict(self) -> str:
        return self.mean.verdict

    def bottlenecks(self, summary: dict | None = None) -> list[dict]:
        """Reform items by criticality (then gain if instant), with waiting, handling and overdue rate."""
        items = (summary or self.reform.summary())["items"]
        rows = [{"item": item_id, **values} for item_id, values in items.items()]
        rows.sort(key=lambda r: (-(r["criticality"] or 0), -(r.get("gain_if_instant_days") or 0), r["item"]))
        return rows

    def summary(self) -> dict:
        reform = self.reform.summary()
        baseline = self.baseline.summary()
        clocks = clock_comparison(self.baseline.results, self.reform.results)
        return {
            "target": self.target,
            "headline": self.headline,
            "framing": self.headline,
            "framings": [f.as_json() for f in self.framings],
            "verdict": self.verdict,
            "reduction": {
                **self.mean.as_dict(),
                "median": self.median.as_dict(),
                "p90": self.p90.as_dict(),
            },
            "baseline": baseline,
            "reform": reform,
            **({"mix": self.baseline.mix, "profiles": self.main.profiles()} if self.baseline.mix else {}),
            **{
                measure: {
                    "baseline": baseline.get(measure),
                    "reform": reform.get(measure),
                    "reduction": clocks[measure]["reduction"],
                }
                for measure in ("approval_days", "elapsed_days")
            },
            "elapsed_by_kind": {
                "baseline": baseline.get("elapsed_by_kind"),
                "reform": reform.get("elapsed_by_kind"),
            },
            "target_checks": reform.get("target_checks", []),
            "bottlenecks": self.bottlenecks(reform),
            "department_bottlenecks": sorted(
                ({"department": d, **v} for d, v in reform["departments"].items()),
                key=lambda r: (-(r["mean_wait_days"] or 0), -(r["mean_in_handling"] or 0)),
            ),
        }


def side_modes(names: Sequence[str]) -> dict[str, list[Mode]]:
    """The modes each side must be simulated in for these framings."""
    sides: dict[str, list[Mode]] = {"baseline": [], "reform": []}
    for name in names:
        first, second = framing_modes(name)
        sides["baseline"].append(first)
        sides["reform"].append(second)
    return {side: list(dict.fromkeys(modes)) for side, modes in sides.items()}


def parallel_share(
    baseline: Process | CompiledProcess, reform: Process | CompiledProcess | None
) -> float | None:
    """The share of files handled in parallel before: the baseline's, else the one the reformed scenario states
    about the practice it replaces (when the baseline is a built-in catalog one cannot edit)."""

    def share(process: Process | CompiledProcess | None) -> float | None:
        if process is None:
            return None
        if isinstance(process, CompiledProcess):
            return process.parallel_share
        return process.simulation.parallel_share

    own = share(baseline)
    return own if own is not None else share(reform)


def sides_chunk(first: CompiledProcess | Mix, second: CompiledProcess | Mix | None) -> int:
    """Monte Carlo projects at once for a comparison: what the larger side fits in the memory budget (the same
    on both sides, so progress counts the same chunks)."""
    return chunk_for(first if second is None or first.n_items >= second.n_items else second)


def replication_sides(
    first: CompiledProcess | Mix,
    second: CompiledProcess | Mix | None,
    names: Sequence[str],
    headline: str,
    projects: int,
    replication_seed: np.random.SeedSequence,
    *,
    engine: str,
    replication: int = 0,
    chunk: int | None = None,
    on_chunk: Callable[[], None] | None = None,
) -> dict[tuple[str, Mode], SimulationResult]:
    """One replication of every side the framings need, by (side, mode); ``second`` None: one process is both
    sides. The unit of work orchestrators call (both sides, same seed: common random numbers)."""
    chunk = sides_chunk(first, second) if chunk is None else chunk
    wanted = side_modes(names)
    warmup = warmup_projects([first] if second is None else [first, second], engine, projects)
    if second is None:
        modes = list(dict.fromkeys([*wanted["baseline"], *wanted["reform"]]))
        together = run_replication_modes(
            first, modes, projects, replication_seed, engine=engine, replication=replication,
            gains=["parallel"], chunk=chunk, on_chunk=on_chunk, warmup=warmup,
        )  # fmt: skip
        return {(side, mode): together[mode] for side, modes in wanted.items() for mode in modes}
    base = run_replication_modes(
        first, wanted["baseline"], projects, replication_seed, engine=engine, replication=replication,
        chunk=chunk, on_chunk=on_chunk, warmup=warmup,
    )  # fmt: skip
    reform = run_replication_modes(
        second, wanted["reform"], projects, replication_seed, engine=engine, replication=replication,
        gains=[framing_modes(headline)[1]], chunk=chunk, on_chunk=on_chunk, warmup=warmup,
    )  # fmt: skip
    return {
        **{("baseline", mode): result for mode, result in base.items()},
        **{("reform", mode): result for mode, result in reform.items()},
    }


def runs_of(
    parts: Sequence[Mapping[tuple[str, Mode], SimulationResult]],
    *,
    engine: str,
    projects: int,
    seed: int,
    share: float | None,
    mix: Mapping[str, float] | None = None,
) -> dict[tuple[str, Mode], SimulationRun]:
    """Replications (in order) of every side, joined into runs (``mix``: the shares of a project mix)."""
    return {
        key: SimulationRun(
            parts[0][key].process,
            key[1],
            engine,
            projects,
            seed,
            tuple(part[key] for part in parts),
            parallel_share=share if key[1] == "partial" else None,
            mix=dict(mix) if mix else None,
        )  # fmt: skip
        for key in parts[0]
    }


def common_mix(baseline: Process, reform: Process | None) -> Process | None:
    """The side whose project mix both sides draw from: the baseline if it declares one, else the reformed
    scenario (a reform does not change which projects a city has, so two different mixes are an error)."""
    declaring = [p for p in (baseline, reform) if p is not None and p.mix is not None]
    if len(declaring) == 2 and (
        declaring[0].mix != declaring[1].mix or mix_profiles(declaring[0]) != mix_profiles(declaring[1])
    ):
        raise ValueError(
            Message(
                "the two scenarios declare different project mixes ({first}: {first_mix}; {second}: {second_mix}): "
                "a reform does not change the city's projects; declare the mix in one of them (or the same in both)",
                first=baseline.name,
                first_mix=str(declaring[0].mix),
                second=declaring[1].name,
                second_mix=str(declaring[1].mix),
            )
        )
    return declaring[0] if declaring else None


def compiled_side(process: Process, declaring: Process | None) -> CompiledProcess | Mix:
    """A side of a comparison compiled: with the mix (and its profiles) of the declaring side, if any."""
    if declaring is None:
        return compile_process(process)
    return compile_mix(process, declaring.mix, mix_profiles(declaring))


def prepare(
    baseline: Process,
    reform: Process | None,
    *,
    baseline_mode: Mode | None = None,
    reform_mode: Mode | None = None,
    framing: str | None = None,
) -> tuple[CompiledProcess | Mix, CompiledProcess | Mix | None, list[str], str, float | None]:
    """Compiled sides (the baseline carrying the declared parallel share; both with the project mix, when a side
    declares one), the framings and the headline."""
    share = parallel_share(baseline, reform)
    modes = None
    if baseline_mode is not None and reform_mode is not None:
        modes = (baseline_mode, reform_mode)
    names, headline = plan_framings(
        single=reform is None, parallel_share=share, headline=framing, modes=modes
    )
    mix = common_mix(baseline, reform)
    first = compiled_side(baseline, mix)
    if share is not None and first.parallel_share is None:
        first = (
            first.with_parallel_share(share)
            if isinstance(first, Mix)
            else dataclasses.replace(first, parallel_share=share)
        )
    second = None if reform is None else compiled_side(reform, mix)
    for side in (first, second):
        if side is not None:
            check_queues(side)
    return first, second, names, headline, share


def compare(
    baseline: Process,
    reform: Process | None = None,
    *,
    baseline_mode: Mode | None = None,
    reform_mode: Mode | None = None,
    framing: str | None = None,
    projects: int = 10_000,
    replications: int = 10,
    seed: int = 0,
    engine: Engine = "auto",
    target: float = DEFAULT_TARGET,
    chunk: int | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> Comparison:
    """Compare two processes under every framing that applies (one process: its serial and partial practice
    against its parallel handling), with ``framing`` (else the default, see :func:`plan_framings`) as headline.

    ``baseline_mode`` / ``reform_mode`` (both given: the legacy ``--mode``) add that framing as headline. All
    sides run on the same engine (the event engine if either side needs it) and the same seeds.
    """
    if replications < 1:
        raise ValueError(f"replications must be at least 1, got {replications}")
    first, second, names, headline, share = prepare(
        baseline, reform, baseline_mode=baseline_mode, reform_mode=reform_mode, framing=framing
    )
    chosen = resolve_engine([first] if second is None else [first, second], engine)
    chunk = sides_chunk(first, second) if chunk is None else chunk
    per = 1 if chosen == "des" else -(-projects // chunk)
    steps, done = replications * per * (1 if second is None else 2), 0

    def tick() -> None:
        nonlocal done
        done += 1
        if on_progress:
            on_progress(done, steps)

    parts = [
        replication_sides(
            first,
            second,
            names,
            headline,
            projects,
            s,
            engine=chosen,
            replication=r,
            chunk=chunk,
            on_chunk=tick,
        )
        for r, s in enumerate(replication_seeds(seed, replications))
    ]
    mix = first.weights() if isinstance(first, Mix) else None
    runs = runs_of(parts, engine=chosen, projects=projects, seed=seed, share=share, mix=mix)
    return Comparison.from_runs(runs, names, headline, target)
