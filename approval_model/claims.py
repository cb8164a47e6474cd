"""Numeric claims of plans 2-5 of the Luoyang 2017 放管服 plan, and pure checks of them.

The claims are data (``data/claims.yaml``), transcribed from the Chinese text with the exact wording each
comes from. This module computes, per claim, the reduction the before/after figures give, whether the
plan's own stated reduction agrees with it within a tolerance, and whether it meets the plan's target.

Conventions (also in docs/claims-and-supervision.md):

* reductions are fractions: 0.65 means "-65 %"; ``computed = 1 - after / before``;
* a claim is **consistent** when ``|computed - stated| <= tolerance``; the default tolerance is one
  percentage point (:data:`DEFAULT_TOLERANCE`), which absorbs rounding or truncating the computed figure to
  a whole percent but not "about a third" for 38 %; ``None`` when either figure is missing;
* a claim **meets its target** when ``computed >= target`` (targets are minimums, "30%以上"), with no
  tolerance; ``None`` when the plan sets no target for it or the text gives no before figure.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from approval_model import safe_yaml

__all__ = [
    "DEFAULT_TOLERANCE",
    "PLAN_TITLES",
    "Claim",
    "ClaimCheck",
    "check_claim",
    "check_claims",
    "computed_reduction",
    "is_consistent",
    "load_claims",
    "meets_target",
    "parse_share",
    "summarize",
]

CLAIMS_FILE = Path(__file__).parent / "data" / "claims.yaml"
DEFAULT_TOLERANCE = 0.01  # one percentage point
PLAN_TITLES = {
    2: "涉企事项 (enterprise matters)",
    3: "办税便利化 (tax facilitation)",
    4: "民生服务 (livelihood services)",
    5: "“互联网+政务服务” (Internet + government services)",
}
_EPSILON = 1e-9

Measure = Literal["time", "steps", "materials", "visits", "certificates"]
Unit = Literal["working_days", "days", "minutes", "steps", "visits", "materials", "certificates"]


def parse_share(value: Any) -> float | None:
    """'65%' -> 0.65, '1/3' -> 0.333..., 0.65 -> 0.65, None -> None; raises ValueError otherwise."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a share")
    if isinstance(value, int | float):
        share = float(value)
    else:
        text = str(value).strip().replace("％", "%")
        try:
            share = float(text[:-1]) / 100 if text.endswith("%") else float(Fraction(text))
        except (ValueError, ZeroDivisionError):
            raise ValueError(f"{value!r} is not a share; write '65%', '1/3' or 0.65") from None
    if not 0 <= share <= 1:
        raise ValueError(f"{value!r} is not a share between 0 and 100%")
    return share


class Claim(BaseModel):
    """One numeric promise of the plan, as transcribed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    plan: int = Field(ge=2, le=5)
    section: str
    subject: str = Field(min_length=1, description="Chinese, as in the text")
    subject_en: str | None = None
    measure: Measure
    unit: Unit | None = Field(description="None when the text gives no quantity")
    before: float | None = Field(default=None, ge=0)
    after: float | None = Field(default=None, ge=0)
    before_nonzero: bool = False
    before_assumed: bool = False
    before_text: str | None = None
    after_text: str | None = None
    stated_reduction: float | None = None
    stated_text: str | None = None
    target: float | None = None
    target_wording: str | None = None
    wording: tuple[str, ...] = Field(min_length=1)
    note: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _keep_stated_text(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("stated_reduction") is not None and "stated_text" not in data:
            data = {**data, "stated_text": str(data["stated_reduction"])}
        return data

    @field_validator("stated_reduction", "target", mode="before")
    @classmethod
    def _share(cls, value: Any) -> float | None:
        return parse_share(value)

    @model_validator(mode="after")
    def _coherent(self) -> Claim:
        if self.before_nonzero and self.before is not None:
            raise ValueError("before_nonzero is for claims without a before figure")
        if self.before_nonzero and self.after != 0:
            raise ValueError("before_nonzero only makes sense when after is 0")
        if (self.before is not None or self.after not in (None, 0)) and self.unit is None:
            raise ValueError("a claim with figures needs a unit")
        if self.target is not None and self.target_wording is None:
            raise ValueError("a target needs the target_wording it comes from")
        return self


class ClaimCheck(BaseModel):
    """A claim with what the checks found."""

    model_config = ConfigDict(frozen=True)

    claim: Claim
    computed_reduction: float | None
    consistent: bool | None
    discrepancy: float | None = Field(description="computed - stated (fraction); > 0: the figures give more")
    meets_target: bool | None

    def as_json(self) -> dict[str, Any]:
        c = self.claim
        return {
            "id": c.id,
            "plan": c.plan,
            "section": c.section,
            "subject": c.subject,
            "subject_en": c.subject_en,
            "measure": c.measure,
            "unit": c.unit,
            "before": _number(c.before),
            "after": _number(c.after),
            "before_text": c.before_text,
            "after_text": c.after_text,
            "before_assumed": c.before_assumed,
            "stated_reduction": _round(c.stated_reduction),
            "stated_text": c.stated_text,
            "computed_reduction": _round(self.computed_reduction),
            "consistent": self.consistent,
            "discrepancy_pp": _round(None if self.discrepancy is None else self.discrepancy * 100, 2),
            "target": _round(c.target),
            "target_wording": c.target_wording,
            "meets_target": self.meets_target,
            "wording": list(c.wording),
            "note": c.note,
        }


def _number(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


# ---- pure checks ----------------------------------------------------------------------------------


def computed_reduction(
    before: float | None, after: float | None, before_nonzero: bool = False
) -> float | None:
    """1 - after/before; 1.0 for 'something -> nothing' (``before_nonzero`` and after 0); None if unknown."""
    if after is None:
        return None
    if before is None:
        return 1.0 if before_nonzero and after == 0 else None
    if before <= 0:
        return None
    return 1.0 - after / before


def is_consistent(
    stated: float | None, computed: float | None, tolerance: float = DEFAULT_TOLERANCE
) -> bool | None:
    """Whether the stated reduction is within ``tolerance`` (a fraction: 0.01 = 1 pp) of the computed one."""
    if stated is None or computed is None:
        return None
    if tolerance < 0:
        raise ValueError(f"tolerance must be >= 0, got {tolerance}")
    return abs(computed - stated) <= tolerance + _EPSILON


def meets_target(computed: float | None, target: float | None) -> bool | None:
    """Whether the computed reduction reaches the plan's minimum target ("30%以上" -> computed >= 0.30)."""
    if computed is None or target is None:
        return None
    return computed >= target - _EPSILON


