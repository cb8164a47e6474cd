"""What the rules rest on, read from ``rules/data/policy.yaml``: each family's policy source and the defaults a
rule takes when a scenario does not give a parameter (data, not code: a planner can read and cite them)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

POLICY_FILE = Path(__file__).parent / "data" / "policy.yaml"

__all__ = ["POLICY_FILE", "policy_source", "rule_default"]


@cache
def _policy() -> dict[str, Any]:
    return yaml.safe_load(POLICY_FILE.read_text(encoding="utf-8"))


def policy_source(family: str) -> str:
    """The source every audit entry of the family's rules cites first (KeyError names a family not listed)."""
    return str(_policy()["sources"][family])


def rule_default(rule: str, parameter: str) -> Any:
    """A parameter's default for ``rule`` as the policy file gives it."""
    value = _policy()["defaults"][rule][parameter]
    return tuple(value) if isinstance(value, list) else value
