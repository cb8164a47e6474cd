"""Scenario files (YAML): reading, `base:` inheritance and validation with errors a planner can act on.

A problem is reported with the file, the line, the item and the fix; all problems of a file come together in
one :class:`~approval_model.problems.ScenarioError`. The format is documented in ``docs/scenario-format.md``.

Rules (``rules:``) are applied by a callable passed in by the caller (the ``rules`` package), because the
domain layer must not depend on the rules layer.

Long (about 780 lines) because reading a file, resolving ``base:`` and ``rules_from:``, merging entries with
the base and mapping each validation error back to the file's line are one pipeline over one document. The seams
to split along, should it grow: the base merge (``_merge_with_base`` and its helpers) and the error mapping
(``_validation_problems`` to ``_subject``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import yaml
from pydantic import BaseModel, ValidationError

from approval_model import safe_yaml
from approval_model.bounds import BOUNDS_ERROR
from approval_model.consistency import cross_reference_problems, mix_problems, target_problems
from approval_model.models import (
    Applicability,
    ApprovalItem,
    ApprovalTargets,
    Department,
    HandlingDistribution,
    Prerequisite,
    Process,
    ProjectProfile,
    Provenance,
    SimulationSettings,
    Stage,
    Supplement,
    TimeTarget,
)
from approval_model.problems import ENTRY_WORDS, Problem, ScenarioError, did_you_mean, format_location
from messages import Joined, Message

__all__ = [
    "BUILTIN_DIR",
    "RuleApplier",
    "ScenarioDocument",
    "builtin_names",
    "load_process",
    "read_document",
    "resolve_reference",
    "scenario_files",
]

BUILTIN_DIR = Path(__file__).parent / "data" / "scenarios"

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
# numeric fields that accept the shorthand {value, status, sources, note}
PROVENANCED_FIELDS = ("statutory_limit_days", "promised_limit_days", "materials")
PROVENANCE_KEYS = ("status", "sources", "note")
# which model an unknown key was found in, by the name of the field that holds it
NESTED_MODELS: dict[str, type[BaseModel]] = {
    "items": ApprovalItem,
    "departments": Department,
    "stages": Stage,
    "prerequisites": Prerequisite,
    "applies_when": Applicability,
    "handling_days": HandlingDistribution,
    "applicant_days": HandlingDistribution,
    "excluded_days": HandlingDistribution,
    "supplement": Supplement,
    "simulation": SimulationSettings,
    "profile": ProjectProfile,
    "targets": ApprovalTargets,
    "approval_days": TimeTarget,
    "elapsed_days": TimeTarget,
}


@dataclass
class ScenarioDocument:
    """A parsed scenario file with the line of every key and list entry, for messages."""

    label: str
    path: Path | None
    data: dict[str, Any]
    lines: dict[tuple[str | int, ...], int] = field(default_factory=dict)

    def line_of(self, location: Sequence[str | int]) -> int | None:
        """The line of a location, or of its nearest ancestor present in the file."""
        location = tuple(location)
        while location:
            if location in self.lines:
                return self.lines[location]
            location = location[:-1]
        return None


RuleApplier = Callable[[Process, list[Any], ScenarioDocument], Process]


def builtin_names() -> list[str]:
    """Names of the built-in scenarios (``luoyang-2017-before``, ...)."""
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml"))


def resolve_reference(reference: str | Path, relative_to: Path | None = None) -> Path:
    """A built-in scenario name or a file path (relative paths resolve against the referring file)."""
    text = str(reference)
    candidate = BUILTIN_DIR / f"{text}.yaml"
    if "/" not in text and not text.endswith((".yaml", ".yml")) and candidate.exists():
        return candidate
    path = Path(text).expanduser()
    if not path.is_absolute() and relative_to is not None and not path.exists():
        path = relative_to / path
    return path


def _label(path: Path) -> str:
    try:
        if path.resolve().parent == BUILTIN_DIR.resolve():
            return f"built-in scenario '{path.stem}'"
    except OSError:
        pass
    return str(path)


def _record_lines(node: yaml.Node, location: tuple[str | int, ...], lines: dict) -> None:
    lines.setdefault(location, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            lines[(*location, key)] = key_node.start_mark.line + 1
            _record_lines(value_node, (*location, key), lines)
            lines[(*location, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, child in enumerate(node.value):
            _record_lines(child, (*location, index), lines)


def read_document(path: Path, label: str | None = None) -> ScenarioDocument:
    """Parse a scenario file; a missing file, YAML syntax error or non-mapping top level is a ScenarioError."""
    label = label or _label(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        names = ", ".join(builtin_names())
        raise ScenarioError(
            label,
            [
                Problem(
                    (),
                    Message("no such file or built-in scenario"),
                    Message("give a path to a YAML file or one of: {names}", names=names),
                )
            ],
        ) from None
    except IsADirectoryError:
        raise ScenarioError(
            label,
            [
                Problem(
                    (),
                    Message("is a folder, not a scenario file"),
                    Message("give the path of one YAML scenario file"),
                )
            ],
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError(
            label,
            [
                Problem(
                    (),
                    Message("cannot read the file ({error})", error=str(error)),
                    Message("save it as UTF-8 text"),
                )
            ],
        ) from None
    try:
        data, node = safe_yaml.parse(text)  # libyaml when available: parsing is the slow part
    except safe_yaml.YamlShapeError as error:
        raise ScenarioError(label, [Problem((), error.message, error.fix, error.line)]) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(error, "problem", None) or str(error)  # the YAML parser's own words (English)
        raise ScenarioError(
            label,
            [
                Problem(
                    (),
                    Message(
                        "YAML syntax error (column {column}): {problem}",
                        column=mark.column + 1,
                        problem=problem,
                    )
                    if mark is not None
                    else Message("YAML syntax error: {problem}", problem=problem),
                    Message("check indentation, colons and quotes on this line and the one before"),
                    line,
                )
            ],
        ) from None
    if not isinstance(data, dict):
        raise ScenarioError(
            label,
            [
                Problem(
                    (),
                    Message(
                        "the file must be a YAML mapping with 'name', 'departments', 'stages' and 'items'"
                    ),
                    Message("start from the example in docs/scenario-format.md"),
                    1,
                )
            ],
        )
    lines: dict[tuple[str | int, ...], int] = {}
    if node is not None:
        _record_lines(node, (), lines)
    return ScenarioDocument(label=label, path=path, data=data, lines=lines)


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
    merged, origins = _merge_with_base(document, base, problems, rules_document)
    problems += _remap(
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
                Problem(("targets", *p.location), p.message, p.fix) for p in _validation_problems(error)
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
        field_problems = [p for p in _validation_problems(error) if p.location]
        problems += _remap(field_problems, origins)
    if problems:
        _raise(document, problems, merged)
    assert process is not None
    rules = data.get("rules")
    if rules_document is not None:
        if rule_applier is None:
            _raise(
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
                merged,
            )
        process = rule_applier(process, rules_document.data["rules"], rules_document)
    if rules:
        if rule_applier is None:
            _raise(
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
                merged,
            )
        process = rule_applier(process, rules, document)
    if targets is not None:
        stage_problems = target_problems(targets, [stage.id for stage in process.stages])
        if stage_problems:
            _raise(document, stage_problems, merged)
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


def _normalise_item(raw: Any, index: int, problems: list[Problem]) -> Any:
    """Expand the shorthand {value, status, sources, note} of an item's numbers into value + provenance."""
    if not isinstance(raw, Mapping):
        return raw
    item = dict(raw)
    raw_provenance = item.get("provenance", {})
    provenance = dict(raw_provenance) if isinstance(raw_provenance, Mapping) else raw_provenance
    for name in PROVENANCED_FIELDS:
        value = item.get(name)
        if isinstance(value, Mapping) and "value" in value:
            extra = [k for k in value if k not in ("value", *PROVENANCE_KEYS)]
            for key in extra:
                problems.append(
                    Problem(
                        ("items", index, name, key),
                        Message(
                            "unknown key '{key}' in {name}{hint}",
                            key=key,
                            name=name,
                            hint=did_you_mean(str(key), PROVENANCE_KEYS),
                        ),
                        Message("write {{value: N, status: documented|assumed, sources: [...], note: ...}}"),
                    )
                )
            item[name] = value["value"]
            if isinstance(provenance, dict) and any(k in value for k in PROVENANCE_KEYS):
                provenance[name] = {k: value[k] for k in PROVENANCE_KEYS if k in value}
    if isinstance(provenance, dict) and provenance:
        item["provenance"] = provenance
    return item