def check_claim(claim: Claim, tolerance: float = DEFAULT_TOLERANCE) -> ClaimCheck:
    computed = computed_reduction(claim.before, claim.after, claim.before_nonzero)
    stated = claim.stated_reduction
    return ClaimCheck(
        claim=claim,
        computed_reduction=computed,
        consistent=is_consistent(stated, computed, tolerance),
        discrepancy=None if stated is None or computed is None else computed - stated,
        meets_target=meets_target(computed, claim.target),
    )


def check_claims(
    claims: Iterable[Claim], tolerance: float = DEFAULT_TOLERANCE, plan: int | None = None
) -> list[ClaimCheck]:
    return [check_claim(c, tolerance) for c in claims if plan is None or c.plan == plan]


def summarize(checks: Sequence[ClaimCheck]) -> dict[str, Any]:
    """Counts for the closing line: transcribed, computable, checked (stated vs computed), inconsistent."""
    checked = [c for c in checks if c.consistent is not None]
    inconsistent = [c for c in checked if not c.consistent]
    with_target = [c for c in checks if c.meets_target is not None]
    return {
        "claims": len(checks),
        "computable": sum(c.computed_reduction is not None for c in checks),
        "stated": sum(c.claim.stated_reduction is not None for c in checks),
        "checked": len(checked),
        "inconsistent": len(inconsistent),
        "inconsistent_ids": [c.claim.id for c in inconsistent],
        "target_checked": len(with_target),
        "target_missed": sum(not c.meets_target for c in with_target),
    }


# ---- data -----------------------------------------------------------------------------------------


@functools.cache
def _builtin_claims() -> tuple[Claim, ...]:
    return load_claims(CLAIMS_FILE)


def load_claims(path: str | Path | None = None) -> tuple[Claim, ...]:
    """The claims of a YAML file (default: the built-in transcription); ValueError naming the bad entry."""
    if path is None:
        return _builtin_claims()
    path = Path(path)
    try:
        raw = safe_yaml.load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise ValueError(f"{path}: cannot read claims: {error}") from None
    entries = raw.get("claims") if isinstance(raw, dict) else None
    if not isinstance(entries, list):
        raise ValueError(f"{path}: expected a top-level 'claims:' list")
    claims: list[Claim] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        label = entry.get("id", f"#{index + 1}") if isinstance(entry, dict) else f"#{index + 1}"
        try:
            claim = Claim.model_validate(entry)
        except ValidationError as error:
            details = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'entry'}: {e['msg']}" for e in error.errors()
            )
            raise ValueError(f"{path}: claim {label}: {details}") from None
        if claim.id in seen:
            raise ValueError(f"{path}: claim id {claim.id!r} appears twice")
        seen.add(claim.id)
        claims.append(claim)
    return tuple(claims)
