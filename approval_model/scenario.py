"""Scenario files (YAML) into validated processes: the public load API.

A problem is reported with the file, the line, the item and the fix; all problems of a file come together in
one :class:`~approval_model.problems.ScenarioError`. The format is documented in ``docs/scenario-format.md``.

Rules (``rules:``) are applied by a callable passed in by the caller (the ``rules`` package), because the
domain layer must not depend on the rules layer.

The pipeline, one module per step: reading a file with the line of every key
(:mod:`approval_model.scenario_document`), laying it over its ``base:`` (:mod:`approval_model.scenario_merge`),
validating the merged data here (models, cross-references, the project mix, targets, then the rules), and
turning validation errors into a planner's problems (:mod:`approval_model.scenario_problems`). This module
also resolves ``base:`` and ``rules_from:`` and caches loaded processes while their files are unchanged.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from approval_model.consistency import cross_reference_problems, mix_problems, target_problems
from approval_model.models import ApprovalTargets, Process
from approval_model.problems import Problem, ScenarioError, did_you_mean
from approval_model.scenario_document import (
    BUILTIN_DIR,
    ScenarioDocument,
    builtin_names,
    read_document,
    resolve_reference,
)
from approval_model.scenario_merge import merge_with_base, remap
from approval_model.scenario_problems import raise_problems, validation_problems
from messages import Joined, Message

__all__ = [
    "BUILTIN_DIR",
    "RuleApplier",
    "ScenarioDocument",
    "build_process",
    "builtin_names",
    "load_process",
    "read_document",
    "resolve_reference",
    "scenario_files",
]

TOP_LEVEL_KEYS = (
    "name",
    "title",
    "description",
    "base",
    "baseline",
    "profile",
    "profiles",
    "mix",
    "sources",
    "departments",
    "stages",
    "items",
    "remove_items",
    "rules",
    "rules_from",
    "simulation",
    "targets",
)

RuleApplier = Callable[[Process, list[Any], ScenarioDocument], Process]


Stamp = tuple[str, int, int]  # resolved path, mtime in ns, size
_CACHE: dict[tuple[str, object], tuple[tuple[Stamp, ...], Process]] = {}


def _stamp(path: Path) -> Stamp:
    stat = path.stat()
    return str(path), stat.st_mtime_ns, stat.st_size


def _fresh(stamps: tuple[Stamp, ...]) -> bool:
    try:
        return all(_stamp(Path(stamp[0])) == stamp for stamp in stamps)
    except OSError:
        return False


def load_process(
    reference: str | Path,
    *,
    rule_applier: RuleApplier | None = None,
    relative_to: Path | None = None,
    _chain: tuple[Path, ...] = (),
) -> Process:
    """Load a built-in name or a scenario file into a validated Process, resolving ``base:`` and ``rules:``.

    Results are cached per file and rule engine, and reused only while the file and every base it builds on
    are unchanged on disk (a batch loads the same scenarios many times; Process objects are immutable).
    """
    return _load(reference, rule_applier, relative_to, _chain)[1]


def scenario_files(
    reference: str | Path, *, rule_applier: RuleApplier | None = None, relative_to: Path | None = None
) -> tuple[Path, ...]:
    """Every file loading ``reference`` reads, resolved, in load order: itself, the bases it builds on and the
    files its ``rules_from:`` names, all the way down (built-in scenarios included). What a batch must hash to
    know whether a scenario's results can change."""
    stamps = _load(reference, rule_applier, relative_to, ())[0]
    return tuple(dict.fromkeys(Path(stamp[0]) for stamp in stamps))


def _load(
    reference: str | Path, rule_applier: RuleApplier | None, relative_to: Path | None, chain: tuple[Path, ...]
) -> tuple[tuple[Stamp, ...], Process]:
    path = resolve_reference(reference, relative_to)
    resolved = path.resolve()
    # a plain function is a pure rule engine; anything else (e.g. an audit recorder) must see every load
    cacheable = rule_applier is None or inspect.isfunction(rule_applier)
    key = (str(resolved), rule_applier)
    cached = _CACHE.get(key) if cacheable else None
    if cached is not None and _fresh(cached[0]):
        return cached
    document = read_document(path)
    dependencies: list[Stamp] = [_stamp(resolved)]
    process = build_process(
        document, rule_applier=rule_applier, _chain=(*chain, resolved), _dependencies=dependencies
    )
    entry = (tuple(dependencies), process)
    if cacheable:
        _CACHE[key] = entry
    return entry


