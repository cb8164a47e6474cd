"""The ``rules:`` list of a scenario file: parsing, validation (file, ``rules[i]``, line, known rules) and
application, plus loading with the audit kept (for ``approval-sim reform diff``).

Syntax::

    rules:
      - online_parallel_approval                      # a name alone when the defaults suit
      - {rule: compress_time_limits, factor: 0.667}   # or a mapping: 'rule' plus the rule's parameters
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from approval_model.models import Process
from approval_model.problems import Problem, ScenarioError, did_you_mean, format_location
from approval_model.scenario import load_process
from approval_model.scenario_document import ScenarioDocument
from messages import Message
from rules.engine import AuditEntry, Params, RuleError, describe_params, validation_messages
from rules.rulebook import apply_rule, known_rules, parse_params, spec

__all__ = ["AppliedRule", "apply_scenario_rules", "load_with_audit", "parse_rules"]


@dataclass(frozen=True)
class AppliedRule:
    """One rule of one scenario file, as applied: where it was written and what it did."""

    document: str
    position: int
    rule: str
    params: dict[str, Any]
    source: str
    audit: tuple[AuditEntry, ...]
    path: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "document": self.document,
            "position": self.position,
            "rule": self.rule,
            "params": self.params,
            "source": self.source,
            "audit": [entry.model_dump(mode="json") for entry in self.audit],
        }


def _known_text() -> Message:
    return Message("known rules: {rules}", rules=", ".join(known_rules()))


def parse_rules(rules: Any, document: ScenarioDocument) -> list[tuple[str, Params]]:
    """Validate every entry of ``rules:``; all problems are reported together as one ScenarioError."""
    problems: list[Problem] = []
    parsed: list[tuple[str, Params]] = []
    if not isinstance(rules, list):
        raise ScenarioError(
            document.label,
            [
                Problem(
                    ("rules",),
                    Message("'rules' must be a list"),
                    Message(
                        "write '- rule_name' or '- {{rule: name, ...}}' entries; {known}", known=_known_text()
                    ),
                    document.line_of(("rules",)),
                )
            ],
            ["rules"],
        )
    subjects: list[str] = []
    for index, entry in enumerate(rules):
        location: tuple[str | int, ...] = ("rules", index)
        if isinstance(entry, str):
            name, raw = entry, {}
        elif isinstance(entry, Mapping) and isinstance(entry.get("rule"), str):
            name, raw = entry["rule"], {k: v for k, v in entry.items() if k != "rule"}
        else:
            problems.append(
                Problem(
                    location,
                    Message("a rule entry must be a rule name or a mapping with 'rule: <name>'"),
                    Message(
                        "e.g. '- {{rule: compress_time_limits, factor: 0.667}}'; {known}", known=_known_text()
                    ),
                    document.line_of(location),
                )
            )
            subjects.append(format_location(location))
            continue
        if name not in known_rules():
            problems.append(
                Problem(
                    location,
                    Message("unknown rule '{name}'{hint}", name=name, hint=did_you_mean(name, known_rules())),
                    Message("use one of the {known}", known=_known_text()),
                    document.line_of(location),
                )
            )
            subjects.append(format_location(location))
            continue
        try:
            parsed.append((name, parse_params(name, raw)))
        except ValidationError as error:
            accepted = describe_params(spec(name).params)
            for where, message in validation_messages(error):
                key_location = (*location, *where)
                problems.append(
                    Problem(
                        key_location,
                        Message(
                            "bad parameter for rule '{name}': {where}: {message}",
                            name=name,
                            where=format_location(where) or "parameters",
                            message=message,
                        ),
                        Message(
                            "'{name}' accepts: {accepted} (see docs/rules.md); {known}",
                            name=name,
                            accepted=accepted,
                            known=_known_text(),
                        ),
                        document.line_of(key_location),
                    )
                )
                subjects.append(f"{format_location(location)} ({name})")
    if problems:
        raise ScenarioError(document.label, problems, subjects)
    return parsed


def _apply(
    process: Process, rules: list[Any], document: ScenarioDocument
) -> tuple[Process, list[AppliedRule]]:
    applied: list[AppliedRule] = []
    for index, (name, params) in enumerate(parse_rules(rules, document)):
        try:
            process, audit = apply_rule(process, name, params)
        except RuleError as error:
            location = ("rules", index)
            raise ScenarioError(
                document.label,
                [
                    Problem(
                        location,
                        Message(
                            "rule '{name}' cannot be applied: {message}", name=name, message=error.message
                        ),
                        error.fix,
                        document.line_of(location),
                    )
                ],
                [f"{format_location(location)} ({name})"],
            ) from None
        applied.append(
            AppliedRule(
                document.label,
                index,
                name,
                params.model_dump(mode="json", exclude_defaults=True),
                spec(name).source,
                tuple(audit),
                str(document.path) if document.path else None,
            )
        )
    return process, applied


def apply_scenario_rules(process: Process, rules: list[Any], document: ScenarioDocument) -> Process:
    """Apply a scenario's ``rules:`` in order (the RuleApplier that approval_model.scenario expects)."""
    return _apply(process, rules, document)[0]


@dataclass
class _Recorder:
    applied: list[AppliedRule] = field(default_factory=list)

    def __call__(self, process: Process, rules: list[Any], document: ScenarioDocument) -> Process:
        process, applied = _apply(process, rules, document)
        self.applied.extend(applied)
        return process


def load_with_audit(reference: str | Path) -> tuple[Process, list[AppliedRule]]:
    """Load a scenario like the CLI does, keeping every applied rule's audit (bases first, in order)."""
    recorder = _Recorder()
    process = load_process(reference, rule_applier=recorder)
    return process, recorder.applied
