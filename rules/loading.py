"""Load scenarios: built-in names or files, with the rules engine wired in, restricted to a project profile."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from approval_model.limits import LimitBasis
from approval_model.models import Process
from approval_model.profiles import DEFAULT_PROFILE, applicable_process, load_profile
from approval_model.scenario import RuleApplier, load_process
from approval_model.scenario import scenario_files as _scenario_files
from approval_model.scenario_document import ScenarioDocument
from rules.scenario import apply_scenario_rules

__all__ = [
    "for_profile",
    "for_simulation",
    "load",
    "load_summed",
    "rule_applier",
    "scenario_files",
    "summed_variant",
    "with_limit_basis",
]

MERGE_RULES = ("merge_same_department_stage", "merge_government_early_approvals")


def rule_applier() -> RuleApplier:
    """What applies a scenario's ``rules:`` (approval_model.scenario takes it as a parameter: the domain does
    not import the rules package)."""
    return apply_scenario_rules


def load(reference: str | Path) -> Process:
    """A validated process from a built-in name or a scenario file (raises ScenarioError)."""
    return load_process(reference, rule_applier=rule_applier())


def scenario_files(reference: str | Path) -> tuple[Path, ...]:
    """Every file loading ``reference`` reads: itself, its bases and ``rules_from`` files (see
    :func:`approval_model.scenario.scenario_files`)."""
    return _scenario_files(reference, rule_applier=rule_applier())


def for_profile(process: Process, profile: str | None) -> Process:
    """Restrict to the items that apply: the named profile (one of the scenario's own ``profiles`` first, then a
    built-in one or a file), else the scenario's default profile, else the default."""
    if profile is None:
        chosen = process.profile if process.profile is not None else load_profile(DEFAULT_PROFILE)
    elif profile in process.profiles:
        chosen = process.profiles[profile]
    else:
        chosen = load_profile(profile, own=process.profiles)
    restricted = applicable_process(process, chosen)
    if restricted.mix is not None:  # one profile chosen: the mix no longer applies
        restricted = restricted.model_copy(update={"mix": None})
    return restricted


def for_simulation(process: Process, profile: str | None) -> Process:
    """What simulate and compare run: the named profile (``--profile``) if given; else, when the scenario
    declares a project ``mix``, the whole catalog with its mix (each project draws its profile from it);
    else :func:`for_profile`."""
    if profile is None and process.mix is not None:
        return process
    return for_profile(process, profile)


def with_limit_basis(process: Process, basis: LimitBasis | str | None) -> Process:
    """The process worked to its statutory or promised limits (None keeps the scenario's own setting)."""
    if basis is None or basis == process.simulation.limit_basis:
        return process
    return process.replace(
        simulation=process.simulation.model_copy(update={"limit_basis": LimitBasis(basis)})
    )


def _merges_summed(rules: list[Any]) -> list[Any]:
    """The rules with every merge whose limit rule is not stated taking the sum of its members' limits."""
    out: list[Any] = []
    for rule in rules:
        if (
            isinstance(rule, dict)
            and rule.get("rule") == MERGE_RULES[0]
            and isinstance(rule.get("groups"), list)
        ):
            groups = [
                {**group, "limit": "sum"} if isinstance(group, dict) and "limit" not in group else group
                for group in rule["groups"]
            ]
            rule = {**rule, "groups": groups}
        elif isinstance(rule, dict) and rule.get("rule") == MERGE_RULES[1] and "limit" not in rule:
            rule = {**rule, "limit": "sum"}
        out.append(rule)
    return out


def _apply_summed(process: Process, rules: list[Any], document: ScenarioDocument) -> Process:
    return apply_scenario_rules(process, _merges_summed(rules), document)


def load_summed(reference: str | Path) -> Process:
    """The scenario with the limit of every merged item whose merge does not state ``limit:`` taken as the sum
    of its members' limits instead of the longest: the other end of the ``merged_limit`` assumption."""
    return load_process(reference, rule_applier=_apply_summed)


def summed_variant(reference: str | Path, profile: str | None, basis: str | None) -> Process | None:
    """:func:`load_summed` prepared like the simulated process (profile, limit basis); None when the scenario
    merges nothing with an unstated limit rule (then the variant is the process itself)."""
    nominal, summed = load(reference), load_summed(reference)
    if [i.statutory_limit_days for i in nominal.items] == [i.statutory_limit_days for i in summed.items] and [
        i.promised_limit_days for i in nominal.items
    ] == [i.promised_limit_days for i in summed.items]:
        return None
    return with_limit_basis(for_simulation(summed, profile), basis)
