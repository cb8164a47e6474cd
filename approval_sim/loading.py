"""Scenario loading for the CLI (the implementation lives in rules.loading)."""

from rules.loading import for_profile, load, rule_applier, with_limit_basis

__all__ = ["for_profile", "load", "rule_applier", "with_limit_basis"]
