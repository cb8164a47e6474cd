"""Cross-reference checks of a process: ids unique, references resolve, stages declared, no cycle.

They work on plain data (lists of dicts) so that they can run even when some items failed field validation,
and every problem in a file is reported together.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from graphlib import CycleError, TopologicalSorter
from typing import Any

from approval_model.problems import ENTRY_WORDS, Problem, did_you_mean
from messages import Message

__all__ = ["cross_reference_problems", "mix_problems", "prerequisite_ids", "target_problems"]


def prerequisite_ids(item: Mapping[str, Any]) -> list[str]:
    """Prerequisite ids of a raw item whether written as plain ids or as {item: ...} records."""
    ids: list[str] = []
    entries = item.get("prerequisites") or ()
    if not isinstance(entries, list | tuple):  # a wrong type is reported by the field validation
        return ids
    for entry in entries:
        if isinstance(entry, str):
            ids.append(entry)
        elif isinstance(entry, Mapping) and isinstance(entry.get("item"), str):
            ids.append(entry["item"])
        elif hasattr(entry, "item"):
            ids.append(entry.item)
    return ids


def _ids(entries: Sequence[Any]) -> list[str]:
    return [e["id"] for e in entries if isinstance(e, Mapping) and isinstance(e.get("id"), str)]


def _duplicates(kind: str, key: str, entries: Sequence[Any]) -> list[Problem]:
    counts = Counter(_ids(entries))
    problems = []
    for index, entry in enumerate(entries):
        ident = entry.get("id") if isinstance(entry, Mapping) else None
        if isinstance(ident, str) and counts[ident] > 1:
            first = _ids(entries).index(ident)
            if index != first:
                problems.append(
                    Problem(
                        (key, index, "id"),
                        Message(
                            "duplicate {kind} id '{ident}' (also {key}[{first}])",
                            kind=ENTRY_WORDS.get(kind, kind),
                            ident=ident,
                            key=key,
                            first=first,
                        ),
                        Message(
                            "give each {kind} its own id, or merge the two entries",
                            kind=ENTRY_WORDS.get(kind, kind),
                        ),
                    )
                )
    return problems


def cross_reference_problems(
    departments: Sequence[Any], stages: Sequence[Any], items: Sequence[Any]
) -> list[Problem]:
    """Every cross-reference problem of a process given as raw dicts; empty when consistent."""
    problems = _duplicates("department", "departments", departments)
    problems += _duplicates("stage", "stages", stages)
    problems += _duplicates("item", "items", items)
    department_ids, stage_ids, item_ids = set(_ids(departments)), _ids(stages), _ids(items)
    known_items = set(item_ids)
    for index, stage in enumerate(stages):
        lead = stage.get("lead_department") if isinstance(stage, Mapping) else None
        if isinstance(lead, str) and lead not in department_ids:
            problems.append(
                Problem(
                    ("stages", index, "lead_department"),
                    Message(
                        "unknown lead department '{department}'{hint}",
                        department=lead,
                        hint=did_you_mean(lead, department_ids),
                    ),
                    Message(
                        "use one of the declared departments ({declared})",
                        declared=", ".join(sorted(department_ids)),
                    ),
                )
            )
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            continue
        department = item.get("department")
        if isinstance(department, str) and department not in department_ids:
            problems.append(
                Problem(
                    ("items", index, "department"),
                    Message(
                        "unknown department '{department}'{hint}",
                        department=department,
                        hint=did_you_mean(department, department_ids),
                    ),
                    Message(
                        "use one of the declared departments ({declared}) or declare it under 'departments'",
                        declared=", ".join(sorted(department_ids)),
                    ),
                )
            )
        stage = item.get("stage")
        if isinstance(stage, str) and stage not in stage_ids:
            problems.append(
                Problem(
                    ("items", index, "stage"),
                    Message(
                        "stage '{stage}' is not declared{hint}",
                        stage=stage,
                        hint=did_you_mean(stage, stage_ids),
                    ),
                    Message(
                        "use one of the declared stages ({declared}) or add it under 'stages'",
                        declared=", ".join(stage_ids),
                    ),
                )
            )
        for position, prerequisite in enumerate(prerequisite_ids(item)):
            if prerequisite not in known_items:
                problems.append(
                    Problem(
                        ("items", index, "prerequisites", position),
                        Message(
                            "unknown prerequisite '{item}'{hint}",
                            item=prerequisite,
                            hint=did_you_mean(prerequisite, known_items),
                        ),
                        Message("name an item id declared under 'items', or remove the prerequisite"),
                    )
                )
    problems += _cycle_problems(items, known_items)
    return problems


def target_problems(targets: Any, stage_ids: Sequence[str]) -> list[Problem]:
    """A per-stage time target must name a declared stage."""
    if not isinstance(targets, Mapping):
        return []
    stages = targets.get("stage_approval_days")
    if not isinstance(stages, Mapping):
        return []
    return [
        Problem(
            ("targets", "stage_approval_days", stage),
            Message(
                "stage '{stage}' is not declared{hint}", stage=stage, hint=did_you_mean(str(stage), stage_ids)
            ),
            Message("use one of the declared stages ({declared})", declared=", ".join(stage_ids)),
        )
        for stage in stages
        if stage not in stage_ids
    ]


def _cycle_problems(items: Sequence[Any], known_items: set[str]) -> list[Problem]:
    """Every cycle, named item by item. graphlib (stdlib) finds one with its members; the loop removes one of
    its edges and looks again, so independent cycles are all reported."""
    prerequisites: dict[str, set[str]] = {}
    index_of: dict[str, int] = {}
    for index, item in enumerate(items):
        if isinstance(item, Mapping) and isinstance(item.get("id"), str):
            index_of.setdefault(item["id"], index)
            wanted = prerequisites.setdefault(item["id"], set())
            wanted.update(p for p in prerequisite_ids(item) if p in known_items)
    problems: list[Problem] = []
    while True:
        try:
            TopologicalSorter(prerequisites).prepare()
        except CycleError as error:
            members = list(error.args[1])  # each one a prerequisite of the next; first == last
        else:
            return problems
        before, after = members[-2], members[-1]
        problems.append(
            Problem(
                ("items", index_of[members[0]], "prerequisites"),
                Message("prerequisites form a cycle: {cycle}", cycle=" -> ".join(members)),
                Message(
                    "remove one of these prerequisites so the items can be ordered (e.g. '{before}' "
                    "from the prerequisites of '{after}')",
                    before=before,
                    after=after,
                ),
            )
        )
        prerequisites[after].discard(before)


MIX_EXAMPLE = "mix: {enterprise-filing-typical: 70, government-typical: 30}"


def mix_problems(mix: Any, own_profiles: Iterable[str], builtin: Iterable[str]) -> list[Problem]:
    """A project mix names known profiles (the scenario's own, then the built-in ones) and has some positive
    weight."""
    if not isinstance(mix, Mapping):
        return [
            Problem(
                ("mix",),
                Message("'mix' must map profile names to weights"),
                Message("for example {example}", example=MIX_EXAMPLE),
            )
        ]
    own = list(own_profiles)
    known = [*own, *(name for name in builtin if name not in own)]
    problems = [
        Problem(
            ("mix", str(name)),
            Message("unknown profile '{name}'{hint}", name=str(name), hint=did_you_mean(str(name), known)),
            Message(
                "name a profile of this scenario's 'profiles' or a built-in one: {known}",
                known=", ".join(known),
            ),
        )
        for name in mix
        if name not in known
    ]
    weights = [w for w in mix.values() if isinstance(w, int | float) and not isinstance(w, bool)]
    if not mix or (len(weights) == len(mix) and sum(weights) <= 0):
        problems.append(
            Problem(
                ("mix",),
                Message("a mix needs at least one profile with a positive weight"),
                Message("for example {example}", example=MIX_EXAMPLE),
            )
        )
    return problems