def _merge_entries(
    key: str,
    base_entries: list[dict],
    file_entries: Any,
    problems: list[Problem],
    normalise: Callable | None = None,
) -> tuple[list[Any], list[int | None]]:
    """Entries of the base, patched field-wise by same-id entries of the file, then the file's new entries."""
    merged: list[Any] = [dict(e) for e in base_entries]
    origins: list[int | None] = [None] * len(merged)
    if file_entries is None:
        return merged, origins
    if not isinstance(file_entries, list):
        problems.append(
            Problem(
                (key,),
                Message("'{key}' must be a list of entries", key=key),
                Message("write each entry as '- id: ...' under '{key}:'", key=key),
            )
        )
        return merged, origins
    position = {e.get("id"): i for i, e in enumerate(merged)}
    for index, entry in enumerate(file_entries):
        if normalise is not None:
            entry = normalise(entry, index, problems)
        if not isinstance(entry, Mapping):
            problems.append(
                Problem(
                    (key, index),
                    Message("each entry of '{key}' must be a mapping with an 'id'", key=key),
                    Message("write it as '- id: ...' followed by its fields"),
                )
            )
            merged.append(entry)
            origins.append(index)
            continue
        target = position.get(entry.get("id")) if base_entries else None
        if target is not None and origins[target] is None:
            patched = {**merged[target], **entry}
            old, new = merged[target].get("provenance"), entry.get("provenance")
            if isinstance(old, Mapping) and isinstance(new, Mapping):
                patched["provenance"] = {**old, **new}  # a patch adds provenance, it does not drop the base's
            merged[target] = patched
            origins[target] = index
        else:
            merged.append(dict(entry))
            origins.append(index)
    return merged, origins


