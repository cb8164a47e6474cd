"""The rule engine's parts: parameter models, audit entries, rule errors and the registry a rule joins.

Applying rules by name is :mod:`rules.rulebook` (it imports every family of :mod:`rules.measures`, so this
module imports none: no import circle). A rule is a pure function ``(Process, Params) -> (Process, [AuditEntry])``. It never mutates its input (the models
are frozen) and builds the new process with :meth:`Process.replace`, which re-validates departments, stages,
prerequisites and cycles. Like an openfisca ``Reform`` wrapping its baseline, every application extends the
process's ``lineage`` (``luoyang-2017-before`` -> ``rule:cancel_without_legal_basis`` -> ...), and the audit says
what changed and on which policy it rests.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from approval_model.bounds import BOUNDS_ERROR
from approval_model.models import ApprovalItem, Process

__all__ = [
    "REGISTRY",
    "AuditEntry",
    "Params",
    "RuleError",
    "RuleSpec",
    "Sourced",
    "Status",
    "audit_entry",
    "describe_params",
    "register",
    "snapshot",
    "sources_text",
    "validation_messages",
]

Status = Literal["documented", "assumed"]


class Params(BaseModel):
    """Base of every rule's parameter model: unknown keys are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Sourced(Params):
    """Parameter entries that carry where their value comes from (empty sources = assumed)."""

    sources: tuple[str, ...] = ()
    note: str | None = None

    @property
    def status(self) -> Status:
        return "documented" if self.sources else "assumed"


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
    status: Status = "assumed"
    note: str | None = None


def audit_entry(
    rule: str,
    action: str,
    policy: str,
    basis: Sourced | None = None,
    *,
    items: Sequence[str] = (),
    field: str | None = None,
    before: Any = None,
    after: Any = None,
    status: Status | None = None,
    note: str | None = None,
) -> AuditEntry:
    """The one way a rule records a change. ``policy`` is the source of the rule itself; ``basis`` the parameter
    entry the change rests on: its sources are cited after the policy's, and its status (documented when it cites
    any) is the entry's unless ``status`` says otherwise."""
    return AuditEntry(
        rule=rule,
        action=action,
        items=tuple(items),
        field=field,
        before=before,
        after=after,
        source=sources_text(policy, basis.sources) if basis is not None else policy,
        status=status or (basis.status if basis is not None else "assumed"),
        note=note,
    )


def snapshot(item: ApprovalItem) -> dict[str, object]:
    """What an audit shows of an item before or after a change."""
    return {
        "name": item.name,
        "department": item.department,
        "stage": item.stage,
        "statutory_limit_days": item.statutory_limit_days,
        "promised_limit_days": item.promised_limit_days,
        "materials": item.material_count,
    }


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
