"""What every command prints the same way: JSON on stdout (``--json``)."""

from __future__ import annotations

import json
import sys


def print_json(payload: object) -> None:
    """One JSON document on stdout: Chinese kept readable, dates and other objects as text."""
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n")


def robustness_line(robust: dict | None) -> str | None:
    """The verdict over the modelling assumptions in one line (None when the result has no such analysis)."""
    if not robust:
        return None
    if robust.get("skipped"):
        return f"over the modelling assumptions: not analysed ({robust['skipped']})"
    low, high = robust["band"]
    deciding = f", decided by {robust['deciding_assumption']}" if robust.get("deciding_assumption") else ""
    when = robust.get("holds_when")
    turn = f" (holds when {when['assumption']} {when['holds_when']}, the others nominal)" if when else ""
    return (
        f"over the modelling assumptions ({robust['samples']} sets, {robust['framing']}): {low:.1%} .. {high:.1%}, "
        f"reaches the target in {robust['holds_share']:.0%}: {robust['verdict']}{deciding}{turn}"
    )