def _merge_with_base(
    document: ScenarioDocument,
    base: Process | None,
    problems: list[Problem],
    rules_document: ScenarioDocument | None = None,
) -> tuple[dict[str, Any], dict[str, list[int | None]]]:
    data = document.data
    base_dump = base.model_dump(mode="python", exclude_unset=False) if base is not None else {}
    merged: dict[str, Any] = {}
    for key in (
        "name",
        "title",
        "description",
        "sources",
        "simulation",
        "profile",
        "baseline",
        "targets",
        "mix",
    ):
        if key in data:
            merged[key] = data[key]
        elif key in base_dump and key != "name":
            merged[key] = base_dump[key]
    merged.setdefault("name", data.get("name", base_dump.get("name")))
    profiles = data.get("profiles")
    if profiles is None:
        profiles = base_dump.get("profiles", {})
    elif base_dump.get("profiles") and isinstance(profiles, Mapping):
        profiles = {**base_dump["profiles"], **profiles}
    if profiles:
        merged["profiles"] = profiles
    if isinstance(merged.get("profile"), str):
        own_profiles = profiles if isinstance(profiles, Mapping) else {}
        merged["profile"] = _profile_by_name(merged["profile"], own_profiles, problems)
    if base is not None and isinstance(data.get("sources"), Mapping):
        merged["sources"] = {**base_dump.get("sources", {}), **data["sources"]}
    if rules_document is not None and isinstance(rules_document.data.get("sources"), Mapping):
        own = merged["sources"] if isinstance(merged.get("sources"), Mapping) else {}
        merged["sources"] = {**rules_document.data["sources"], **own}
    if (
        base is not None
        and isinstance(data.get("targets"), Mapping)
        and isinstance(base_dump.get("targets"), Mapping)
    ):  # a file's targets add to (or replace, key by key) its base's
        merged["targets"] = {**base_dump["targets"], **data["targets"]}
    origins: dict[str, list[int | None]] = {}
    for key, normalise in (("departments", None), ("stages", None), ("items", _normalise_item)):
        merged[key], origins[key] = _merge_entries(
            key, list(base_dump.get(key, [])), data.get(key), problems, normalise
        )
    removed = data.get("remove_items") or []
    if removed:
        known = {i.get("id") for i in merged["items"] if isinstance(i, Mapping)}
        for position, item_id in enumerate(removed):
            if item_id not in known:
                problems.append(
                    Problem(
                        ("remove_items", position),
                        Message(
                            "cannot remove unknown item '{item}'{hint}",
                            item=item_id,
                            hint=did_you_mean(str(item_id), [k for k in known if k]),
                        ),
                        Message("name an item of the base"),
                    )
                )
        keep = [
            i
            for i, item in enumerate(merged["items"])
            if not (isinstance(item, Mapping) and item.get("id") in removed)
        ]
        merged["items"] = [merged["items"][i] for i in keep]
        origins["items"] = [origins["items"][i] for i in keep]
    _apply_gates(merged["items"], origins["items"], problems)
    lineage = tuple(base.lineage) + (base.name,) if base is not None else ()
    merged["lineage"] = lineage
    return merged, origins


