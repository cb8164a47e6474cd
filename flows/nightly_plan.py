"""The nightly batch's plan: which scenario files of a folder become jobs, which are refused, and the keys.

A batch's key holds what its results depend on (every file's content, the seeds, projects and replications),
so a changed input makes new runs and an unchanged one is skipped; see :func:`batch_digest`. Kept apart from
:mod:`flows.work`, which does one comparison's work, because planning a folder is a job of its own.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from approval_model.problems import ScenarioError
from approval_model.scenario_document import builtin_names, resolve_reference
from flows.store.records import RunOutcome
from flows.work import PairSpec, comparison_outcome
from rules.loading import load
from rules.metrics import catalog_metrics
from simulations.compare import compare
from simulations.runner import Engine

__all__ = [
    "BadFile",
    "BatchJob",
    "batch_digest",
    "batch_inputs",
    "job_outcomes",
    "nightly_key",
    "plan_batch",
    "slug",
]


@dataclass(frozen=True)
class BatchJob:
    """One scenario file of a nightly batch, validated, with its baseline and the keys of its runs.

    ``digest`` hashes what the file's results depend on: the text of every file loading it reads (the file,
    the bases it builds on, ``rules_from`` files) and of its baseline's, the settings, and the product version.
    """

    file: str
    spec: PairSpec
    digest: str

    def batch_key(self, as_of: date, seed: int) -> str:
        s = self.spec
        return (
            f"nightly:{as_of.isoformat()}:{_short(Path(self.file).name)}:{self.digest}:seed{seed}"
            f":n{s.projects}:r{s.replications}"
        )


@dataclass(frozen=True)
class BadFile:
    file: str
    message: str
    digest: str = ""  # the file's content hash: fixing it changes the batch's inputs

    def batch_key(self, as_of: date) -> str:
        return f"nightly:{as_of.isoformat()}:{_short(Path(self.file).name)}:{self.digest}:invalid"


def _digest(*texts: str) -> str:
    return hashlib.sha256("\n---\n".join(texts).encode("utf-8")).hexdigest()[:16]


def _short(name: str) -> str:
    """A file name for a key (the key column holds 300 characters): long names shortened, kept distinct."""
    return name if len(name) <= 80 else f"{name[:60]}~{_digest(name)[:8]}"


def _file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    except OSError:
        return "unreadable"


def _inputs_digest(references: Sequence[str], spec: PairSpec) -> str:
    """The digest of what a comparison's results depend on: every file its scenarios read, and its settings."""
    from flows.store.repository import ENGINE_VERSION
    from rules.loading import scenario_files

    texts = [ENGINE_VERSION, f"engine={spec.engine}", f"target={spec.target:g}", f"framing={spec.framing}"]
    for reference in references:
        texts += [f"{path.name}:{_file_digest(path)}" for path in scenario_files(reference)]
    return _digest(*texts)


def batch_digest(
    jobs: Sequence[BatchJob],
    bad: Sequence[BadFile],
    seeds: Sequence[int],
    *,
    projects: int,
    replications: int,
) -> str:
    """What a whole batch's results depend on: each good file's digest, each bad file's content, the seeds,
    projects and replications (so a changed input makes a new batch, an unchanged one is skipped)."""
    texts = [f"seeds={','.join(map(str, seeds))}", f"n={projects}", f"r={replications}"]
    texts += sorted(f"{Path(job.file).name}:{job.digest}" for job in jobs)
    texts += sorted(f"{Path(item.file).name}:invalid:{item.digest}" for item in bad)
    return _digest(*texts)


def batch_inputs(
    scenario_dir: Path,
    seeds: Sequence[int],
    *,
    projects: int,
    replications: int,
    engine: Engine = "auto",
    target: float = 0.20,
) -> str:
    """:func:`batch_digest` of a folder as it is now."""
    jobs, bad = plan_batch(
        Path(scenario_dir), projects=projects, replications=replications, engine=engine, target=target
    )
    return batch_digest(jobs, bad, seeds, projects=projects, replications=replications)