def build_process(
    document: ScenarioDocument,
    *,
    rule_applier: RuleApplier | None = None,
    _chain: tuple[Path, ...] = (),
    _dependencies: list[Stamp] | None = None,
) -> Process:
    """Validate a parsed document (with its base) into a Process; every problem is reported together."""
    data = document.data
    problems: list[Problem] = []
    for key in data:
        if key not in TOP_LEVEL_KEYS:
            problems.append(
                Problem(
                    (str(key),),
                    Message(
                        "unknown key '{key}'{hint}", key=key, hint=did_you_mean(str(key), TOP_LEVEL_KEYS)
                    ),
                    Message(
                        "remove it or correct the spelling; allowed keys: {keys}",
                        keys=", ".join(TOP_LEVEL_KEYS),
                    ),
                )
            )
    base = _load_base(document, rule_applier, _chain, problems, _dependencies)
    rules_document = _rules_from(document, problems, _dependencies)
    merged, origins = merge_with_base(document, base, problems, rules_document)
    problems += remap(
        cross_reference_problems(merged["departments"], merged["stages"], merged["items"]), origins
    )
    if merged.get("mix") is not None:
        own = merged.get("profiles")
        from approval_model.profiles import builtin_profiles

        problems += mix_problems(merged["mix"], own if isinstance(own, Mapping) else {}, builtin_profiles())
    # targets are attached after the rules: a rule may create the stages they name (four_stage_model)
    targets = merged.pop("targets", None)
    if targets is not None:
        try:
            ApprovalTargets.model_validate(targets)
        except ValidationError as error:
            problems += [
                Problem(("targets", *p.location), p.message, p.fix) for p in validation_problems(error)
            ]
    if base is None:
        for key in ("name", "departments", "stages", "items"):
            if key not in data:
                problems.append(
                    Problem(
                        (key,),
                        Message("missing required key '{key}'", key=key),
                        Message("add '{key}:' (see docs/scenario-format.md)", key=key),
                    )
                )
    process: Process | None = None
    try:
        process = Process.model_validate(merged)
    except ValidationError as error:
        # a root-level error is the cross-reference check again, already reported above from the raw data
        field_problems = [p for p in validation_problems(error) if p.location]
        problems += remap(field_problems, origins)
    if problems:
        raise_problems(document, problems)
    assert process is not None
    rules = data.get("rules")
    if rules_document is not None:
        if rule_applier is None:
            raise_problems(
                document,
                [
                    Problem(
                        ("rules_from",),
                        Message("this file takes rules from another scenario but no rule engine was given"),
                        Message(
                            "load it with rules.loading.load (as the approval-sim CLI does), which applies rules"
                        ),
                    )
                ],
            )
        process = rule_applier(process, rules_document.data["rules"], rules_document)
    if rules:
        if rule_applier is None:
            raise_problems(
                document,
                [
                    Problem(
                        ("rules",),
                        Message("this file lists rules but no rule engine was given"),
                        Message(
                            "load it with rules.loading.load (as the approval-sim CLI does), which applies rules"
                        ),
                    )
                ],
            )
        process = rule_applier(process, rules, document)
    if targets is not None:
        stage_problems = target_problems(targets, [stage.id for stage in process.stages])
        if stage_problems:
            raise_problems(document, stage_problems)
        process = process.replace(targets=targets)
    return process


def _load_base(
    document: ScenarioDocument,
    rule_applier: RuleApplier | None,
    chain: tuple[Path, ...],
    problems: list[Problem],
    dependencies: list[Stamp] | None,
) -> Process | None:
    reference = document.data.get("base")
    if reference is None:
        return None
    if not isinstance(reference, str):
        problems.append(
            Problem(
                ("base",),
                Message("base must be a built-in scenario name or a file path"),
                Message(
                    "e.g. 'base: luoyang-2017-before' (built-in: {names})", names=", ".join(builtin_names())
                ),
            )
        )
        return None
    relative_to = document.path.parent if document.path else None
    base_path = resolve_reference(reference, relative_to).resolve()
    if base_path in chain:
        loop = " -> ".join(p.name for p in (*chain, base_path))
        problems.append(
            Problem(
                ("base",),
                Message("scenarios name each other as base in a loop: {loop}", loop=loop),
                Message("make one of them start from a built-in scenario instead"),
            )
        )
        return None
    try:
        stamps, base = _load(reference, rule_applier, relative_to, chain)
    except ScenarioError as error:
        problems.append(
            Problem(
                ("base",),
                Message(
                    "the base scenario '{reference}' is invalid:\n    {problems}",
                    reference=reference,
                    problems=Joined("\n    ", error.lines()),
                ),
                Message("fix the base scenario first"),
            )
        )
        return None
    if dependencies is not None:
        dependencies.extend(stamps)
    return base


def _rules_from(
    document: ScenarioDocument, problems: list[Problem], dependencies: list[Stamp] | None
) -> ScenarioDocument | None:
    """The scenario named by ``rules_from:``, whose own ``rules:`` are applied before this file's rules.

    It lets a catalog extended with more items (e.g. intermediary services) take the very rules another
    scenario applies to the plain catalog, without copying them: only that file's own ``rules:`` list is used
    (not its base's, not its ``rules_from``), and its ``sources:`` join this file's table.
    """
    reference = document.data.get("rules_from")
    if reference is None:
        return None
    if not isinstance(reference, str):
        problems.append(
            Problem(
                ("rules_from",),
                Message("rules_from must be a built-in scenario name or a file path"),
                Message("e.g. 'rules_from: luoyang-2017-after'"),
            )
        )
        return None
    relative_to = document.path.parent if document.path else None
    path = resolve_reference(reference, relative_to)
    if document.path is not None and path.resolve() == document.path.resolve():
        problems.append(
            Problem(
                ("rules_from",),
                Message("a scenario cannot take rules from itself"),
                Message("name another scenario"),
            )
        )
        return None
    try:
        other = read_document(path)
    except ScenarioError as error:
        problems.append(
            Problem(
                ("rules_from",),
                Message(
                    "cannot read '{reference}':\n    {problems}",
                    reference=reference,
                    problems=Joined("\n    ", error.lines()),
                ),
                Message("name a built-in scenario or an existing file"),
            )
        )
        return None
    if not isinstance(other.data.get("rules"), list) or not other.data["rules"]:
        problems.append(
            Problem(
                ("rules_from",),
                Message("'{reference}' has no 'rules:' list of its own to take", reference=reference),
                Message("name a scenario that lists rules (e.g. luoyang-2017-after)"),
            )
        )
        return None
    if dependencies is not None:
        dependencies.append(_stamp(path.resolve()))
    return other