def _apply_gates(items: list[Any], origins: list[int | None], problems: list[Problem]) -> None:
    """``gates: [I02, ...]`` on an item (file syntax only): it must finish before those items start.

    Written on the new step, so an extension (an intermediary service that gates an approval of the base)
    need not restate the gated item's prerequisites; each becomes a prerequisite record of the gated item
    (``{item: I02, status, sources, note}`` carries the ordering's provenance, a plain id is assumed).
    """
    position = {item.get("id"): index for index, item in enumerate(items) if isinstance(item, Mapping)}
    for index, item in enumerate(items):
        if not isinstance(item, Mapping) or "gates" not in item:
            continue
        gates = item.get("gates")
        items[index] = {k: v for k, v in item.items() if k != "gates"}
        found = origins[index]
        origin: int | str = found if found is not None else f"base:{index}"
        if not isinstance(gates, list):
            problems.append(
                Problem(
                    ("items", origin, "gates"),
                    Message("'gates' must be a list of item ids (or {{item, status, sources, note}})"),
                    Message("e.g. 'gates: [I02]'"),
                )
            )
            continue
        for number, gate in enumerate(gates):
            record = {"item": gate} if isinstance(gate, str) else gate
            target = record.get("item") if isinstance(record, Mapping) else None
            if target not in position:
                known = [k for k in position if isinstance(k, str)]
                problems.append(
                    Problem(
                        ("items", origin, "gates", number),
                        Message(
                            "gates unknown item '{item}'{hint}",
                            item=target,
                            hint=did_you_mean(str(target), known),
                        ),
                        Message("name an item of this scenario or its base"),
                    )
                )
                continue
            entry = {k: v for k, v in record.items() if k != "item"}
            entry = {"item": item.get("id"), "status": "assumed", **entry}
            gated = dict(items[position[target]])
            gated["prerequisites"] = [*(gated.get("prerequisites") or ()), entry]
            items[position[target]] = gated


def _profile_by_name(name: str, own: Mapping[str, Any], problems: list[Problem]) -> dict[str, Any] | None:
    """A profile named by ``profile:``: one of the scenario's own ``profiles`` first, else a built-in one."""
    from approval_model.profiles import builtin_profiles

    if name in own:
        body = own[name]
        return {**body, "name": name} if isinstance(body, Mapping) and "name" not in body else body
    profiles = builtin_profiles()
    if name not in profiles:
        known = [*own, *profiles]
        problems.append(
            Problem(
                ("profile",),
                Message("unknown profile '{name}'{hint}", name=name, hint=did_you_mean(name, known)),
                Message(
                    "use one of {known}, declare it under 'profiles', or write the profile inline",
                    known=", ".join(known),
                ),
            )
        )
        return None
    return profiles[name].model_dump()


def _strip_type_tags(location: tuple[Any, ...]) -> tuple[str | int, ...]:
    """Pydantic adds union-member tags ('int', 'tuple[str, ...]') to locations; planners need field names."""
    kept: list[str | int] = []
    for part in location:
        if isinstance(part, str) and (
            "[" in part or part in ("int", "float", "str", "bool", "HandlingDistribution")
        ):
            continue
        kept.append(part)
    return tuple(kept)


