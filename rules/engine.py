"""The rule engine: audit entries, the rule registry and the application of a list of rules to a process.

A rule is a pure function ``(Process, Params) -> (Process, [AuditEntry])``. It never mutates its input (the models
are frozen) and builds the new process with :meth:`Process.replace`, which re-validates departments, stages,
prerequisites and cycles. Like an openfisca ``Reform`` wrapping its baseline, every application extends the
process's ``lineage`` (``luoyang-2017-before`` -> ``rule:cancel_without_legal_basis`` -> ...), and the audit says
what changed and on which policy it rests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from approval_model.bounds import BOUNDS_ERROR
from approval_model.models import Process

__all__ = [
    "REGISTRY",
    "AuditEntry",
    "Params",
    "RuleError",
    "RuleSpec",
    "apply_rule",
    "apply_rules",
    "known_rules",
    "parse_params",
    "register",
]


class Params(BaseModel):
    """Base of every rule's parameter model: unknown keys are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class AuditEntry(BaseModel):
    """One change a rule made, as plain data (JSON-ready).

    ``action`` is a verb (``cancelled``, ``merged``, ``limit_compressed``, ...); ``items`` the item ids concerned
    (for a merge: the kept id first); ``field`` the field changed, with ``before`` and ``after`` values;
    ``source`` the legal/policy source of the rule and of the parameter values (source ids of the catalog);
    ``status`` whether the change rests on a documented source or on an assumption.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: str
    action: str
    items: tuple[str, ...] = ()
    field: str | None = None
    before: Any = None
    after: Any = None
    source: str
    status: Literal["documented", "assumed"] = "assumed"
    note: str | None = None


class RuleError(ValueError):
    """A rule cannot be applied to this process as parameterised (unknown item, merge across departments...)."""

    def __init__(self, message: str, fix: str = "") -> None:
        self.message = message
        self.fix = fix
        super().__init__(f"{message}. Fix: {fix}" if fix else message)


RuleFunction = Callable[[Process, Any], tuple[Process, list[AuditEntry]]]


@dataclass(frozen=True)
class RuleSpec:
    """A registered rule: its function, parameter model and the policy it implements."""

    name: str
    function: RuleFunction
    params: type[Params]
    source: str
    summary: str


REGISTRY: dict[str, RuleSpec] = {}


def register(
    name: str, params: type[Params], source: str, summary: str
) -> Callable[[RuleFunction], RuleFunction]:
    """Decorator adding a rule function to :data:`REGISTRY` under a snake_case name."""

    def decorate(function: RuleFunction) -> RuleFunction:
        if name in REGISTRY:
            raise RuntimeError(f"rule '{name}' registered twice")
        REGISTRY[name] = RuleSpec(name, function, params, source, summary)
        return function

    return decorate


def known_rules() -> list[str]:
    """Names of every registered rule, sorted."""
    _load_measures()
    return sorted(REGISTRY)


def _load_measures() -> None:
    # the measures register themselves on import; imported lazily to keep this module import-cycle free
    import rules.measures  # noqa: F401
    import rules.national_2019  # noqa: F401
    import rules.services  # noqa: F401


def spec(name: str) -> RuleSpec:
    """The rule registered under ``name`` (KeyError if none)."""
    _load_measures()
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
    rule = spec(name)
    parsed = parse_params(name, params)
    result, audit = rule.function(process, parsed)
    if result is not process:
        result = result.replace(lineage=(*process.lineage, f"rule:{name}"))
    else:
        result = process.replace(lineage=(*process.lineage, f"rule:{name}"))
    return result, audit


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


def validation_messages(error: ValidationError) -> list[tuple[tuple[str | int, ...], str]]:
    """(location, message) pairs of a params ValidationError, for scenario messages."""
    result = []
    for detail in error.errors(include_url=False):
        location = tuple(
            p
            for p in detail["loc"]
            if not (isinstance(p, str) and ("[" in p or p in ("str", "int", "float")))
        )
        message = detail["msg"].removeprefix("Value error, ")
        if detail["type"] == BOUNDS_ERROR:
            message += f" (got {detail['input']!r})"
        if detail["type"] == "extra_forbidden":
            message = "unknown parameter"
        result.append((location, message))
    return result


def describe_params(params: type[Params]) -> str:
    """'factor, key_factor, ...' - the parameter names a rule accepts."""
    names = list(params.model_fields)
    return ", ".join(names) if names else "(none)"


def sources_text(*parts: str | Sequence[str] | None) -> str:
    """Join source ids/texts, dropping blanks and repeats, keeping order."""
    seen: list[str] = []
    for part in parts:
        if not part:
            continue
        for text in [part] if isinstance(part, str) else part:
            if text and text not in seen:
                seen.append(text)
    return "; ".join(seen)