def nightly_key(as_of: date, scenario_dir: Path, inputs: str) -> str:
    """The key of a nightly batch: its date, its folder and its inputs (:func:`batch_digest`)."""
    folder = hashlib.sha256(str(Path(scenario_dir).resolve()).encode("utf-8")).hexdigest()[:12]
    return f"nightly:{as_of.isoformat()}:{folder}:{inputs}"


def plan_batch(
    scenario_dir: Path, *, projects: int, replications: int, engine: Engine = "auto", target: float = 0.20
) -> tuple[list[BatchJob], list[BadFile]]:
    """Validate every scenario file of a folder first; good ones become jobs, bad ones are reported.

    Each scenario is compared with its declared ``baseline:``, else with its ``base:``, else serial vs
    parallel of itself. Files sharing a name but for the suffix (x.yaml, x.yml) are labelled by their whole
    name, so each keeps its own runs, label and exports.
    """
    jobs: list[BatchJob] = []
    bad: list[BadFile] = []
    files = sorted(p for p in Path(scenario_dir).iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    stems = [path.stem for path in files]
    for path in files:
        name = path.name if stems.count(path.stem) > 1 else None
        try:
            process = load(path)
            baseline_ref = process.baseline or _declared_base(path)
            if baseline_ref is not None:
                resolved = resolve_reference(baseline_ref, path.parent)
                load(resolved)
                baseline_ref = baseline_ref if baseline_ref in builtin_names() else str(resolved)
        except ScenarioError as error:
            bad.append(BadFile(str(path), error.render(), _file_digest(path)))
            continue
        except (OSError, ValueError) as error:
            bad.append(BadFile(str(path), f"{path}: {error}", _file_digest(path)))
            continue
        spec = PairSpec(
            str(path) if baseline_ref is None else baseline_ref,
            None if baseline_ref is None else str(path),
            projects=projects,
            replications=replications,
            engine=engine,
            target=target,
            name=name,
        )
        try:
            spec.prepared()  # queues that cannot keep up are refused here, named, like a bad file
        except ValueError as error:
            bad.append(BadFile(str(path), f"{path}: {error}", _file_digest(path)))
            continue
        references = [str(path)] if baseline_ref is None else [baseline_ref, str(path)]
        jobs.append(BatchJob(str(path), spec, _inputs_digest(references, spec)))
    return jobs, bad


def job_outcomes(job: BatchJob, seeds: Sequence[int]) -> list[tuple[int, RunOutcome]]:
    """Every seed of one batch scenario: scenarios loaded and catalog targets computed once for all seeds."""
    baseline, reform = job.spec.processes()
    metrics = catalog_metrics(*job.spec.catalogs()).as_json()
    outcomes = []
    for seed in seeds:
        spec = dataclasses.replace(job.spec, seed=seed)
        comparison = compare(
            baseline, None if spec.reform is None else reform, baseline_mode=spec.baseline_mode,
            reform_mode=spec.reform_mode, framing=spec.framing, projects=spec.projects,
            replications=spec.replications, seed=seed, engine=spec.engine, target=spec.target,
        )  # fmt: skip
        robust = spec.robustness()
        outcomes.append(
            (seed, comparison_outcome(comparison, baseline, reform, metrics=metrics, robustness=robust))
        )
    return outcomes


def slug(text: str) -> str:
    """A folder name from a run's scenario label ('a -> b' -> 'a__b')."""
    import re

    return re.sub(r"[^\w.\-]+", "_", text.replace(" -> ", "__")).strip("_") or "scenario"


def _declared_base(path: Path) -> str | None:
    from approval_model import safe_yaml

    data = safe_yaml.load(path.read_text(encoding="utf-8"))
    base = data.get("base") if isinstance(data, dict) else None
    return base if isinstance(base, str) else None