def _validation_problems(error: ValidationError) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[tuple[Any, ...]] = set()
    for detail in error.errors(include_url=False):
        location = _strip_type_tags(detail["loc"])
        if location in seen:
            continue
        seen.add(location)
        problems.append(_problem_from_detail(location, detail))
    return problems


def _problem_from_detail(location: tuple[str | int, ...], detail: Mapping[str, Any]) -> Problem:
    kind = detail["type"]
    name = str(location[-1]) if location else "value"
    value = detail.get("input")
    if kind == "missing":
        return Problem(
            location,
            Message("missing required field '{name}'", name=name),
            Message("add '{name}: ...' to this entry", name=name),
        )
    if kind == "extra_forbidden":
        parent = next((p for p in reversed(location[:-1]) if isinstance(p, str)), "")
        if "provenance" in location[:-1]:
            model: type[BaseModel] | None = Provenance
        elif location[:1] == ("profiles",) and len(location) == 3:
            model = ProjectProfile
        else:
            model = NESTED_MODELS.get(parent)
        allowed = list(model.model_fields) if model is not None else []
        return Problem(
            location,
            Message("unknown key '{key}'{hint}", key=name, hint=did_you_mean(name, allowed)),
            Message("remove it or correct the spelling; allowed keys: {keys}", keys=", ".join(allowed))
            if allowed
            else Message("remove it or correct the spelling; see docs/scenario-format.md"),
        )
    if kind == BOUNDS_ERROR:
        return Problem(
            location,
            _out_of_bounds(name, detail.get("ctx", {}), value)
            or Message("'{name}' {reason} (got {value!r})", name=name, reason=detail["msg"], value=value),
            Message("write a plain number in that range (true/false, .inf and .nan are not numbers)"),
        )
    if kind in ("greater_than", "greater_than_equal"):
        bound = detail.get("ctx", {}).get("gt", detail.get("ctx", {}).get("ge"))
        op = ">" if kind == "greater_than" else ">="
        fix = (
            Message("give a positive number of working days")
            if name.endswith("_days")
            else Message("use a value {op} {bound}", op=op, bound=bound)
        )
        bound_text = f"{bound:g}" if isinstance(bound, int | float) else bound
        return Problem(
            location,
            Message(
                "'{name}' must be {op} {bound} (got {value!r})",
                name=name,
                op=op,
                bound=bound_text,
                value=value,
            ),
            fix,
        )
    if kind in ("less_than_equal", "less_than"):
        ctx = detail.get("ctx", {})
        bound = ctx.get("lt", ctx.get("le"))
        shown = format(bound, "g") if isinstance(bound, int | float) else bound
        op = "<" if kind == "less_than" else "<="
        return Problem(
            location,
            Message(
                "'{name}' must be {op} {bound} (got {value!r})", name=name, op=op, bound=shown, value=value
            ),
            Message("use a smaller value"),
        )
    expected = _EXPECTED.get(kind)
    if expected is not None:
        return Problem(
            location,
            Message("'{name}' must be {expected} (got {value!r})", name=name, expected=expected, value=value),
            Message("write a value of the expected type"),
        )
    if kind == "literal_error":
        return Problem(
            location,
            Message(
                "'{name}' must be one of {choices} (got {value!r})",
                name=name,
                choices=detail.get("ctx", {}).get("expected", "?"),
                value=value,
            ),
            Message("use one of the listed values"),
        )
    if kind.endswith("_type") or kind.endswith("_parsing"):  # pydantic's own words, in a translated frame
        return Problem(
            location,
            Message(
                "'{name}': {reason} (got {value!r})", name=name, reason=detail["msg"].lower(), value=value
            ),
            Message("write a value of the expected type"),
        )
    error = detail.get("ctx", {}).get("error")
    if isinstance(error, ValueError) and error.args and isinstance(error.args[0], Message):
        message: str = error.args[0]  # a model's own check, raised with a Message: keeps its translation
    else:
        message = detail["msg"].removeprefix("Value error, ")
    return Problem(
        location,
        Message("'{name}': {message}", name=name, message=message) if location else message,
        Message("see docs/scenario-format.md"),
    )


