"""Load scenarios: built-in names or files, with the rules engine wired in, restricted to a project profile."""

from __future__ import annotations

from pathlib import Path

from approval_model.limits import LimitBasis
from approval_model.models import Process
from approval_model.profiles import DEFAULT_PROFILE, applicable_process, load_profile
from approval_model.scenario import RuleApplier, load_process
from rules.scenario import apply_scenario_rules

__all__ = ["for_profile", "load", "rule_applier", "with_limit_basis"]


def rule_applier() -> RuleApplier:
    """What applies a scenario's ``rules:`` (approval_model.scenario takes it as a parameter: the domain does
    not import the rules package)."""
    return apply_scenario_rules


def load(reference: str | Path) -> Process:
    """A validated process from a built-in name or a scenario file (raises ScenarioError)."""
    return load_process(reference, rule_applier=rule_applier())


def for_profile(process: Process, profile: str | None) -> Process:
    """Restrict to the items that apply: the named profile, else the scenario's own, else the default."""
    if profile is None:
        chosen = process.profile if process.profile is not None else load_profile(DEFAULT_PROFILE)
    else:
        chosen = load_profile(profile)
    return applicable_process(process, chosen)


def with_limit_basis(process: Process, basis: LimitBasis | str | None) -> Process:
    """The process worked to its statutory or promised limits (None keeps the scenario's own setting)."""
    if basis is None or basis == process.simulation.limit_basis:
        return process
    return process.replace(
        simulation=process.simulation.model_copy(update={"limit_basis": LimitBasis(basis)})
    )
