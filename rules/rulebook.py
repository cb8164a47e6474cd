"""Every rule by name: look one up, validate its parameters, apply one or a list to a process.

Importing this module imports every family of :mod:`rules.measures`, whose rules join the registry of
:mod:`rules.engine` as they are defined; the families import the engine, never this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import rules.measures  # noqa: F401 - every family registers its rules
from approval_model.models import Process
from rules.engine import REGISTRY, AuditEntry, Params, RuleSpec

__all__ = ["apply_rule", "apply_rules", "known_rules", "parse_params", "spec"]


def known_rules() -> list[str]:
    """Names of every registered rule, sorted."""
    return sorted(REGISTRY)


def spec(name: str) -> RuleSpec:
    """The rule registered under ``name`` (KeyError if none)."""
    return REGISTRY[name]


def parse_params(name: str, params: Mapping[str, Any] | Params | None) -> Params:
    """Validate a rule's parameters (raises KeyError for an unknown rule, ValidationError for bad params)."""
    rule = spec(name)
    if isinstance(params, rule.params):
        return params
    return rule.params.model_validate(dict(params or {}))


def apply_rule(
    process: Process, name: str, params: Mapping[str, Any] | Params | None = None
) -> tuple[Process, list[AuditEntry]]:
    """Apply one rule; the result's lineage gains ``rule:<name>``."""
    result, audit = spec(name).function(process, parse_params(name, params))
    return result.replace(lineage=(*process.lineage, f"rule:{name}")), audit


def apply_rules(
    process: Process, calls: Iterable[tuple[str, Mapping[str, Any] | Params | None] | str]
) -> tuple[Process, list[AuditEntry]]:
    """Apply rules in order; returns the final process and the concatenated audit."""
    audit: list[AuditEntry] = []
    for call in calls:
        name, params = (call, None) if isinstance(call, str) else call
        process, entries = apply_rule(process, name, params)
        audit.extend(entries)
    return process, audit