# what a value of each pydantic type error had to be, as words of a message
_EXPECTED = {
    "float_type": Message("a number"),
    "float_parsing": Message("a number"),
    "int_type": Message("a whole number"),
    "int_parsing": Message("a whole number"),
    "int_from_float": Message("a whole number"),
    "string_type": Message("text"),
    "bool_type": Message("true or false"),
    "bool_parsing": Message("true or false"),
    "list_type": Message("a list"),
    "tuple_type": Message("a list"),
    "set_type": Message("a list"),
    "dict_type": Message("a mapping (key: value)"),
    "model_type": Message("a mapping (key: value)"),
    "date_type": Message("a date (YYYY-MM-DD)"),
    "date_parsing": Message("a date (YYYY-MM-DD)"),
    "date_from_datetime_parsing": Message("a date (YYYY-MM-DD)"),
}


def _out_of_bounds(name: str, ctx: Mapping[str, Any], value: Any) -> Message | None:
    """The refusal of a bounded number (approval_model.bounds) as a translatable message."""
    if "low" not in ctx or "high" not in ctx:
        return None
    from approval_model.bounds import format_number

    values = {
        "name": name,
        "low": format_number(ctx["low"]),
        "high": format_number(ctx["high"]),
        "unit": Message(ctx["unit"]) if ctx.get("unit") else "",
        "value": value,
    }
    if not values["unit"]:
        if ctx.get("integer"):
            return Message("'{name}' must be a whole number from {low} to {high} (got {value!r})", **values)
        return Message("'{name}' must be a number from {low} to {high} (got {value!r})", **values)
    if ctx.get("integer"):
        return Message(
            "'{name}' must be a whole number from {low} to {high} {unit} (got {value!r})", **values
        )
    return Message("'{name}' must be a number from {low} to {high} {unit} (got {value!r})", **values)


def _remap(problems: list[Problem], origins: Mapping[str, list[int | None]]) -> list[Problem]:
    """Translate merged-list indexes back into the file's own list indexes."""
    remapped = []
    for problem in problems:
        location = problem.location
        if len(location) >= 2 and location[0] in origins and isinstance(location[1], int):
            entries = origins[str(location[0])]
            origin = entries[location[1]] if location[1] < len(entries) else location[1]
            location = (location[0], origin if origin is not None else f"base:{location[1]}", *location[2:])
        remapped.append(Problem(location, problem.message, problem.fix, problem.line))
    return remapped


def _raise(document: ScenarioDocument, problems: list[Problem], merged: Mapping[str, Any]) -> NoReturn:
    located, subjects = [], []
    for problem in sorted(problems, key=lambda p: p.line or document.line_of(p.location) or 10**9):
        location = problem.location
        line = problem.line or (None if _from_base(location) else document.line_of(location))
        located.append(Problem(location, problem.message, problem.fix, line))
        subjects.append(_subject(document, location))
    raise ScenarioError(document.label, located, subjects)


def _from_base(location: tuple[Any, ...]) -> bool:
    return len(location) >= 2 and isinstance(location[1], str) and location[1].startswith("base:")


def _subject(document: ScenarioDocument, location: tuple[Any, ...]) -> str:
    text = format_location(tuple(p for p in location if not (isinstance(p, str) and p.startswith("base:"))))
    if len(location) >= 2 and location[0] in ("items", "departments", "stages"):
        kind = ENTRY_WORDS[location[0].rstrip("s")]
        if _from_base(location):
            return Message(
                "{kind} #{number} of the base ({path})",
                kind=kind,
                number=location[1][5:],
                path=format_location(location[2:]) or "entry",
            )
        entries = document.data.get(location[0])
        if isinstance(entries, list) and isinstance(location[1], int) and location[1] < len(entries):
            entry = entries[location[1]]
            if isinstance(entry, Mapping) and isinstance(entry.get("id"), str):
                return Message("{kind} '{id}' ({path})", kind=kind, id=entry["id"], path=text)
    return text
