"""Reform measures as auditable transforms of an approval process (Process -> Process + audit).

Where to look:

- :mod:`rules.loading` — load a scenario (built-in name or file) with its ``rules:`` applied, for a profile;
- :mod:`rules.rulebook` — every rule by name: ``apply_rule``, ``apply_rules``, ``known_rules``;
- :mod:`rules.measures` — the rules themselves, one module per family of measures;
- :mod:`rules.engine` — the parts a rule is made of (parameters, ``audit_entry``, ``RuleError``, ``register``);
- :mod:`rules.policy` — each family's policy source and the rules' defaults, from ``rules/data/policy.yaml``;
- :mod:`rules.scenario` (a file's ``rules:`` list), :mod:`rules.diff` (``reform diff``), :mod:`rules.metrics`
  (the plan's catalog targets), :mod:`rules.graph_ops` (structural edits shared by the rules).

Depends on :mod:`approval_model` only (docs/architecture.md).
"""
